#include "kube/deployment.h"

#include <cctype>

#include <fmt/format.h>

#include "core/json_reader.h"
#include "core/label_selector_json.h"
#include "kube/manifest_document.h"

namespace kscale::kube {

namespace {

using namespace core::json_reader;
namespace json = boost::json;

core::Result<int32_t> read_int32(const json::value& v, const std::string& path, int32_t min) {
  KSCALE_TRY(n, as_int(v, path));
  if (n < min || n > INT32_MAX) {
    return core::fail(field_error(
        path, fmt::format("Invalid value: {}: must be greater than or equal to {}", n, min)));
  }
  return static_cast<int32_t>(n);
}

// An IntOrString port: a number or a port name.
core::Result<std::string> read_port(const json::value& v, const std::string& path) {
  if (v.is_int64() || v.is_uint64()) {
    KSCALE_TRY(n, read_int32(v, path, 1));
    return std::to_string(n);
  }
  return as_string(v, path);
}

core::Result<HttpGetProbe> read_probe(const json::value& v, const std::string& path) {
  KSCALE_TRY(obj, as_object(v, path));
  (void)obj;
  const auto* get = member(v, "httpGet");
  if (get == nullptr) {
    return core::fail(
        field_error(child(path, "httpGet"),
                    "Required value: only httpGet probes run locally (exec and tcpSocket do not)"));
  }
  HttpGetProbe p;
  const std::string gp = child(path, "httpGet");
  if (const auto* s = member(*get, "path")) {
    KSCALE_TRY(text, as_string(*s, child(gp, "path")));
    p.path = text.empty() ? "/" : text;
  }
  const auto* port = member(*get, "port");
  if (port == nullptr) {
    return core::fail(field_error(child(gp, "port"), "Required value"));
  }
  KSCALE_TRY(port_text, read_port(*port, child(gp, "port")));
  p.port = port_text;
  if (const auto* s = member(*get, "scheme")) {
    KSCALE_TRY(scheme, as_string(*s, child(gp, "scheme")));
    if (scheme != "HTTP") {
      return core::fail(field_error(
          child(gp, "scheme"),
          fmt::format("Unsupported value: \"{}\": supported values: \"HTTP\"", scheme)));
    }
  }
  struct Field {
    const char* name;
    int32_t* out;
    int32_t min;
  };
  for (const Field& f : {Field{"initialDelaySeconds", &p.initial_delay_seconds, 0},
                         Field{"periodSeconds", &p.period_seconds, 1},
                         Field{"timeoutSeconds", &p.timeout_seconds, 1},
                         Field{"successThreshold", &p.success_threshold, 1},
                         Field{"failureThreshold", &p.failure_threshold, 1}}) {
    if (const auto* n = member(v, f.name)) {
      KSCALE_TRY(value, read_int32(*n, child(path, f.name), f.min));
      *f.out = value;
    }
  }
  return p;
}

// env: name and value only (valueFrom needs a cluster).
core::Result<void> read_env(const json::value& env, const std::string& ep, Deployment& d) {
  KSCALE_TRY(arr, as_array(env, ep));
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const std::string ip = index(ep, i);
    const auto& e = (*arr)[i];
    const auto* en = member(e, "name");
    if (en == nullptr) {
      return core::fail(field_error(child(ip, "name"), "Required value"));
    }
    KSCALE_TRY(var, as_string(*en, child(ip, "name")));
    if (member(e, "valueFrom") != nullptr) {
      return core::fail(field_error(child(ip, "valueFrom"),
                                    "Forbidden: valueFrom cannot be resolved locally; use value"));
    }
    std::string value;
    if (const auto* ev = member(e, "value")) {
      KSCALE_TRY(text, as_string(*ev, child(ip, "value")));
      value = text;
    }
    d.env.push_back(EnvVar{var, value});
  }
  return {};
}

core::Result<void> read_ports(const json::value& ports, const std::string& pp, Deployment& d) {
  KSCALE_TRY(arr, as_array(ports, pp));
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const std::string ip = index(pp, i);
    ContainerPort port;
    const auto* cp = member((*arr)[i], "containerPort");
    if (cp == nullptr) {
      return core::fail(field_error(child(ip, "containerPort"), "Required value"));
    }
    KSCALE_TRY(number, read_int32(*cp, child(ip, "containerPort"), 1));
    port.container_port = number;
    if (const auto* pn = member((*arr)[i], "name")) {
      KSCALE_TRY(text, as_string(*pn, child(ip, "name")));
      port.name = text;
    }
    d.ports.push_back(std::move(port));
  }
  return {};
}

// The readiness probe; a named port must be one of the container's (d.ports, read before).
core::Result<void> read_readiness_probe(const json::value& probe, const std::string& path,
                                        Deployment& d) {
  KSCALE_TRY(p, read_probe(probe, child(path, "readinessProbe")));
  if (!p.port.empty() && !std::isdigit(static_cast<unsigned char>(p.port[0]))) {
    bool known = false;
    for (const auto& port : d.ports) {
      known = known || port.name == p.port;
    }
    if (!known) {
      return core::fail(
          field_error(child(path, "readinessProbe.httpGet.port"),
                      fmt::format("Invalid value: \"{}\": must be a container port name", p.port)));
    }
  }
  d.readiness_probe = std::move(p);
  return {};
}

core::Result<void> read_container(const json::value& c, const std::string& path, Deployment& d) {
  KSCALE_TRY(obj, as_object(c, path));
  (void)obj;
  const auto* name = member(c, "name");
  if (name == nullptr) {
    return core::fail(field_error(child(path, "name"), "Required value"));
  }
  KSCALE_TRY(n, as_string(*name, child(path, "name")));
  d.container_name = n;
  if (const auto* cmd = member(c, "command")) {
    KSCALE_TRY(list, as_strings(*cmd, child(path, "command")));
    d.command = std::move(list);
  }
  if (d.command.empty()) {
    // Without an image runtime there is no ENTRYPOINT to fall back on.
    return core::fail(
        field_error(child(path, "command"),
                    "Required value: kscale autoscale --local runs the container's command as a "
                    "local process (there is no image to take an entrypoint from)"));
  }
  if (const auto* args = member(c, "args")) {
    KSCALE_TRY(list, as_strings(*args, child(path, "args")));
    d.args = std::move(list);
  }
  if (const auto* env = member(c, "env")) {
    if (auto done = read_env(*env, child(path, "env"), d); !done) {
      return core::fail(done.error());
    }
  }
  if (const auto* ports = member(c, "ports")) {
    if (auto done = read_ports(*ports, child(path, "ports"), d); !done) {
      return core::fail(done.error());
    }
  }
  if (const auto* probe = member(c, "readinessProbe")) {
    if (auto done = read_readiness_probe(*probe, path, d); !done) {
      return core::fail(done.error());
    }
  }
  return {};
}

// kind and apiVersion.
core::Result<void> check_type(const json::value& doc) {
  if (const auto* kind = member(doc, "kind")) {
    KSCALE_TRY(k, as_string(*kind, "kind"));
    if (k != "Deployment") {
      return core::fail(
          field_error("kind", fmt::format("Invalid value: \"{}\": expected Deployment", k)));
    }
  } else {
    return core::fail(field_error("kind", "Required value"));
  }
  if (const auto* api = member(doc, "apiVersion")) {
    KSCALE_TRY(a, as_string(*api, "apiVersion"));
    if (a != "apps/v1") {
      return core::fail(
          field_error("apiVersion",
                      fmt::format("Unsupported value: \"{}\": supported values: \"apps/v1\"", a)));
    }
  }
  return {};
}

core::Result<void> read_metadata(const json::value& doc, Deployment& d) {
  const auto* md = member(doc, "metadata");
  const auto* name = md ? member(*md, "name") : nullptr;
  if (name == nullptr) {
    return core::fail(field_error("metadata.name", "Required value"));
  }
  KSCALE_TRY(n, as_string(*name, "metadata.name"));
  if (n.empty()) {
    return core::fail(field_error("metadata.name", "Required value"));
  }
  d.name = n;
  if (const auto* ns = member(*md, "namespace")) {
    KSCALE_TRY(nspace, as_string(*ns, "metadata.namespace"));
    d.namespace_ = nspace.empty() ? "default" : nspace;
  }
  return {};
}

// spec.template: its labels (which d.selector, read before, must match), annotations and the
// pod spec's first container.
core::Result<void> read_pod_template(const json::value& tmpl, Deployment& d) {
  if (const auto* tmd = member(tmpl, "metadata")) {
    if (const auto* labels = member(*tmd, "labels")) {
      KSCALE_TRY(l, as_string_map(*labels, "spec.template.metadata.labels"));
      d.template_labels = std::move(l);
    }
    if (const auto* ann = member(*tmd, "annotations")) {
      KSCALE_TRY(a, as_string_map(*ann, "spec.template.metadata.annotations"));
      d.template_annotations = std::move(a);
    }
  }
  auto parsed = core::LabelSelector::parse(d.selector);
  if (parsed && !parsed->matches(d.template_labels)) {
    std::vector<std::string> pairs;
    for (const auto& [k, v] : d.template_labels) {
      pairs.push_back(k + "=" + v);
    }
    return core::fail(field_error(
        "spec.template.metadata.labels",
        fmt::format("Invalid value: \"{}\": `selector` does not match template `labels`",
                    fmt::join(pairs, ","))));
  }
  const auto* pod_spec = member(tmpl, "spec");
  if (pod_spec == nullptr) {
    return core::fail(field_error("spec.template.spec", "Required value"));
  }
  if (const auto* grace = member(*pod_spec, "terminationGracePeriodSeconds")) {
    KSCALE_TRY(g, as_int(*grace, "spec.template.spec.terminationGracePeriodSeconds"));
    d.termination_grace_period_seconds = g < 0 ? 0 : g;
  }
  const auto* containers = member(*pod_spec, "containers");
  if (containers == nullptr) {
    return core::fail(field_error("spec.template.spec.containers", "Required value"));
  }
  KSCALE_TRY(arr, as_array(*containers, "spec.template.spec.containers"));
  if (arr->empty()) {
    return core::fail(field_error("spec.template.spec.containers", "Required value"));
  }
  return read_container((*arr)[0], "spec.template.spec.containers[0]", d);
}

}  // namespace

core::Result<Deployment> read_deployment_manifest(std::string_view text) {
  KSCALE_TRY(doc, parse_document(text));
  KSCALE_TRY(root, as_object(doc, "(root)"));
  (void)root;
  if (auto typed = check_type(doc); !typed) {
    return core::fail(typed.error());
  }
  Deployment d;
  if (auto named = read_metadata(doc, d); !named) {
    return core::fail(named.error());
  }
  const auto* spec = member(doc, "spec");
  if (spec == nullptr) {
    return core::fail(field_error("spec", "Required value"));
  }
  if (const auto* r = member(*spec, "replicas")) {
    KSCALE_TRY(replicas, read_int32(*r, "spec.replicas", 0));
    d.replicas = replicas;
  }
  const auto* selector = member(*spec, "selector");
  if (selector == nullptr) {
    return core::fail(field_error("spec.selector", "Required value"));
  }
  KSCALE_TRY(sel, core::label_selector_string(*selector, "spec.selector"));
  if (sel.empty()) {
    return core::fail(
        field_error("spec.selector", "Invalid value: empty selector is invalid for deployment"));
  }
  d.selector = sel;
  const auto* tmpl = member(*spec, "template");
  if (tmpl == nullptr) {
    return core::fail(field_error("spec.template", "Required value"));
  }
  auto ok = read_pod_template(*tmpl, d);
  if (!ok) {
    return core::fail(ok.error());
  }
  return d;
}

}  // namespace kscale::kube

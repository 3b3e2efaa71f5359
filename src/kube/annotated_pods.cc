#include "kube/annotated_pods.h"

#include <algorithm>
#include <cctype>

#include <yaml-cpp/yaml.h>

namespace kscale::kube {

namespace {

std::string text_of(const YAML::Node& n) {
  return n && n.IsScalar() ? n.as<std::string>() : std::string();
}

bool all_digits(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

// Why a running pod cannot be scraped (terminating, finished, no IP yet), or empty.
std::string not_scrapable(const std::string& phase, const std::string& ip, const YAML::Node& meta) {
  if (meta["deletionTimestamp"] && !meta["deletionTimestamp"].IsNull()) {
    return "terminating";
  }
  if (phase == "Succeeded" || phase == "Failed") {
    return "phase " + phase;
  }
  if (ip.empty()) {
    return "no status.podIP yet";
  }
  return "";
}

// (name, number) of every container port, in order.
std::vector<std::pair<std::string, std::string>> container_ports(const YAML::Node& spec) {
  std::vector<std::pair<std::string, std::string>> ports;
  if (const auto containers = spec && spec.IsMap() ? spec["containers"] : YAML::Node();
      containers && containers.IsSequence()) {
    for (const auto& c : containers) {
      if (const auto cp = c["ports"]; cp && cp.IsSequence()) {
        for (const auto& p : cp) {
          ports.emplace_back(text_of(p["name"]), text_of(p["containerPort"]));
        }
      }
    }
  }
  return ports;
}

// The port to scrape: prometheus.io/port as a number or a container port's name, else the first
// container port. Empty, with the reason in `why_not`, when there is none.
std::string scrape_port(const YAML::Node& annotations, const YAML::Node& spec,
                        std::string& why_not) {
  const auto ports = container_ports(spec);
  std::string port = text_of(annotations["prometheus.io/port"]);
  if (port.empty()) {
    if (ports.empty()) {
      why_not = "no prometheus.io/port annotation and no container port";
      return "";
    }
    return ports.front().second;
  }
  if (all_digits(port)) {
    return port;
  }
  const auto it =
      std::find_if(ports.begin(), ports.end(), [&](const auto& p) { return p.first == port; });
  if (it == ports.end()) {
    why_not = "prometheus.io/port \"" + port + "\" is neither a number nor a container port name";
    return "";
  }
  return it->second;
}

// scheme://ip:port/path, from prometheus.io/scheme (default http) and prometheus.io/path
// (default /metrics).
std::string scrape_url(const YAML::Node& annotations, const std::string& ip,
                       const std::string& port) {
  std::string scheme = text_of(annotations["prometheus.io/scheme"]);
  if (scheme.empty()) {
    scheme = "http";
  }
  std::string path = text_of(annotations["prometheus.io/path"]);
  if (path.empty()) {
    path = "/metrics";
  } else if (path.front() != '/') {
    path.insert(0, "/");
  }
  const std::string host = ip.find(':') != std::string::npos ? "[" + ip + "]" : ip;
  return scheme + "://" + host + ":" + port + path;
}

core::Labels pod_labels(const YAML::Node& meta) {
  core::Labels labels;
  if (meta["labels"] && meta["labels"].IsMap()) {
    for (const auto& kv : meta["labels"]) {
      labels.emplace(kv.first.as<std::string>(), text_of(kv.second));
    }
  }
  return labels;
}

core::Result<void> add_pod(const YAML::Node& obj, const std::string& where, AnnotatedPods& out) {
  if (!obj.IsMap()) {
    return core::fail(core::Error::bad_request(where + ": want an object"));
  }
  const std::string kind = text_of(obj["kind"]);
  if (kind == "List" || kind.ends_with("List")) {
    const auto items = obj["items"];
    for (std::size_t i = 0; items && items.IsSequence() && i < items.size(); ++i) {
      if (auto r = add_pod(items[i], where + "items[" + std::to_string(i) + "]", out); !r) {
        return r;
      }
    }
    return {};
  }
  if (kind != "Pod") {
    return {};
  }
  const auto meta = obj["metadata"];
  const std::string name = meta ? text_of(meta["name"]) : "";
  if (name.empty()) {
    return core::fail(core::Error::bad_request(where + ".metadata.name: required"));
  }
  const auto annotations = meta["annotations"];
  if (!annotations || !annotations.IsMap() ||
      text_of(annotations["prometheus.io/scrape"]) != "true") {
    return {};
  }
  std::string ns = text_of(meta["namespace"]);
  if (ns.empty()) {
    ns = "default";
  }
  const std::string id = ns + "/" + name;
  const auto status = obj["status"];
  const std::string phase = status ? text_of(status["phase"]) : "";
  const std::string ip = status ? text_of(status["podIP"]) : "";
  if (auto why_not = not_scrapable(phase, ip, meta); !why_not.empty()) {
    out.skipped.push_back(id + ": " + why_not);
    return {};
  }
  std::string why_not;
  const std::string port = scrape_port(annotations, obj["spec"], why_not);
  if (port.empty()) {
    out.skipped.push_back(id + ": " + why_not);
    return {};
  }
  out.endpoints.push_back(
      ScrapeEndpoint{ns, name, pod_labels(meta), scrape_url(annotations, ip, port)});
  return {};
}

}  // namespace

core::Result<AnnotatedPods> annotated_pods(std::string_view text) {
  AnnotatedPods out;
  try {
    const auto docs = YAML::LoadAll(std::string(text));
    for (std::size_t d = 0; d < docs.size(); ++d) {
      if (docs[d].IsNull()) {
        continue;
      }
      auto r =
          add_pod(docs[d], docs.size() > 1 ? "documents[" + std::to_string(d) + "]." : "", out);
      if (!r) {
        return core::fail(r.error());
      }
    }
  } catch (const YAML::Exception& e) {
    return core::fail(core::Error::bad_request(std::string("invalid pods file: ") + e.what()));
  }
  return out;
}

}  // namespace kscale::kube

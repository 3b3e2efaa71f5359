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
  if (meta["deletionTimestamp"] && !meta["deletionTimestamp"].IsNull()) {
    out.skipped.push_back(id + ": terminating");
    return {};
  }
  if (phase == "Succeeded" || phase == "Failed") {
    out.skipped.push_back(id + ": phase " + phase);
    return {};
  }
  if (ip.empty()) {
    out.skipped.push_back(id + ": no status.podIP yet");
    return {};
  }
  std::vector<std::pair<std::string, std::string>> ports;  // (name, number)
  const auto spec = obj["spec"];
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
  std::string port = text_of(annotations["prometheus.io/port"]);
  if (port.empty()) {
    if (ports.empty()) {
      out.skipped.push_back(id + ": no prometheus.io/port annotation and no container port");
      return {};
    }
    port = ports.front().second;
  } else if (!all_digits(port)) {
    const auto it =
        std::find_if(ports.begin(), ports.end(), [&](const auto& p) { return p.first == port; });
    if (it == ports.end()) {
      out.skipped.push_back(id + ": prometheus.io/port \"" + port +
                            "\" is neither a number nor a container port name");
      return {};
    }
    port = it->second;
  }
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
  core::Labels labels;
  if (meta["labels"] && meta["labels"].IsMap()) {
    for (const auto& kv : meta["labels"]) {
      labels.emplace(kv.first.as<std::string>(), text_of(kv.second));
    }
  }
  const std::string host = ip.find(':') != std::string::npos ? "[" + ip + "]" : ip;
  out.endpoints.push_back(
      ScrapeEndpoint{ns, name, std::move(labels), scheme + "://" + host + ":" + port + path});
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

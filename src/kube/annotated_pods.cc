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

std::string value_of(const core::Labels& map, std::string_view key) {
  const auto it = map.find(key);
  return it == map.end() ? std::string() : it->second;
}

// Why a running pod cannot be scraped (terminating, finished, no IP yet), or empty.
std::string not_scrapable(const ObjectMetadata& pod) {
  if (pod.deleting) {
    return "terminating";
  }
  if (pod.phase == "Succeeded" || pod.phase == "Failed") {
    return "phase " + pod.phase;
  }
  if (pod.pod_ip.empty()) {
    return "no status.podIP yet";
  }
  return "";
}

// The port to scrape: prometheus.io/port as a number or a container port's name, else the first
// container port. Empty, with the reason in `why_not`, when there is none.
std::string scrape_port(const ObjectMetadata& pod, std::string& why_not) {
  const auto& ports = pod.ports;
  std::string port = value_of(pod.annotations, "prometheus.io/port");
  if (port.empty()) {
    if (ports.empty()) {
      why_not = "no prometheus.io/port annotation and no container port";
      return "";
    }
    return std::to_string(ports.front().port);
  }
  if (all_digits(port)) {
    return port;
  }
  const auto it =
      std::find_if(ports.begin(), ports.end(), [&](const auto& p) { return p.name == port; });
  if (it == ports.end()) {
    why_not = "prometheus.io/port \"" + port + "\" is neither a number nor a container port name";
    return "";
  }
  return std::to_string(it->port);
}

// scheme://ip:port/path, from prometheus.io/scheme (default http) and prometheus.io/path
// (default /metrics).
std::string scrape_url(const core::Labels& annotations, const std::string& ip,
                       const std::string& port) {
  std::string scheme = value_of(annotations, "prometheus.io/scheme");
  if (scheme.empty()) {
    scheme = "http";
  }
  std::string path = value_of(annotations, "prometheus.io/path");
  if (path.empty()) {
    path = "/metrics";
  } else if (path.front() != '/') {
    path.insert(0, "/");
  }
  const std::string host = ip.find(':') != std::string::npos ? "[" + ip + "]" : ip;
  return scheme + "://" + host + ":" + port + path;
}

core::Labels string_map(const YAML::Node& map, std::string_view prefix = {}) {
  core::Labels out;
  if (map && map.IsMap()) {
    for (const auto& kv : map) {
      auto key = kv.first.as<std::string>();
      if (key.starts_with(prefix)) {
        out.emplace(std::move(key), text_of(kv.second));
      }
    }
  }
  return out;
}

// What scrape_endpoint needs of a Pod read from YAML.
ObjectMetadata pod_metadata(const YAML::Node& obj, const YAML::Node& meta, std::string name) {
  ObjectMetadata pod;
  pod.name = std::move(name);
  pod.namespace_name = text_of(meta["namespace"]);
  if (pod.namespace_name.empty()) {
    pod.namespace_name = "default";
  }
  pod.labels = string_map(meta["labels"]);
  pod.annotations = string_map(meta["annotations"], "prometheus.io/");
  pod.deleting = meta["deletionTimestamp"] && !meta["deletionTimestamp"].IsNull();
  if (const auto status = obj["status"]) {
    pod.phase = text_of(status["phase"]);
    pod.pod_ip = text_of(status["podIP"]);
  }
  const auto spec = obj["spec"];
  if (const auto containers = spec && spec.IsMap() ? spec["containers"] : YAML::Node();
      containers && containers.IsSequence()) {
    for (const auto& c : containers) {
      if (const auto cp = c["ports"]; cp && cp.IsSequence()) {
        for (const auto& p : cp) {
          const std::string number = text_of(p["containerPort"]);
          pod.ports.push_back(
              ContainerPort{text_of(p["name"]), all_digits(number) ? std::stoi(number) : 0});
        }
      }
    }
  }
  return pod;
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
  std::string name = meta ? text_of(meta["name"]) : "";
  if (name.empty()) {
    return core::fail(core::Error::bad_request(where + ".metadata.name: required"));
  }
  const auto pod = pod_metadata(obj, meta, std::move(name));
  std::string why_not;
  if (auto endpoint = scrape_endpoint(pod, why_not)) {
    out.endpoints.push_back(std::move(*endpoint));
  } else if (!why_not.empty()) {
    out.skipped.push_back(pod.namespace_name + "/" + pod.name + ": " + why_not);
  }
  return {};
}

}  // namespace

std::optional<ScrapeEndpoint> scrape_endpoint(const ObjectMetadata& pod, std::string& why_not) {
  if (value_of(pod.annotations, "prometheus.io/scrape") != "true") {
    return std::nullopt;
  }
  why_not = not_scrapable(pod);
  if (!why_not.empty()) {
    return std::nullopt;
  }
  const std::string port = scrape_port(pod, why_not);
  if (port.empty()) {
    return std::nullopt;
  }
  return ScrapeEndpoint{pod.namespace_name, pod.name, pod.labels,
                        scrape_url(pod.annotations, pod.pod_ip, port)};
}

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

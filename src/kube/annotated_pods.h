#pragma once
// kube::annotated_pods: the pods of a Kubernetes List (`kubectl get pods -o yaml`) that ask to be
// scraped with the prometheus.io/* annotations, and where their /metrics are — the convention
// of Prometheus's kubernetes-pods job (documentation/examples/prometheus-kubernetes.yml).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/errors.h"
#include "core/labels.h"
#include "kube/object_metadata.h"

namespace kscale::kube {

/// One pod to scrape: its identity and the URL its annotations give.
struct ScrapeEndpoint {
  std::string namespace_name;
  std::string pod;
  core::Labels labels;
  std::string url;  // <scheme>://<status.podIP>:<port><path>
};

struct AnnotatedPods {
  std::vector<ScrapeEndpoint> endpoints;
  /// Pods annotated prometheus.io/scrape: "true" that cannot be scraped yet or at all, with why
  /// ("default/web-1: no status.podIP yet").
  std::vector<std::string> skipped;
};

/// Reads the List (YAML or JSON; a single Pod or a multi-document stream also work) and keeps
/// the Pods annotated `prometheus.io/scrape: "true"` that are not terminating, not Succeeded or
/// Failed, and have a status.podIP. `prometheus.io/scheme` (default http), `prometheus.io/port`
/// (a number, or the name of a container port, which Prometheus's relabelling cannot resolve;
/// default: the first declared container port) and `prometheus.io/path` (default /metrics) make
/// the URL. Errors name the item (items[2].metadata.name: required).
[[nodiscard]] core::Result<AnnotatedPods> annotated_pods(std::string_view yaml_or_json);

/// The same rule for one pod (decoded with ObjectShape::ScrapedPod): nullopt when it is not
/// annotated prometheus.io/scrape: "true" (`why_not` left empty) or cannot be scraped (`why_not`
/// says why, without the pod's name).
std::optional<ScrapeEndpoint> scrape_endpoint(const ObjectMetadata& pod, std::string& why_not);

}  // namespace kscale::kube

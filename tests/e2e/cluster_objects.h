#pragma once
// End-to-end test support for cluster-mode tests: pods on kwok's node (created bare, listed,
// deleted) and the pod → value map of a MetricValueList the adapter answers.

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "e2e/control_plane.h"

namespace kscale::testing {

/// YAML of a bare Pod NS/NAME on kwok-node-0 (with the toleration of its taint), with `labels`
/// and `annotations` given as flow maps ("{app: web}").
std::string kwok_pod_yaml(const std::string& ns, const std::string& name, const std::string& labels,
                          const std::string& annotations = "{}");

/// Names of the pods in `ns` matching `selector` ("app=web"), only Running ones if asked.
std::vector<std::string> pod_names(const ControlPlane& cp, const std::string& ns,
                                   const std::string& selector, bool running_only);

/// status.podIP of NS/NAME ("" when it has none yet or does not exist).
std::string pod_ip(const ControlPlane& cp, const std::string& ns, const std::string& name);

/// Pod name → value of a MetricValueList answer; `ok` false (and no values) when the answer is
/// not a 200 MetricValueList.
struct MetricValues {
  bool ok = false;
  std::map<std::string, std::string> values;
  std::string answer;  // "<code> <body>", for failure messages
};
MetricValues metric_values(const HttpResponse& response);

/// The names of `values` (sorted), for comparisons with a set of expected pods.
std::vector<std::string> names_of(const MetricValues& values);

/// The time left until `deadline` (zero once passed), for a wait_until whose budget started
/// before the action it waits on (e.g. "within 5 s of the deletion").
std::chrono::milliseconds remaining(std::chrono::steady_clock::time_point deadline);

}  // namespace kscale::testing

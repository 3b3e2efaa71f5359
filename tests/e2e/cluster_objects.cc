#include "e2e/cluster_objects.h"

#include <algorithm>
#include <sstream>

#include <boost/json.hpp>

namespace kscale::testing {

namespace json = boost::json;

std::string kwok_pod_yaml(const std::string& ns, const std::string& name, const std::string& labels,
                          const std::string& annotations) {
  return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
         "\n  labels: " + labels + "\n  annotations: " + annotations +
         "\nspec:\n  nodeName: kwok-node-0\n"
         "  tolerations: [{key: kwok.x-k8s.io/node, operator: Exists, effect: NoSchedule}]\n"
         "  containers: [{name: c, image: example}]\n";
}

std::vector<std::string> pod_names(const ControlPlane& cp, const std::string& ns,
                                   const std::string& selector, bool running_only) {
  std::vector<std::string> args{
      "get", "pods",   "-n", ns,
      "-l",  selector, "-o", "jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}"};
  if (running_only) {
    args.emplace_back("--field-selector=status.phase=Running");
  }
  auto r = cp.kubectl(args);
  std::vector<std::string> pods;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) {
      pods.push_back(line);
    }
  }
  return pods;
}

std::string pod_ip(const ControlPlane& cp, const std::string& ns, const std::string& name) {
  auto r = cp.kubectl({"get", "pod", "-n", ns, name, "-o", "jsonpath={.status.podIP}"});
  return r.status == 0 ? r.out : "";
}

MetricValues metric_values(const HttpResponse& response) {
  MetricValues out;
  out.answer = std::to_string(response.code) + " " + response.body + response.error;
  if (response.code != 200) {
    return out;
  }
  boost::system::error_code ec;
  auto doc = json::parse(response.body, ec);
  if (ec || !doc.is_object() || doc.as_object().if_contains("kind") == nullptr ||
      doc.at("kind") != "MetricValueList") {
    return out;
  }
  for (const auto& item : doc.at("items").as_array()) {
    out.values[std::string(item.at("describedObject").at("name").as_string())] =
        std::string(item.at("value").as_string());
  }
  out.ok = true;
  return out;
}

std::vector<std::string> names_of(const MetricValues& values) {
  std::vector<std::string> names;
  for (const auto& [name, value] : values.values) {
    names.push_back(name);
  }
  return names;
}

std::chrono::milliseconds remaining(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return std::max(left, std::chrono::milliseconds(0));
}

}  // namespace kscale::testing

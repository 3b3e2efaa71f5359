// Discovery documents (metrics-api.md §3): APIGroupList, APIGroup, APIResourceList.

#include <boost/json.hpp>

#include "api/encoders.h"

namespace kscale::api {

namespace json = boost::json;

namespace {

json::object group_version(std::string_view group, std::string_view version) {
  return json::object{{"groupVersion", std::string(group) + "/" + std::string(version)},
                      {"version", version}};
}

// Both custom versions are listed; v1beta2 first as the preferred one, matching the APIService
// priorities of the seed manifest (v1beta2 200 > v1beta1 100). The Go library lists v1beta1 only,
// a quirk the spec allows a clean implementation to drop (§3.1).
json::object custom_group() {
  return json::object{{"name", "custom.metrics.k8s.io"},
                      {"versions", json::array{group_version("custom.metrics.k8s.io", "v1beta2"),
                                               group_version("custom.metrics.k8s.io", "v1beta1")}},
                      {"preferredVersion", group_version("custom.metrics.k8s.io", "v1beta2")}};
}

json::object external_group() {
  return json::object{
      {"name", "external.metrics.k8s.io"},
      {"versions", json::array{group_version("external.metrics.k8s.io", "v1beta1")}},
      {"preferredVersion", group_version("external.metrics.k8s.io", "v1beta1")}};
}

json::object resource(std::string name, bool namespaced, std::string_view kind) {
  return json::object{{"name", std::move(name)},
                      {"singularName", ""},
                      {"namespaced", namespaced},
                      {"kind", kind},
                      {"verbs", json::array{"get"}}};
}

}  // namespace

std::string encode_api_group_list() {
  return json::serialize(json::object{{"kind", "APIGroupList"},
                                      {"apiVersion", "v1"},
                                      {"groups", json::array{custom_group(), external_group()}}});
}

std::string encode_custom_api_group() {
  json::object o{{"kind", "APIGroup"}, {"apiVersion", "v1"}};
  for (auto& kv : custom_group()) {
    o[kv.key()] = kv.value();
  }
  return json::serialize(o);
}

std::string encode_external_api_group() {
  json::object o{{"kind", "APIGroup"}, {"apiVersion", "v1"}};
  for (auto& kv : external_group()) {
    o[kv.key()] = kv.value();
  }
  return json::serialize(o);
}

// Never an empty resources list: client-go's discovery cache complains on every kubectl call
// (custom-metrics-apiserver #146). Like the Go library's default providers, a placeholder
// resource is listed while no metric has data.
std::string encode_custom_resource_list(CustomVersion version,
                                        const std::vector<CustomMetricInfo>& metrics) {
  json::array resources;
  for (const auto& m : metrics) {
    resources.push_back(
        resource(m.group_resource.to_string() + "/" + m.metric, m.namespaced, "MetricValueList"));
  }
  if (resources.empty()) {
    resources.push_back(resource("custommetrics", true, "MetricValueList"));
  }
  return json::serialize(json::object{
      {"kind", "APIResourceList"},
      {"apiVersion", "v1"},
      {"groupVersion", std::string("custom.metrics.k8s.io/") + std::string(version_name(version))},
      {"resources", std::move(resources)}});
}

std::string encode_external_resource_list(const std::vector<std::string>& metrics) {
  json::array resources;
  for (const auto& m : metrics) {
    resources.push_back(resource(m, true, "ExternalMetricValueList"));
  }
  if (resources.empty()) {
    resources.push_back(resource("externalmetrics", true, "ExternalMetricValueList"));
  }
  return json::serialize(json::object{{"kind", "APIResourceList"},
                                      {"apiVersion", "v1"},
                                      {"groupVersion", "external.metrics.k8s.io/v1beta1"},
                                      {"resources", std::move(resources)}});
}

}  // namespace kscale::api

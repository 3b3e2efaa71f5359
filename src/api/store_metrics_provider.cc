#include "api/store_metrics_provider.h"

#include <algorithm>

namespace kscale::api {

namespace {

CustomMetricValue to_value(const core::ResourceInfo& info, const store::CustomPoint& p) {
  return CustomMetricValue{info,          p.key.namespace_name, p.key.object_name,
                           p.key.metric,  p.sample.timestamp,   p.sample.window,
                           p.sample.value};
}

}  // namespace

StoreMetricsProvider::StoreMetricsProvider(const store::SeriesStore& store,
                                           const kube::ClusterView& cluster)
    : store_(store), cluster_(cluster) {}

// Objects are selected by their Kubernetes labels as the reference adapters do after listing
// them. Without a configured cluster view no object's labels are known; the selector then
// cannot be evaluated and every object with data is served (logged once at startup).
bool StoreMetricsProvider::object_selected(const MetricQuery& q, const std::string& name) const {
  if (q.object_selector.empty() || !cluster_.configured()) {
    return true;
  }
  const auto labels = cluster_.labels_of(q.resource.group_resource, q.namespace_name, name);
  return labels && q.object_selector.matches(*labels);
}

core::Result<CustomMetricValue> StoreMetricsProvider::get_metric_by_name(
    const MetricQuery& q) const {
  const std::string gr = q.resource.group_resource.to_string();
  const auto filter = [&](const core::Labels& l) { return q.metric_selector.matches(l); };
  auto points = store_.find_custom(
      q.resource.group_resource, q.namespace_name, *q.name, q.metric,
      q.metric_selector.empty() ? std::function<bool(const core::Labels&)>{} : filter);
  if (points.empty()) {
    if (!q.metric_selector.empty()) {
      return core::fail(core::Error::metric_not_found_for_selector(gr, q.metric, *q.name,
                                                                   q.metric_selector.to_string()));
    }
    return core::fail(core::Error::metric_not_found_for(gr, q.metric, *q.name));
  }
  // Several series of one object (different metric labels) answer with the newest, as one
  // object has exactly one value in the API.
  const store::CustomPoint* newest = &points.front();
  for (const auto& p : points) {
    if (p.sample.timestamp > newest->sample.timestamp) {
      newest = &p;
    }
  }
  return to_value(q.resource, *newest);
}

core::Result<std::vector<CustomMetricValue>> StoreMetricsProvider::get_metric_by_selector(
    const MetricQuery& q) const {
  if (!store_.has_custom_metric(q.resource.group_resource, q.metric)) {
    return core::fail(
        core::Error::metric_not_found(q.resource.group_resource.to_string(), q.metric));
  }
  const auto filter = [&](const core::Labels& l) { return q.metric_selector.matches(l); };
  auto points = store_.find_custom(
      q.resource.group_resource, q.namespace_name, std::nullopt, q.metric,
      q.metric_selector.empty() ? std::function<bool(const core::Labels&)>{} : filter);
  // Items are listed by object name, and one object's series must be adjacent below.
  std::sort(points.begin(), points.end(),
            [](const auto& a, const auto& b) { return a.key.object_name < b.key.object_name; });
  // A watched cluster answers with {objects it selects} ∩ {objects with data}
  // (kubernetes-integration.md §2): a deleted object leaves the answer with its watch event.
  std::optional<std::vector<std::string>> selected;
  if (cluster_.authoritative()) {
    auto names = cluster_.select(q.resource.group_resource, q.namespace_name, q.object_selector);
    if (!names) {
      return core::fail(names.error());
    }
    selected = std::move(*names);
  }
  std::vector<CustomMetricValue> out;
  out.reserve(points.size());
  for (const auto& p : points) {
    if (selected ? !std::binary_search(selected->begin(), selected->end(), p.key.object_name)
                 : !object_selected(q, p.key.object_name)) {
      continue;
    }
    // One item per object: the newest series wins when metric labels split an object.
    if (!out.empty() && out.back().name == p.key.object_name) {
      if (p.sample.timestamp > out.back().timestamp) {
        out.back() = to_value(q.resource, p);
      }
      continue;
    }
    out.push_back(to_value(q.resource, p));
  }
  return out;
}

std::vector<CustomMetricInfo> StoreMetricsProvider::list_all_metrics() const {
  std::vector<CustomMetricInfo> out;
  for (const auto& m : store_.list_custom_metrics()) {
    auto info = core::resolve_resource(m.group_resource.to_string());
    out.push_back(CustomMetricInfo{m.group_resource, m.metric, info ? info->namespaced : true});
  }
  return out;
}

core::Result<std::vector<ExternalMetricValue>> StoreMetricsProvider::get_external_metric(
    const std::string& namespace_name, const std::string& metric,
    const core::LabelSelector& selector) const {
  if (!store_.has_external_metric(metric)) {
    return core::fail(core::Error::metric_not_found("namespaces", metric));
  }
  const auto filter = [&](const core::Labels& l) { return selector.matches(l); };
  auto points =
      store_.find_external(namespace_name, metric,
                           selector.empty() ? std::function<bool(const core::Labels&)>{} : filter);
  // The store's order is unspecified; answer in a stable order (by metric labels).
  std::sort(points.begin(), points.end(),
            [](const auto& a, const auto& b) { return a.key.metric_labels < b.key.metric_labels; });
  std::vector<ExternalMetricValue> out;
  out.reserve(points.size());
  for (auto& p : points) {
    out.push_back(ExternalMetricValue{p.key.metric, p.key.metric_labels, p.sample.timestamp,
                                      p.sample.window, p.sample.value});
  }
  return out;
}

std::vector<std::string> StoreMetricsProvider::list_all_external_metrics() const {
  return store_.list_external_metrics();
}

}  // namespace kscale::api

#pragma once
// api::StoreMetricsProvider: serves custom and external metrics from the series store, selecting
// objects by their labels through the cluster view.

#include "api/custom_metrics_provider.h"
#include "kube/cluster_view.h"
#include "store/series_store.h"

namespace kscale::api {

class StoreMetricsProvider final : public CustomMetricsProvider, public ExternalMetricsProvider {
 public:
  /// Both references must outlive the provider.
  StoreMetricsProvider(const store::SeriesStore& store, const kube::ClusterView& cluster);

  // api::CustomMetricsProvider
  core::Result<CustomMetricValue> get_metric_by_name(const MetricQuery& q) const override;
  core::Result<std::vector<CustomMetricValue>> get_metric_by_selector(
      const MetricQuery& q) const override;
  std::vector<CustomMetricInfo> list_all_metrics() const override;
  std::optional<DataVersion> data_version() const override {
    return DataVersion{store_.generation(), store_.clock().system_now(), store_.max_age()};
  }
  // Without a configured cluster view labelSelector selects nothing out (see object_selected);
  // a watched cluster changes answers without a change of data (a deleted pod).
  bool answer_depends_only_on_data(const MetricQuery& q) const override {
    return !cluster_.authoritative() && (q.object_selector.empty() || !cluster_.configured());
  }

  // api::ExternalMetricsProvider
  core::Result<std::vector<ExternalMetricValue>> get_external_metric(
      const std::string& namespace_name, const std::string& metric,
      const core::LabelSelector& selector) const override;
  std::vector<std::string> list_all_external_metrics() const override;

 private:
  bool object_selected(const MetricQuery& q, const std::string& name) const;

  const store::SeriesStore& store_;
  const kube::ClusterView& cluster_;
};

}  // namespace kscale::api

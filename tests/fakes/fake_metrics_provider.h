#pragma once
// A fake CustomMetricsProvider/ExternalMetricsProvider that answers what a test tells it to,
// including backend failures the store-backed provider cannot produce (e.g. a datastore down).

#include <utility>
#include <vector>

#include "api/custom_metrics_provider.h"

namespace kscale::fakes {

class FakeMetricsProvider final : public api::CustomMetricsProvider,
                                  public api::ExternalMetricsProvider {
 public:
  core::Result<std::vector<api::CustomMetricValue>> custom_answer =
      std::vector<api::CustomMetricValue>{};
  core::Result<std::vector<api::ExternalMetricValue>> external_answer =
      std::vector<api::ExternalMetricValue>{};
  std::vector<api::CustomMetricInfo> listed;
  mutable std::vector<api::MetricQuery> queries;

  // api::CustomMetricsProvider
  core::Result<api::CustomMetricValue> get_metric_by_name(
      const api::MetricQuery& q) const override {
    queries.push_back(q);
    if (!custom_answer) {
      return core::fail(custom_answer.error());
    }
    if (custom_answer->empty()) {
      return core::fail(core::Error::metric_not_found_for(q.resource.group_resource.to_string(),
                                                          q.metric, *q.name));
    }
    return custom_answer->front();
  }
  core::Result<std::vector<api::CustomMetricValue>> get_metric_by_selector(
      const api::MetricQuery& q) const override {
    queries.push_back(q);
    return custom_answer;
  }
  std::vector<api::CustomMetricInfo> list_all_metrics() const override { return listed; }

  // api::ExternalMetricsProvider
  core::Result<std::vector<api::ExternalMetricValue>> get_external_metric(
      const std::string&, const std::string&, const core::LabelSelector&) const override {
    return external_answer;
  }
  std::vector<std::string> list_all_external_metrics() const override { return {}; }
};

}  // namespace kscale::fakes

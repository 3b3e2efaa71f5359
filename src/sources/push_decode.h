#pragma once
// Decoding of push-API writes (shared/specs/push-api.md) into store points: single values in
// the seed's format, and MetricValueList / ExternalMetricValueList batches (read by kube's one
// decoder of each). Pure functions: a batch is validated whole before anything is stored.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/errors.h"
#include "core/group_resource.h"
#include "core/labels.h"
#include "core/quantity.h"
#include "store/series_store.h"

namespace kscale::sources {

/// A body holding one value: a JSON string ("512.30", what the seed's json.dumps sends), a JSON
/// number (512.3) or the bare quantity (1500m). Rejects NaN, Inf, garbage, and values whose
/// milli-units do not fit in int64 (the HPA reads MilliValue()).
[[nodiscard]] core::Result<core::Quantity> decode_value_body(std::string_view body);

/// `labels=k=v,k2=v2` as upstream's ConvertSelectorToLabelsMap reads it, with label validation.
[[nodiscard]] core::Result<core::Labels> decode_labels_param(std::string_view text);

/// A custom-metrics write ready for the store, with the resource each point's object resolved
/// to, so that the answer names kind and apiVersion without resolving it again.
struct CustomWrite {
  std::vector<store::CustomPoint> points;
  std::vector<core::ResourceInfo> resources;  // distinct, in order of first use
  std::vector<std::size_t> resource_of;       // per point: its index in `resources`
};

/// A MetricValueList (custom.metrics.k8s.io/v1beta1 or v1beta2). Items without a timestamp get
/// `now`. Errors name the item and field: "items[2]: value: ...".
[[nodiscard]] core::Result<CustomWrite> decode_custom_write(std::string_view body,
                                                            core::SystemTime now);
/// decode_custom_write's points alone.
[[nodiscard]] core::Result<std::vector<store::CustomPoint>> decode_metric_value_list(
    std::string_view body, core::SystemTime now);

/// An ExternalMetricValueList for namespace `ns`.
[[nodiscard]] core::Result<std::vector<store::ExternalPoint>> decode_external_metric_value_list(
    std::string_view body, const std::string& ns, core::SystemTime now);

}  // namespace kscale::sources

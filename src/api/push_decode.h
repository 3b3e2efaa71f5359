#pragma once
// Decoding of push-API writes (shared/specs/push-api.md) into store points: single values in
// the seed's format, and MetricValueList / ExternalMetricValueList batches. Pure functions: a
// batch is validated whole before anything is stored.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/errors.h"
#include "core/quantity.h"
#include "store/series_store.h"

namespace kscale::api {

/// A body holding one value: a JSON string ("512.30", what the seed's json.dumps sends), a JSON
/// number (512.3) or the bare quantity (1500m). Rejects NaN, Inf, garbage, and values whose
/// milli-units do not fit in int64 (the HPA reads MilliValue()).
[[nodiscard]] core::Result<core::Quantity> decode_value_body(std::string_view body);

/// `labels=k=v,k2=v2` as upstream's ConvertSelectorToLabelsMap reads it, with label validation.
[[nodiscard]] core::Result<core::Labels> decode_labels_param(std::string_view text);

/// Object name, namespace and metric name rules; the message says what to fix.
[[nodiscard]] core::Result<void> validate_object_name(std::string_view name);
[[nodiscard]] core::Result<void> validate_namespace(std::string_view name);
[[nodiscard]] core::Result<void> validate_metric_name(std::string_view name);

/// A MetricValueList (custom.metrics.k8s.io/v1beta1 or v1beta2). Items without a timestamp get
/// `now`. Errors name the item and field: "items[2].value: ...".
[[nodiscard]] core::Result<std::vector<store::CustomPoint>> decode_metric_value_list(std::string_view body,
                                                                                     core::SystemTime now);

/// An ExternalMetricValueList for namespace `ns`.
[[nodiscard]] core::Result<std::vector<store::ExternalPoint>> decode_external_metric_value_list(
    std::string_view body, const std::string& ns, core::SystemTime now);

}  // namespace kscale::api

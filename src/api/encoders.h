#pragma once
// The wire documents of the metrics APIs (shared/specs/metrics-api.md §3–§4), one function per
// document and version. Field order follows Go's struct order.

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "api/metric_value.h"
#include "kube/metric_value_list.h"

namespace kscale::api {

// The value lists live with the other Kubernetes objects in kube/ (the push API answers with
// them too); the read API names them as its own.
using kube::CustomMetricValueRef;
using kube::CustomVersion;
using kube::encode_external_metric_value_list;
using kube::encode_metric_value_list;
using kube::encode_metric_value_list_refs;
using kube::parse_custom_version;
using kube::version_name;

/// Discovery: /apis, /apis/<group>, /apis/<group>/<version>.
std::string encode_api_group_list();
std::string encode_custom_api_group();
std::string encode_external_api_group();
std::string encode_custom_resource_list(CustomVersion version,
                                        const std::vector<CustomMetricInfo>& metrics);
std::string encode_external_resource_list(const std::vector<std::string>& metrics);

}  // namespace kscale::api

#include "core/object_names.h"

#include <string>

#include "core/group_resource.h"

namespace kscale::core {

Result<void> validate_object_name(std::string_view name) {
  if (name == "*") {
    return fail(Error::bad_request("invalid object name \"*\": a write names one object"));
  }
  if (auto e = validate_dns1123_subdomain(name); !e.empty()) {
    return fail(Error::bad_request("invalid object name \"" + std::string(name) + "\": " + e));
  }
  return {};
}

Result<void> validate_namespace(std::string_view name) {
  if (auto e = validate_dns1123_label(name); !e.empty()) {
    return fail(Error::bad_request("invalid namespace \"" + std::string(name) + "\": " + e));
  }
  return {};
}

// Metric names travel as one path segment and in Prometheus-style rules; kscale accepts the
// Prometheus metric-name characters plus '-' and '.', which adapters also use.
Result<void> validate_metric_name(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 253;
  for (char c : name) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == ':' || c == '-' || c == '.');
  }
  if (!ok) {
    return fail(Error::bad_request(
        "invalid metric name \"" + std::string(name) +
        "\": use letters, digits, '_', ':', '-' or '.' (e.g. http_requests_qps)"));
  }
  return {};
}

}  // namespace kscale::core

#pragma once
// core::Error: what a Kubernetes metav1.Status needs (reason, code, message), built by named
// constructors that reproduce upstream message text. Result<T> carries it across module edges.

#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace kscale::core {

/// metav1.StatusReason values kscale produces; enumerators spelled as upstream spells them.
enum class StatusReason {
  BadRequest,
  Unauthorized,
  Forbidden,
  NotFound,
  MethodNotAllowed,
  NotAcceptable,
  RequestEntityTooLarge,
  UnsupportedMediaType,
  Invalid,
  InternalError,
  ServiceUnavailable,
  Timeout,
};

/// The reason as it appears in Status JSON ("NotFound"); empty for InternalError built from a
/// plain error, as the Go library does (see Error::internal).
std::string_view reason_name(StatusReason reason);

/// The HTTP status code upstream pairs with each reason (BadRequest → 400, Invalid → 422 …).
int reason_code(StatusReason reason);

struct Error {
  StatusReason reason = StatusReason::InternalError;
  int code = 500;
  std::string message;
  /// Optional field path (Status.details.causes[0].field), e.g. "items[3].value".
  std::string field;

  static Error bad_request(std::string message);
  static Error not_found(std::string message);
  /// The router's answer for an unknown path (apiserver's NewNotFound for routes).
  static Error route_not_found();
  static Error method_not_allowed();
  static Error not_acceptable(std::string message);
  static Error too_large(std::string message);
  static Error unsupported_media_type(std::string message);
  static Error invalid(std::string field, std::string message);
  static Error internal(std::string message);
  static Error unavailable(std::string message);

  /// Upstream: custom-metrics-apiserver pkg/provider/errors.go NewMetricNotFoundError and
  /// NewMetricNotFoundForError / NewMetricNotFoundForSelectorError.
  static Error metric_not_found(std::string_view group_resource, std::string_view metric);
  static Error metric_not_found_for(std::string_view group_resource, std::string_view metric,
                                    std::string_view name);
  static Error metric_not_found_for_selector(std::string_view group_resource,
                                             std::string_view metric, std::string_view name,
                                             std::string_view selector);

  /// Prefixes the message with context ("items[2]: "), keeping reason and code.
  [[nodiscard]] Error with_context(std::string_view prefix) const;
};

/// metav1.Status JSON for an error: {"kind":"Status","apiVersion":"v1","metadata":{},...}.
std::string to_status_json(const Error& error);

template <class T>
using Result = tl::expected<T, Error>;

/// Shorthand for returning an error from a function that returns Result<T>.
inline tl::unexpected<Error> fail(Error e) { return tl::unexpected<Error>(std::move(e)); }

}  // namespace kscale::core

#include "core/errors.h"

#include <boost/json.hpp>

namespace kscale::core {

std::string_view reason_name(StatusReason reason) {
  switch (reason) {
    case StatusReason::BadRequest:
      return "BadRequest";
    case StatusReason::Unauthorized:
      return "Unauthorized";
    case StatusReason::Forbidden:
      return "Forbidden";
    case StatusReason::NotFound:
      return "NotFound";
    case StatusReason::MethodNotAllowed:
      return "MethodNotAllowed";
    case StatusReason::NotAcceptable:
      return "NotAcceptable";
    case StatusReason::RequestEntityTooLarge:
      return "RequestEntityTooLarge";
    case StatusReason::UnsupportedMediaType:
      return "UnsupportedMediaType";
    case StatusReason::Invalid:
      return "Invalid";
    case StatusReason::InternalError:
      return "InternalError";
    case StatusReason::ServiceUnavailable:
      return "ServiceUnavailable";
    case StatusReason::Timeout:
      return "Timeout";
  }
  return "InternalError";
}

int reason_code(StatusReason reason) {
  switch (reason) {
    case StatusReason::BadRequest:
      return 400;
    case StatusReason::Unauthorized:
      return 401;
    case StatusReason::Forbidden:
      return 403;
    case StatusReason::NotFound:
      return 404;
    case StatusReason::MethodNotAllowed:
      return 405;
    case StatusReason::NotAcceptable:
      return 406;
    case StatusReason::RequestEntityTooLarge:
      return 413;
    case StatusReason::UnsupportedMediaType:
      return 415;
    case StatusReason::Invalid:
      return 422;
    case StatusReason::InternalError:
      return 500;
    case StatusReason::ServiceUnavailable:
      return 503;
    case StatusReason::Timeout:
      return 504;
  }
  return 500;
}

namespace {
Error make(StatusReason reason, std::string message, std::string field = {}) {
  return Error{reason, reason_code(reason), std::move(message), std::move(field)};
}
}  // namespace

Error Error::bad_request(std::string message) {
  return make(StatusReason::BadRequest, std::move(message));
}
Error Error::not_found(std::string message) {
  return make(StatusReason::NotFound, std::move(message));
}
Error Error::route_not_found() {
  return make(StatusReason::NotFound, "the server could not find the requested resource");
}
Error Error::method_not_allowed() {
  return make(StatusReason::MethodNotAllowed,
              "the server does not allow this method on the requested resource");
}
Error Error::not_acceptable(std::string message) {
  return make(StatusReason::NotAcceptable, std::move(message));
}
Error Error::too_large(std::string message) {
  return make(StatusReason::RequestEntityTooLarge, std::move(message));
}
Error Error::unsupported_media_type(std::string message) {
  return make(StatusReason::UnsupportedMediaType, std::move(message));
}
// Upstream returns 422 Invalid for object validation; the push API answers 400 for bad input
// (push-api.md), so Invalid carries the field path but is sent with code 400.
Error Error::invalid(std::string field, std::string message) {
  Error e = make(StatusReason::BadRequest, std::move(message), std::move(field));
  return e;
}
Error Error::internal(std::string message) {
  return make(StatusReason::InternalError, std::move(message));
}
Error Error::unavailable(std::string message) {
  return make(StatusReason::ServiceUnavailable, std::move(message));
}

Error Error::metric_not_found(std::string_view gr, std::string_view metric) {
  return not_found("the server could not find the metric " + std::string(metric) + " for " +
                   std::string(gr));
}
Error Error::metric_not_found_for(std::string_view gr, std::string_view metric,
                                  std::string_view name) {
  return not_found("the server could not find the metric " + std::string(metric) + " for " +
                   std::string(gr) + " " + std::string(name));
}
Error Error::metric_not_found_for_selector(std::string_view gr, std::string_view metric,
                                           std::string_view name, std::string_view selector) {
  return not_found("the server could not find the metric " + std::string(metric) + " for " +
                   std::string(gr) + " " + std::string(name) + " with selector " +
                   std::string(selector));
}

Error Error::with_context(std::string_view prefix) const {
  Error e = *this;
  e.message = std::string(prefix) + ": " + message;
  return e;
}

std::string to_status_json(const Error& error) {
  boost::json::object o;
  o["kind"] = "Status";
  o["apiVersion"] = "v1";
  o["metadata"] = boost::json::object();
  o["status"] = "Failure";
  o["message"] = error.message;
  o["reason"] = reason_name(error.reason);
  if (!error.field.empty()) {
    boost::json::object cause{{"reason", "FieldValueInvalid"},
                              {"message", error.message},
                              {"field", error.field}};
    o["details"] = boost::json::object{{"causes", boost::json::array{cause}}};
  } else if (error.code == 404 &&
             error.message == "the server could not find the requested resource") {
    o["details"] = boost::json::object();
  }
  o["code"] = error.code;
  return boost::json::serialize(o);
}

}  // namespace kscale::core

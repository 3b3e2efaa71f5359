#include "net/http_types.h"

namespace kscale::net {

Response json_response(std::string body, http::status status) {
  Response res{status, 11};
  res.set(http::field::content_type, "application/json");
  res.body() = std::move(body);
  return res;
}

Response text_response(std::string body, http::status status, std::string_view content_type) {
  Response res{status, 11};
  res.set(http::field::content_type, content_type);
  res.body() = std::move(body);
  return res;
}

Response error_response(const core::Error& error) {
  return json_response(core::to_status_json(error), static_cast<http::status>(error.code));
}

}  // namespace kscale::net

#include "kube/detail/api_status.h"

#include <boost/json/parse.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

namespace kscale::kube::detail {

core::Error answer_error(const net::Response& response, std::string_view what) {
  const int code = static_cast<int>(response.result_int());
  std::string message = response.body();
  boost::system::error_code ec;
  const auto status = boost::json::parse(response.body(), ec);
  if (!ec && status.is_object()) {
    if (const auto* m = status.as_object().if_contains("message"); m != nullptr && m->is_string()) {
      message = std::string(m->get_string());
    }
  }
  if (message.empty()) {
    message = "HTTP " + std::to_string(code);
  }
  core::Error e = code == 503 ? core::Error::unavailable(std::string(what) + ": " + message)
                              : core::Error::internal(std::string(what) + ": " + message);
  e.code = code;
  return e;
}

std::string query_value(std::string_view value) {
  return boost::urls::encode(value, boost::urls::unreserved_chars);
}

}  // namespace kscale::kube::detail

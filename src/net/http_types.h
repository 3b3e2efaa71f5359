#pragma once
// The HTTP request and response types every handler sees, and the constructors for the
// responses kscale sends (JSON, text, Kubernetes Status).

#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "core/errors.h"

namespace kscale::net {

namespace http = boost::beast::http;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

/// 200 (or `status`) with Content-Type: application/json.
Response json_response(std::string body, http::status status = http::status::ok);
/// Content-Type: text/plain; charset=utf-8.
Response text_response(std::string body, http::status status = http::status::ok,
                       std::string_view content_type = "text/plain; charset=utf-8");
/// A metav1.Status body whose code is the HTTP status (the one place errors become HTTP).
Response error_response(const core::Error& error);

}  // namespace kscale::net

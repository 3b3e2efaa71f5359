#pragma once
// detail::fetch_all: HTTP/1.1 and HTTPS GETs with a deadline, run concurrently on a private
// io_context and awaited by the (synchronous) control loop: readiness probes and metrics-API reads.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.h"
#include "net/http_types.h"

namespace boost::asio::ssl {
class context;
}

namespace kscale::autoscaler::detail {

struct FetchRequest {
  std::string host;    // an IP literal or a name
  uint16_t port = 0;
  std::string target;  // path and query
  /// Null for plain HTTP; otherwise the client context (verification mode, trusted CAs).
  std::shared_ptr<boost::asio::ssl::context> tls;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{5'000};
};

/// A client TLS context: verifies the server against `ca_file` (PEM), or the system store when
/// empty, unless `insecure_skip_verify`. Errors name the file and OpenSSL's reason.
[[nodiscard]] core::Result<std::shared_ptr<boost::asio::ssl::context>> make_client_tls_context(
    const std::string& ca_file, bool insecure_skip_verify);

/// Runs every request at once and returns when all have answered or timed out, in order. Any
/// HTTP status is a response; connection failures are ServiceUnavailable errors worded like Go's
/// net/http ("Get \"https://127.0.0.1:6443/apis\": dial tcp 127.0.0.1:6443: connect: connection
/// refused"). Blocks the calling thread.
std::vector<core::Result<net::Response>> fetch_all(std::vector<FetchRequest> requests);

}  // namespace kscale::autoscaler::detail

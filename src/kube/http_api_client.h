#pragma once
// kube::HttpApiClient: the kube::ApiClient over net::HttpConnection — a small pool of kept-alive
// connections to one API server (watches hold one for minutes while lists and reviews go on),
// bearer token with a re-read after a 401, client-side rate limit.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "core/clock.h"
#include "kube/api_client.h"
#include "kube/cluster_connection.h"
#include "kube/rate_limiter.h"

namespace kscale::kube {

struct ApiClientOptions {
  /// client-go's rest.Config QPS/Burst. kscale: 20/40 for the list/watch client (--client-qps,
  /// --client-burst), 200/400 for the TokenReview/SubjectAccessReview client (upstream's
  /// delegating authn/authz clients). qps ≤ 0: no limit.
  double qps = 20;
  int burst = 40;
  /// Idle connections kept for reuse; more are opened while all are busy and closed when
  /// returned to a full pool.
  std::size_t max_idle_connections = 4;
  std::string user_agent = "kscale/0.1";
};

/// Every request carries `Authorization: Bearer <token>` (when the connection has a token),
/// `Accept: application/json` unless the caller sets Accept (PartialObjectMetadata lists), and
/// `Content-Type: application/json` with a body unless set. A 401 makes the token source discard
/// the token the request used; if that yields another token the request is sent once more
/// (client-go resets the token on 401; the retry saves a failed review after a rotation).
/// Requests (not streams) wait for the rate limiter first. Targets are relative to the server
/// URL's path prefix.
///
/// Thread-safe: request() and stream() may run concurrently from coroutines on any executor.
/// The clock and everything in `connection` must outlive the client; the client must outlive
/// its requests.
class HttpApiClient final : public ApiClient {
 public:
  HttpApiClient(boost::asio::any_io_executor executor, ClusterConnection connection,
                ApiClientOptions options, const core::Clock& clock);
  ~HttpApiClient() override;
  HttpApiClient(const HttpApiClient&) = delete;
  HttpApiClient& operator=(const HttpApiClient&) = delete;

  // kube::ApiClient
  boost::asio::awaitable<core::Result<net::Response>> request(net::http::verb verb,
                                                              std::string target, std::string body,
                                                              net::RequestOptions options) override;
  boost::asio::awaitable<core::Result<net::Response>> stream(std::string target,
                                                             net::RequestOptions options,
                                                             BodySink sink) override;

  /// net::HttpConnection objects the pool has created so far (each keeps its socket open across
  /// requests): 1 while requests never overlap (a figure for tests and metrics).
  uint64_t connections_created() const;

 private:
  class Lease;
  std::unique_ptr<net::HttpConnection> checkout();
  void give_back(std::unique_ptr<net::HttpConnection> connection);
  /// After a 401 answered to a request sent with `used`: the re-read token to send it once more
  /// with, or nullopt (not a 401, a fixed token, or the same token again).
  std::optional<BearerToken> token_for_retry(const core::Result<net::Response>& response,
                                             const BearerToken& used);
  net::RequestOptions with_headers(net::RequestOptions options, const BearerToken& token,
                                   bool has_body) const;

  boost::asio::any_io_executor executor_;
  ClusterConnection connection_;
  ApiClientOptions options_;
  std::string prefix_;  // the server URL's path without its trailing '/'
  RateLimiter limiter_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<net::HttpConnection>> idle_;
  uint64_t created_ = 0;
};

}  // namespace kscale::kube

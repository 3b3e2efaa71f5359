#pragma once
// kube::ApiClient: requests to one Kubernetes API server — the seam between what talks to the
// cluster (the reflector, discovery, TokenReview and SubjectAccessReview) and the transport
// (kube::HttpApiClient over net::HttpConnection; a fake in tests/fakes/ for unit tests).

#include <functional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "core/errors.h"
#include "net/http_client.h"
#include "net/http_types.h"

namespace kscale::kube {

/// Receives a streamed body piece by piece as it arrives (no chunk or line boundary is
/// meaningful); an error ends the stream and becomes the stream's result.
using BodySink = std::function<core::Result<void>(std::string_view piece)>;

class ApiClient {
 public:
  virtual ~ApiClient() = default;

  /// Sends `verb target` (path and query, e.g. "/api/v1/pods?limit=500") with `body` (JSON when not
  /// empty) and returns the whole answer, whatever its HTTP status. Credentials, rate limits and
  /// the token re-read after a 401 are the client's business. Errors: the transport failed.
  virtual boost::asio::awaitable<core::Result<net::Response>> request(
      net::http::verb verb, std::string target, std::string body, net::RequestOptions options) = 0;

  /// A GET whose body is handed to `sink` as it arrives (a watch): completes when the body ends,
  /// the server closes, the sink fails or the operation is cancelled, with the response head (its
  /// body empty when the status was 200; the whole error body otherwise). Exempt from the rate
  /// limit, as client-go exempts watches. `options.timeout` bounds connecting and the head only.
  virtual boost::asio::awaitable<core::Result<net::Response>> stream(std::string target,
                                                                     net::RequestOptions options,
                                                                     BodySink sink) = 0;
};

}  // namespace kscale::kube

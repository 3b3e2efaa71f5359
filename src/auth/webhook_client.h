#pragma once
// auth::post_webhook: one POST of a TokenReview or SubjectAccessReview to the kube-apiserver as
// k8s.io/apiserver's delegated authenticator and authorizer send it — client-go's error for a
// failed answer and the webhook retry with exponential backoff (pkg/util/webhook).

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "core/clock.h"
#include "core/errors.h"
#include "kube/api_client.h"

namespace kscale::auth {

/// Upstream: k8s.io/apimachinery wait.Backoff as webhook.DefaultRetryBackoffWithInitialDelay
/// (500ms) fills it: the n-th wait is initial·factorⁿ plus up to jitter·that, `steps` tries.
struct WebhookBackoff {
  std::chrono::nanoseconds initial{std::chrono::milliseconds{500}};
  double factor = 1.5;
  double jitter = 0.2;
  int steps = 5;
};

/// Waits `d`; the default (empty) waits on a steady_timer of the current executor. Tests pass one
/// that records the waits and returns at once.
using Sleep = std::function<boost::asio::awaitable<void>(std::chrono::nanoseconds d)>;

struct WebhookOptions {
  /// Per try, as client-go's rest.Config.Timeout: bounds each try and is sent as `?timeout=`
  /// (rest.Request.timeout → the "timeout" query parameter). Zero = none, as the delegated
  /// authenticator's client (then `deadline`, else the net client's default, bounds a try).
  std::chrono::milliseconds timeout{10'000};
  /// The whole call, waits and retries included, as a context.WithTimeout around the backoff
  /// (the token webhook's requestTimeout); not sent. Zero = none. Measured on `clock`.
  std::chrono::milliseconds deadline{0};
  /// Required when `deadline` is set; must outlive the call.
  const core::Clock* clock = nullptr;
  WebhookBackoff backoff;
  Sleep sleep;
  /// Uniform in [0, 1) for the jitter; empty = a thread-local PRNG.
  std::function<double()> random;
};

/// POSTs `body` (JSON) to `path` (+ "?timeout=<timeout as a Go duration>" when a timeout is set)
/// and returns the body of a 2xx answer. A failed try is retried, after the backoff's wait, while
/// the deadline (if any) leaves room for the wait and while it is retriable as
/// upstream's DefaultShouldRetry judges: a connection reset, a Status reason InternalError,
/// Timeout, TooManyRequests or ServerTimeout (a bare 500, 504 and 429 map to those), or a retry
/// delay (Retry-After / details.retryAfterSeconds). Errors: the last try's error with
/// client-go's text — the Status message of a Status body, else the generic message for the code
/// followed by " (post <qualified resource>)" — or the transport's message. Thread-safe if
/// `client` is.
boost::asio::awaitable<core::Result<std::string>> post_webhook(kube::ApiClient& client,
                                                               std::string_view path,
                                                               std::string_view qualified_resource,
                                                               std::string body,
                                                               const WebhookOptions& options);

/// Go's time.Duration.String() of a whole number of milliseconds ("10s", "500ms", "1m30s").
std::string go_duration_string(std::chrono::milliseconds d);

}  // namespace kscale::auth

#pragma once
// auth::post_webhook_review: one TokenReview or SubjectAccessReview POST to the kube-apiserver
// with k8s.io/apiserver's webhook timeout and retry rules (pkg/util/webhook/webhook.go
// WithExponentialBackoff, DefaultShouldRetry; DefaultAuthWebhookRetryBackoff).

#include <chrono>
#include <functional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "core/clock.h"
#include "core/errors.h"
#include "kube/api_client.h"
#include "net/http_types.h"

namespace kscale::auth {

struct WebhookRetry {
  /// The whole budget, retries included (upstream's 10 s request timeout is a context deadline
  /// around the backoff loop).
  std::chrono::milliseconds timeout{10'000};
  std::chrono::milliseconds initial_delay{500};
  double factor = 1.5;
  double jitter = 0.2;  // each delay is d + rand[0,1) * jitter * d
  int tries = 5;
  /// Waits between tries; null = an Asio steady_timer. Tests record the delays instead.
  std::function<boost::asio::awaitable<void>(std::chrono::milliseconds)> sleep;
};

/// POSTs `body` (JSON) to `target` and returns the answer. Retries on a connection reset, 500,
/// 504, 429 or any answer with Retry-After, up to `retry.tries` tries within `retry.timeout`;
/// the result is the last answer (any status) or the last transport error. `client` must outlive
/// the call and accept concurrent requests; `clock` measures the budget.
boost::asio::awaitable<core::Result<net::Response>> post_webhook_review(kube::ApiClient* client,
                                                                        std::string target,
                                                                        std::string body,
                                                                        WebhookRetry retry,
                                                                        const core::Clock* clock);

/// Whether an answer or error is one upstream's DefaultShouldRetry retries.
bool should_retry(const core::Result<net::Response>& answer);

}  // namespace kscale::auth

#include "auth/webhook_request.h"

#include <algorithm>
#include <random>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/string.hpp>

#include "net/asio_tokens.h"

namespace kscale::auth {

namespace {

namespace asio = boost::asio;

boost::asio::awaitable<void> timer_sleep(std::chrono::milliseconds delay) {
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(net::use_nothrow);
}

std::chrono::milliseconds jittered(std::chrono::milliseconds delay, double jitter) {
  thread_local std::mt19937 random{std::random_device{}()};
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  // Upstream: k8s.io/apimachinery wait.Jitter: d + rand * maxFactor * d.
  const double ms = static_cast<double>(delay.count()) * (1.0 + unit(random) * jitter);
  return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

}  // namespace

// Upstream: k8s.io/apiserver pkg/util/webhook/webhook.go DefaultShouldRetry: connection reset,
// InternalError (500), Timeout (504), TooManyRequests (429), or a suggested client delay
// (Retry-After).
bool should_retry(const core::Result<net::Response>& answer) {
  if (!answer) {
    const std::string& m = answer.error().message;
    return m.find("reset by peer") != std::string::npos ||
           m.find("connection reset") != std::string::npos;
  }
  const unsigned code = answer->result_int();
  return code == 500 || code == 504 || code == 429 ||
         answer->find(net::http::field::retry_after) != answer->end();
}

boost::asio::awaitable<core::Result<net::Response>> post_webhook_review(kube::ApiClient* client,
                                                                        std::string target,
                                                                        std::string body,
                                                                        WebhookRetry retry,
                                                                        const core::Clock* clock) {
  const auto start = clock->monotonic_now();
  const auto elapsed = [&clock, start] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock->monotonic_now() - start);
  };
  net::RequestOptions options;
  options.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  auto delay = retry.initial_delay;
  core::Result<net::Response> last =
      core::fail(core::Error::unavailable("POST " + target + ": no attempt within the timeout"));
  for (int attempt = 1; attempt <= std::max(1, retry.tries); ++attempt) {
    options.timeout = std::max(std::chrono::milliseconds(1), retry.timeout - elapsed());
    auto answer = co_await client->request(net::http::verb::post, target, body, options);
    last = std::move(answer);
    if (attempt == retry.tries || !should_retry(last)) {
      break;
    }
    const auto wait = jittered(delay, retry.jitter);
    delay = std::chrono::milliseconds(
        static_cast<int64_t>(static_cast<double>(delay.count()) * retry.factor));
    if (elapsed() + wait >= retry.timeout) {
      break;  // the deadline would pass while waiting
    }
    if (retry.sleep) {
      co_await retry.sleep(wait);
    } else {
      co_await timer_sleep(wait);
    }
  }
  co_return last;
}

}  // namespace kscale::auth

#include "auth/webhook_client.h"

#include <charconv>
#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/json_reader.h"
#include "core/text.h"

namespace kscale::auth {

namespace {

namespace asio = boost::asio;
namespace jr = core::json_reader;

// A failed try: client-go's error text and whether DefaultShouldRetry retries it.
struct Failure {
  std::string message;
  bool retriable = false;
};

// Upstream: apimachinery api/errors NewGenericServerResponse — the message and reason client-go
// gives an answer whose body is not a Status.
std::pair<std::string, std::string_view> generic_answer(int code,
                                                        const std::string& server_message) {
  switch (code) {
    case 400:
      return {"the server rejected our request for an unknown reason", "BadRequest"};
    case 401:
      return {"the server has asked for the client to provide credentials", "Unauthorized"};
    case 403:
      return {server_message, "Forbidden"};
    case 404:
      return {"the server could not find the requested resource", "NotFound"};
    case 405:
      return {"the server does not allow this method on the requested resource",
              "MethodNotAllowed"};
    case 409:
      return {"the server reported a conflict", "AlreadyExists"};
    case 422:
      return {"the server rejected our request due to an error in our request", "Invalid"};
    case 429:
      return {"the server has received too many requests and has asked us to try again later",
              "TooManyRequests"};
    case 503:
      return {"the server is currently unable to handle the request", "ServiceUnavailable"};
    case 504:
      return {
          "the server was unable to return a response in the time allotted, but may still be "
          "processing the request",
          "Timeout"};
    default:
      break;
  }
  if (code >= 500) {
    std::string quoted = boost::json::serialize(boost::json::value(server_message));
    return {"an error on the server (" + quoted + ") has prevented the request from succeeding",
            "InternalError"};
  }
  return {"the server responded with the status code " + std::to_string(code) +
              " but did not return more information",
          ""};
}

// Upstream: DefaultShouldRetry — IsInternalError, IsTimeout, IsTooManyRequests, SuggestsClientDelay.
bool retriable(std::string_view reason, int code, int64_t retry_after_seconds) {
  return reason == "InternalError" || reason == "Timeout" || reason == "TooManyRequests" ||
         code == 429 || reason == "ServerTimeout" || retry_after_seconds > 0;
}

// A Status body with status "Failure" (client-go Result.Error), if the body is one.
std::optional<Failure> status_failure(const std::string& body, int http_code) {
  boost::system::error_code ec;
  const auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object() || v.as_object().if_contains("kind") == nullptr ||
      *v.as_object().if_contains("kind") != "Status") {
    return std::nullopt;
  }
  const auto text = [&](std::string_view key, const boost::json::value& from) -> std::string {
    const auto* m = jr::member(from, key);
    return m && m->is_string() ? std::string(m->as_string()) : std::string();
  };
  if (text("status", v) != "Failure") {
    return std::nullopt;
  }
  int64_t code = http_code;
  if (const auto* c = jr::member(v, "code"); c && c->is_int64()) {
    code = c->as_int64();
  }
  int64_t retry_after = 0;
  if (const auto* d = jr::member(v, "details")) {
    if (const auto* r = jr::member(*d, "retryAfterSeconds"); r && r->is_int64()) {
      retry_after = r->as_int64();
    }
  }
  return Failure{text("message", v),
                 retriable(text("reason", v), static_cast<int>(code), retry_after)};
}

// Upstream: client-go rest.Request transformResponse / newUnstructuredResponseError.
Failure answer_failure(const net::Response& res, std::string_view qualified_resource) {
  const int code = static_cast<int>(res.result_int());
  if (auto failure = status_failure(res.body(), code)) {
    return std::move(*failure);
  }
  std::string server_message = "unknown";
  if (std::string_view(res[net::http::field::content_type]).starts_with("text/")) {
    server_message = std::string(core::trim_space(std::string_view(res.body()).substr(0, 2048)));
  }
  int64_t retry_after = 0;
  const std::string_view header = res[net::http::field::retry_after];
  std::from_chars(header.data(), header.data() + header.size(), retry_after);
  auto [message, reason] = generic_answer(code, server_message);
  return Failure{message + " (post " + std::string(qualified_resource) + ")",
                 retriable(reason, code, retry_after)};
}

// A cancelled wait ends early without an exception; the caller looks at the cancellation state.
asio::awaitable<void> timer_sleep(std::chrono::nanoseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

double thread_random() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

}  // namespace

std::string go_duration_string(std::chrono::milliseconds d) {
  int64_t ms = d.count();
  if (ms == 0) {
    return "0s";
  }
  std::string sign = ms < 0 ? "-" : "";
  ms = ms < 0 ? -ms : ms;
  if (ms < 1000) {
    return sign + std::to_string(ms) + "ms";
  }
  std::string out = sign;
  const int64_t h = ms / 3'600'000;
  const int64_t m = ms / 60'000 % 60;
  if (h > 0) {
    out += std::to_string(h) + "h";
  }
  if (h > 0 || m > 0) {
    out += std::to_string(m) + "m";
  }
  out += std::to_string(ms / 1000 % 60);
  if (const int64_t frac = ms % 1000; frac != 0) {
    std::string f = std::to_string(1000 + frac).substr(1);
    while (f.back() == '0') {
      f.pop_back();
    }
    out += "." + f;
  }
  return out + "s";
}

// Upstream: k8s.io/apiserver pkg/util/webhook WithExponentialBackoff over apimachinery's
// wait.ExponentialBackoffWithContext: `steps` tries, a wait before each but the first; the last
// try's error is returned, also when the context (here `deadline`) ends during a wait — which
// this loop sees coming and returns at once.
asio::awaitable<core::Result<std::string>> post_webhook(kube::ApiClient& client,
                                                        std::string_view path,
                                                        std::string_view qualified_resource,
                                                        std::string body,
                                                        const WebhookOptions& options) {
  std::string target(path);
  if (options.timeout.count() > 0) {
    // Upstream: client-go rest.Request sends a non-zero timeout as the "timeout" parameter.
    target += "?timeout=" + go_duration_string(options.timeout);
  }
  const bool bounded = options.deadline.count() > 0 && options.clock != nullptr;
  const auto start = bounded ? options.clock->monotonic_now() : core::MonotonicTime{};
  const auto left = [&]() -> std::chrono::nanoseconds {
    return bounded ? options.deadline - (options.clock->monotonic_now() - start)
                   : std::chrono::nanoseconds::max();
  };
  net::RequestOptions request_options;
  request_options.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  const auto per_try = options.timeout.count() > 0 ? options.timeout : request_options.timeout;
  auto wait = options.backoff.initial;
  Failure last{"webhook call failed: context deadline exceeded"};
  for (int step = 0; step < std::max(options.backoff.steps, 1); ++step) {
    if (step > 0) {
      const double r = options.random ? options.random() : thread_random();
      const auto jittered = wait + std::chrono::duration_cast<std::chrono::nanoseconds>(
                                       wait * (options.backoff.jitter * r));
      wait = std::chrono::duration_cast<std::chrono::nanoseconds>(wait * options.backoff.factor);
      if (jittered >= left()) {
        break;
      }
      // Not a conditional expression: GCC 12 destroys a co_await'ed conditional's temporary twice.
      if (options.sleep) {
        co_await options.sleep(jittered);
      } else {
        co_await timer_sleep(jittered);
      }
      // Upstream: ExponentialBackoffWithContext stops when the context is done.
      if ((co_await asio::this_coro::cancellation_state).cancelled() !=
          asio::cancellation_type::none) {
        break;
      }
    }
    if (left() <= std::chrono::nanoseconds::zero()) {
      break;
    }
    // A try ends at the deadline (the context's) if that comes before its own timeout.
    request_options.timeout =
        bounded ? std::min(per_try, std::chrono::ceil<std::chrono::milliseconds>(left())) : per_try;
    auto res = co_await client.request(net::http::verb::post, target, body, request_options);
    if (res && res->result_int() >= 200 && res->result_int() <= 206) {
      co_return std::move(res->body());
    }
    last = res ? answer_failure(*res, qualified_resource)
               : Failure{res.error().message,
                         // Upstream: utilnet.IsConnectionReset (ECONNRESET).
                         res.error().message.find("Connection reset by peer") != std::string::npos};
    if (!last.retriable) {
      break;
    }
  }
  co_return core::fail(core::Error::internal(std::move(last.message)));
}

}  // namespace kscale::auth

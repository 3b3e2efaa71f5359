#include "auth/webhook_client.h"

#include <chrono>
#include <future>
#include <string>
#include <vector>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "fakes/fake_api_client.h"
#include "support/run_awaitable.h"

namespace kscale::auth {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kPath = "/apis/authorization.k8s.io/v1/subjectaccessreviews";
constexpr std::string_view kResource = "subjectaccessreviews.authorization.k8s.io";

net::Response answer(net::http::status status, std::string body,
                     std::string_view content_type = "application/json") {
  return net::text_response(std::move(body), status, content_type);
}

class WebhookClientTest : public ::testing::Test {
 protected:
  WebhookClientTest() {
    options.sleep = [this](std::chrono::nanoseconds d) -> boost::asio::awaitable<void> {
      waits.push_back(d);
      co_return;
    };
    options.random = [] { return 0.5; };
  }

  core::Result<std::string> post() {
    return testing::run_awaitable(ioc, post_webhook(client, kPath, kResource, "{}", options));
  }

  boost::asio::io_context ioc;
  fakes::FakeApiClient client;
  WebhookOptions options;
  std::vector<std::chrono::nanoseconds> waits;
};

TEST_F(WebhookClientTest, PostsJsonWithTheTimeoutParameterAndReturnsA2xxBody) {
  client.answer = [](const auto&) { return answer(net::http::status::created, "{\"ok\":1}"); };
  auto body = post();
  ASSERT_TRUE(body);
  EXPECT_EQ(*body, "{\"ok\":1}");
  ASSERT_EQ(client.sent.size(), 1u);
  EXPECT_EQ(client.sent[0].verb, net::http::verb::post);
  EXPECT_EQ(client.sent[0].target, std::string(kPath) + "?timeout=10s");
  EXPECT_EQ(client.sent[0].body, "{}");
  EXPECT_TRUE(waits.empty());
}

// Upstream: webhook.DefaultRetryBackoffWithInitialDelay(500ms) — 5 tries, waits 500ms·1.5ⁿ plus
// jitter·random of it (random fixed at 0.5 here: +10 %).
TEST_F(WebhookClientTest, RetriesA500FiveTimesWithExponentialJitteredWaits) {
  client.answer = [](const auto&) {
    return answer(net::http::status::internal_server_error, "boom", "text/plain");
  };
  auto body = post();
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().message,
            "an error on the server (\"boom\") has prevented the request from succeeding "
            "(post subjectaccessreviews.authorization.k8s.io)");
  EXPECT_EQ(client.sent.size(), 5u);
  const std::vector<std::chrono::nanoseconds> expected{550ms, 825ms, 1'237'500us, 1'856'250us};
  EXPECT_EQ(waits, expected);
}

TEST_F(WebhookClientTest, RetriesUntilASuccess) {
  int calls = 0;
  client.answer = [&](const auto&) {
    return ++calls < 3 ? answer(net::http::status::gateway_timeout, "")
                       : answer(net::http::status::created, "{}");
  };
  EXPECT_TRUE(post());
  EXPECT_EQ(client.sent.size(), 3u);
  EXPECT_EQ(waits.size(), 2u);
}

TEST_F(WebhookClientTest, RetriesTooManyRequestsRetryAfterAndConnectionReset) {
  const std::vector<std::function<core::Result<net::Response>()>> retried = {
      [] { return answer(net::http::status::too_many_requests, ""); },
      [] {
        auto res = answer(net::http::status::service_unavailable, "");
        res.set(net::http::field::retry_after, "1");
        return res;
      },
      [] {
        return answer(
            net::http::status::service_unavailable,
            R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":"m","reason":"ServiceUnavailable","details":{"retryAfterSeconds":2},"code":503})");
      },
      [] {
        return core::Result<net::Response>(core::fail(
            core::Error::unavailable("POST https://k:6443/apis: read: Connection reset by peer")));
      },
  };
  for (size_t i = 0; i < retried.size(); ++i) {
    SCOPED_TRACE(i);
    client.sent.clear();
    client.answer = [&](const auto&) { return retried[i](); };
    EXPECT_FALSE(post());
    EXPECT_EQ(client.sent.size(), 5u);
  }
}

TEST_F(WebhookClientTest, DoesNotRetryOtherFailures) {
  const std::vector<std::function<core::Result<net::Response>()>> final_answers = {
      [] {
        return answer(
            net::http::status::forbidden,
            R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"subjectaccessreviews.authorization.k8s.io is forbidden: User \"x\" cannot create resource \"subjectaccessreviews\"","reason":"Forbidden","code":403})");
      },
      [] { return answer(net::http::status::service_unavailable, ""); },
      [] { return answer(net::http::status::unauthorized, ""); },
      [] {
        return core::Result<net::Response>(core::fail(
            core::Error::unavailable("POST https://k:6443/apis: connect: Connection refused")));
      },
  };
  const std::vector<std::string> messages = {
      "subjectaccessreviews.authorization.k8s.io is forbidden: User \"x\" cannot create resource "
      "\"subjectaccessreviews\"",
      "the server is currently unable to handle the request (post "
      "subjectaccessreviews.authorization.k8s.io)",
      "the server has asked for the client to provide credentials (post "
      "subjectaccessreviews.authorization.k8s.io)",
      "POST https://k:6443/apis: connect: Connection refused",
  };
  for (size_t i = 0; i < final_answers.size(); ++i) {
    SCOPED_TRACE(i);
    client.sent.clear();
    client.answer = [&](const auto&) { return final_answers[i](); };
    auto body = post();
    ASSERT_FALSE(body);
    EXPECT_EQ(body.error().message, messages[i]);
    EXPECT_EQ(client.sent.size(), 1u);
  }
  EXPECT_TRUE(waits.empty());
}

// Upstream: ExponentialBackoffWithContext returns when the context is done.
TEST_F(WebhookClientTest, CancellationDuringAWaitEndsTheRetries) {
  boost::asio::cancellation_signal signal;
  options.sleep = [&](std::chrono::nanoseconds) -> boost::asio::awaitable<void> {
    signal.emit(boost::asio::cancellation_type::terminal);
    co_return;
  };
  client.answer = [](const auto&) { return answer(net::http::status::too_many_requests, ""); };
  // The thread does not throw on cancellation, so the result of the review itself arrives.
  auto task = [&]() -> boost::asio::awaitable<core::Result<std::string>> {
    co_await boost::asio::this_coro::throw_if_cancelled(false);
    co_return co_await post_webhook(client, kPath, kResource, "{}", options);
  };
  auto result = boost::asio::co_spawn(
      ioc, task(), boost::asio::bind_cancellation_slot(signal.slot(), boost::asio::use_future));
  ioc.run_for(std::chrono::seconds(30));
  ASSERT_EQ(result.wait_for(0s), std::future_status::ready);
  auto body = result.get();
  ASSERT_FALSE(body);
  EXPECT_EQ(client.sent.size(), 1u);
}

// Upstream: DefaultShouldRetry's SuggestsClientDelay — client-go puts a Retry-After header of
// any answer into the error's details.retryAfterSeconds, so even a 403 with one is retried.
TEST_F(WebhookClientTest, RetriesRetriableAnswersUntilOneIsNot) {
  std::vector<net::Response> answers{answer(net::http::status::too_many_requests, ""),
                                     answer(net::http::status::gateway_timeout, ""),
                                     answer(net::http::status::forbidden, ""),
                                     answer(net::http::status::created, "{}")};
  answers[2].set(net::http::field::retry_after, "1");
  client.answer = [&answers, next = size_t{0}](const auto&) mutable { return answers.at(next++); };
  EXPECT_TRUE(post());
  EXPECT_EQ(client.sent.size(), 4u);
}

// Upstream: the token webhook's requestTimeout is a context deadline around the whole retry and
// its client has no timeout of its own (so no ?timeout=): a try gets what is left, and the
// retry stops when the next wait would end past the deadline, with the last try's error.
TEST_F(WebhookClientTest, ADeadlineBoundsTheWholeRetry) {
  core::ManualClock clock;
  options.timeout = 0ms;
  options.deadline = 10s;
  options.clock = &clock;
  options.sleep = [&](std::chrono::nanoseconds d) -> boost::asio::awaitable<void> {
    waits.push_back(d);
    clock.advance(d);
    co_return;
  };
  client.answer = [&clock](const auto&) {
    clock.advance(4s);  // each try takes 4 s
    return answer(net::http::status::internal_server_error, "boom", "text/plain");
  };
  EXPECT_FALSE(post());
  // 4 s, wait 0.55 s, 4 s, wait 0.825 s, the third try with the 0.625 s left; the next wait
  // would end past the deadline.
  ASSERT_EQ(client.sent.size(), 3u);
  EXPECT_EQ(client.sent[0].target, kPath);
  EXPECT_EQ(client.sent[0].options.timeout, 10s);
  EXPECT_EQ(client.sent[2].options.timeout, 625ms);
  EXPECT_EQ(waits.size(), 2u);
}

TEST(WebhookClientDurationTest, FormatsAsGoDurationString) {
  EXPECT_EQ(go_duration_string(10s), "10s");
  EXPECT_EQ(go_duration_string(500ms), "500ms");
  EXPECT_EQ(go_duration_string(1500ms), "1.5s");
  EXPECT_EQ(go_duration_string(90s), "1m30s");
  EXPECT_EQ(go_duration_string(3600s), "1h0m0s");
  EXPECT_EQ(go_duration_string(0ms), "0s");
  EXPECT_EQ(go_duration_string(1050ms), "1.05s");
}

}  // namespace
}  // namespace kscale::auth

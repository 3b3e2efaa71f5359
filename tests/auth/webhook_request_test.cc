#include "auth/webhook_request.h"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "fakes/fake_api_client.h"
#include "support/run_awaitable.h"

namespace kscale::auth {
namespace {

using namespace std::chrono_literals;

net::Response answer(unsigned status) {
  net::Response res{static_cast<net::http::status>(status), 11};
  res.body() = "{}";
  return res;
}

// The sleep of these tests: records the delay and moves the clock by it.
boost::asio::awaitable<void> record_delay(std::vector<std::chrono::milliseconds>* delays,
                                          core::ManualClock* clock, std::chrono::milliseconds d) {
  delays->push_back(d);
  clock->advance(d);
  co_return;
}

class WebhookRequestTest : public ::testing::Test {
 protected:
  core::Result<net::Response> post() {
    WebhookRetry retry;
    retry.sleep = [this](std::chrono::milliseconds d) {
      return record_delay(&delays_, &clock_, d);
    };
    return testing::run_awaitable(
        ioc_, post_webhook_review(&client_, "/apis/authentication.k8s.io/v1/tokenreviews", "{}",
                                  retry, &clock_));
  }

  boost::asio::io_context ioc_;
  fakes::FakeApiClient client_;
  core::ManualClock clock_;
  std::vector<std::chrono::milliseconds> delays_;
};

TEST_F(WebhookRequestTest, RetriesAServerErrorFiveTimesWithJitteredBackoff) {
  client_.answer = [](const auto&) { return answer(500); };
  const auto res = post();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 500u);
  EXPECT_EQ(client_.sent.size(), 5u);
  ASSERT_EQ(delays_.size(), 4u);
  // 500 ms ×1.5 per try, each plus up to 20 %.
  const double base[] = {500, 750, 1125, 1687.5};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_GE(delays_[i].count(), static_cast<int64_t>(base[i])) << i;
    EXPECT_LE(delays_[i].count(), static_cast<int64_t>(base[i] * 1.2) + 1) << i;
  }
  EXPECT_EQ(client_.sent[0].verb, net::http::verb::post);
  EXPECT_EQ(client_.sent[0].target, "/apis/authentication.k8s.io/v1/tokenreviews");
}

TEST_F(WebhookRequestTest, RetriesTheRetryableAnswersUntilOneIsNot) {
  std::vector<net::Response> answers{answer(429), answer(504), answer(403), answer(201)};
  answers[2].set(net::http::field::retry_after, "1");  // a Retry-After makes any status retried
  client_.answer = [&answers, next = size_t{0}](const fakes::FakeApiClient::Sent&) mutable {
    return answers.at(next++);
  };
  const auto res = post();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 201u);
  EXPECT_EQ(client_.sent.size(), 4u);
}

TEST_F(WebhookRequestTest, DoesNotRetryAClientErrorOrARefusedConnection) {
  client_.answer = [](const auto&) { return answer(403); };
  ASSERT_TRUE(post());
  EXPECT_EQ(client_.sent.size(), 1u);
  client_.answer = [](const auto&) -> core::Result<net::Response> {
    return core::fail(core::Error::unavailable("POST https://x: connect: Connection refused"));
  };
  EXPECT_FALSE(post());
  EXPECT_EQ(client_.sent.size(), 2u);
}

TEST_F(WebhookRequestTest, RetriesAConnectionResetAndReturnsTheLastError) {
  client_.answer = [](const auto&) -> core::Result<net::Response> {
    return core::fail(core::Error::unavailable("POST https://x: read: Connection reset by peer"));
  };
  const auto res = post();
  ASSERT_FALSE(res);
  EXPECT_NE(res.error().message.find("reset by peer"), std::string::npos);
  EXPECT_EQ(client_.sent.size(), 5u);
}

// The 10 s budget covers the retries: each attempt here takes 4 s of the clock's time.
TEST_F(WebhookRequestTest, StopsRetryingWhenTheTimeoutWouldPass) {
  client_.answer = [this](const auto&) {
    clock_.advance(4s);
    return answer(500);
  };
  EXPECT_TRUE(post());
  // 4 s, wait ~0.5 s, 4 s, wait ~0.8 s (ends before 10 s), the third try with what is left;
  // then the next wait would end past the budget.
  EXPECT_EQ(client_.sent.size(), 3u);
}

}  // namespace
}  // namespace kscale::auth

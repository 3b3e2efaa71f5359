#include "net/http_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>

#include "net/router.h"
#include "net/server.h"

namespace kscale::net {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(HttpClientTest, ParsesHttpUrls) {
  struct Case {
    const char* url;
    const char* host;
    uint16_t port;
    const char* target;
  };
  for (const auto& c : std::vector<Case>{{"http://127.0.0.1:9100/metrics", "127.0.0.1", 9100, "/metrics"},
                                         {"http://example.com/metrics?format=text", "example.com", 80, "/metrics?format=text"},
                                         {"http://localhost:8080", "localhost", 8080, "/"},
                                         {"http://[::1]:9090/a%20b", "::1", 9090, "/a%20b"},
                                         {"HTTP://Host:81/x#frag", "Host", 81, "/x"}}) {
    SCOPED_TRACE(c.url);
    auto u = parse_http_url(c.url);
    ASSERT_TRUE(u) << u.error().message;
    EXPECT_EQ(u->host, c.host);
    EXPECT_EQ(u->port, c.port);
    EXPECT_EQ(u->target, c.target);
    EXPECT_EQ(u->text, c.url);
  }
  for (const char* bad : {"", "/metrics", "127.0.0.1:9100/metrics", "https://a/metrics", "ftp://a/", "http://user:pw@a/",
                          "http:///metrics", "http://a:0/", "http://a:99999/"}) {
    SCOPED_TRACE(bad);
    auto u = parse_http_url(bad);
    ASSERT_FALSE(u);
    EXPECT_EQ(u.error().code, 400);
  }
}

class HttpClientServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto router = std::make_shared<Router>();
    router->add(http::verb::get, "/hello", [](const RequestContext& ctx) -> core::Result<Response> {
      auto res = text_response("hello " + std::string(ctx.request["X-Test"]), http::status::ok, "text/x-test");
      res.set("X-Host", ctx.request[http::field::host]);
      return res;
    });
    router->add(http::verb::get, "/big", [](const RequestContext&) -> core::Result<Response> {
      return text_response(std::string(100'000, 'x'));
    });
    server_ = std::make_unique<Server>(router, Limits{});
    port_ = *server_->listen("127.0.0.1", 0, nullptr);
    thread_ = std::thread([this] { server_->run(1); });
  }
  void TearDown() override {
    server_->stop();
    thread_.join();
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

  // Runs the coroutine on a fresh io_context, bounded in time.
  static core::Result<Response> get(const std::string& url, GetOptions options = {}) {
    asio::io_context ioc;
    auto parsed = parse_http_url(url);
    EXPECT_TRUE(parsed);
    auto future = asio::co_spawn(ioc, http_get(*parsed, std::move(options)), asio::use_future);
    ioc.run_for(std::chrono::seconds(10));
    return future.get();
  }

  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
  std::thread thread_;
};

TEST_F(HttpClientServerTest, ReturnsStatusHeadersAndBody) {
  GetOptions options;
  options.headers = {{"X-Test", "from the client"}};
  auto r = get(url("/hello"), options);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->result(), http::status::ok);
  EXPECT_EQ(r->body(), "hello from the client");
  EXPECT_EQ((*r)[http::field::content_type], "text/x-test");
  EXPECT_EQ((*r)["X-Host"], "127.0.0.1:" + std::to_string(port_));
}

TEST_F(HttpClientServerTest, AnyStatusIsAResponse) {
  auto r = get(url("/nope"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->result(), http::status::not_found);
}

TEST_F(HttpClientServerTest, ResolvesHostNames) {
  auto r = get("http://localhost:" + std::to_string(port_) + "/hello");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->body(), "hello ");
}

TEST_F(HttpClientServerTest, BodyLimit) {
  GetOptions options;
  options.body_limit = 1000;
  auto r = get(url("/big"), options);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("larger than 1000 bytes"));
  EXPECT_EQ(r.error().code, 503);
}

TEST(HttpClientTest, ConnectionRefused) {
  uint16_t closed = 0;
  {
    asio::io_context tmp;
    asio::ip::tcp::acceptor a(tmp, {asio::ip::make_address("127.0.0.1"), 0});
    closed = a.local_endpoint().port();
  }
  asio::io_context ioc;
  const std::string url = "http://127.0.0.1:" + std::to_string(closed) + "/metrics";
  auto future = asio::co_spawn(ioc, http_get(*parse_http_url(url), GetOptions{}), asio::use_future);
  ioc.run_for(std::chrono::seconds(10));
  auto r = future.get();
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, StartsWith("GET " + url + ": connect: "));
}

TEST(HttpClientTest, TimesOutWhenTheServerNeverAnswers) {
  asio::io_context silent_ioc;
  asio::ip::tcp::acceptor silent(silent_ioc, {asio::ip::make_address("127.0.0.1"), 0});  // listens, never reads
  asio::io_context ioc;
  GetOptions options;
  options.timeout = milliseconds(200);
  const std::string url = "http://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/metrics";
  auto future = asio::co_spawn(ioc, http_get(*parse_http_url(url), options), asio::use_future);
  ioc.run_for(std::chrono::seconds(10));
  auto r = future.get();
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("timed out after 200ms"));
}

}  // namespace
}  // namespace kscale::net

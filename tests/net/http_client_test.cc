#include "net/http_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <thread>

#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "net/router.h"
#include "net/server.h"
#include "net/tls.h"

namespace kscale::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
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
  for (const auto& c : std::vector<Case>{
           {"http://127.0.0.1:9100/metrics", "127.0.0.1", 9100, "/metrics"},
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
  for (const char* bad :
       {"", "/metrics", "127.0.0.1:9100/metrics", "https://a/metrics", "ftp://a/",
        "http://user:pw@a/", "http:///metrics", "http://a:0/", "http://a:99999/"}) {
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
      auto res = text_response("hello " + std::string(ctx.request["X-Test"]), http::status::ok,
                               "text/x-test");
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
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

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
  asio::ip::tcp::acceptor silent(silent_ioc,
                                 {asio::ip::make_address("127.0.0.1"), 0});  // listens, never reads
  asio::io_context ioc;
  GetOptions options;
  options.timeout = milliseconds(200);
  const std::string url =
      "http://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/metrics";
  auto future = asio::co_spawn(ioc, http_get(*parse_http_url(url), options), asio::use_future);
  ioc.run_for(std::chrono::seconds(10));
  auto r = future.get();
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("timed out after 200ms"));
}

// A loopback HTTP/1.1 server that runs a script, for what net::Server never does on purpose:
// closing a kept-alive connection, answering half a response. It serves one connection at a
// time (the client under test is sequential) and counts connections and requests.
class ScriptedServer {
 public:
  enum class Then {
    KeepOpen,            // answer, keep the connection
    CloseWithHeader,     // answer with "Connection: close", then close
    CloseSilently,       // answer as if keeping the connection, then close it (an idle timeout)
    CloseUnanswered,     // read the request, close without a byte of answer
    HalfAnswerThenClose  // send part of the status line, then close
  };
  using Script = std::function<Then(int connection, int request)>;

  explicit ScriptedServer(Script script)
      : script_(std::move(script)), acceptor_(ioc_, {asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedServer() {
    stopping_ = true;
    asio::io_context wake;  // unblocks accept()
    asio::ip::tcp::socket s(wake);
    boost::system::error_code ignored;
    s.connect(acceptor_.local_endpoint(), ignored);
    thread_.join();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/m";
  }
  int connections() const { return connections_; }
  int requests() const { return requests_; }

 private:
  void serve() {
    while (true) {
      asio::ip::tcp::socket socket(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (stopping_ || ec) {
        return;
      }
      const int connection = connections_++;
      beast::flat_buffer buffer;
      for (int request = 0;; ++request) {
        http::request<http::string_body> req;
        http::read(socket, buffer, req, ec);
        if (ec) {
          break;
        }
        ++requests_;
        const Then then = script_(connection, request);
        if (then == Then::CloseUnanswered) {
          break;
        }
        if (then == Then::HalfAnswerThenClose) {
          asio::write(socket, asio::buffer(std::string_view("HTTP/1.1 2")), ec);
          break;
        }
        Response res{http::status::ok, 11};
        res.body() =
            "connection " + std::to_string(connection) + " request " + std::to_string(request);
        res.keep_alive(then != Then::CloseWithHeader);
        res.prepare_payload();
        http::write(socket, res, ec);
        if (ec || then != Then::KeepOpen) {
          break;
        }
      }
      socket.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    }
  }

  Script script_;
  asio::io_context ioc_;
  asio::ip::tcp::acceptor acceptor_;
  std::atomic<int> connections_{0};
  std::atomic<int> requests_{0};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// GETs with one HttpConnection, one after another, on one io_context.
std::vector<core::Result<Response>> get_in_turn(HttpConnection& connection, asio::io_context& ioc,
                                                int n, GetOptions options = {}) {
  std::vector<core::Result<Response>> out;
  for (int i = 0; i < n; ++i) {
    auto future = asio::co_spawn(ioc, connection.get(options), asio::use_future);
    ioc.restart();
    ioc.run_for(std::chrono::seconds(10));
    out.push_back(future.get());
  }
  return out;
}

using Then = ScriptedServer::Then;

TEST(HttpConnectionTest, ReusesOneConnectionForConsecutiveGets) {
  ScriptedServer server([](int, int) { return Then::KeepOpen; });
  asio::io_context ioc;
  HttpConnection connection(ioc.get_executor(), *parse_http_url(server.url()));
  auto results = get_in_turn(connection, ioc, 3);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(results[i]) << results[i].error().message;
    EXPECT_EQ(results[i]->body(), "connection 0 request " + std::to_string(i));
  }
  EXPECT_EQ(connection.connections_opened(), 1u);
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpConnectionTest, OpensANewConnectionAfterConnectionClose) {
  ScriptedServer server([](int, int) { return Then::CloseWithHeader; });
  asio::io_context ioc;
  HttpConnection connection(ioc.get_executor(), *parse_http_url(server.url()));
  auto results = get_in_turn(connection, ioc, 2);
  ASSERT_TRUE(results[0] && results[1]);
  EXPECT_EQ(results[1]->body(), "connection 1 request 0");
  EXPECT_EQ(connection.connections_opened(), 2u);
  EXPECT_EQ(server.requests(), 2);  // no request was sent to a connection the server had closed
}

TEST(HttpConnectionTest, RetriesOnceWhenTheServerClosedTheIdleConnection) {
  for (Then close : {Then::CloseSilently, Then::CloseUnanswered}) {
    SCOPED_TRACE(static_cast<int>(close));
    // The first connection answers once and is then closed; later ones stay open.
    ScriptedServer server([close](int connection, int request) {
      if (connection == 0 && request == 1) {
        return close == Then::CloseUnanswered ? close : Then::KeepOpen;
      }
      return connection == 0 && close == Then::CloseSilently ? close : Then::KeepOpen;
    });
    asio::io_context ioc;
    HttpConnection connection(ioc.get_executor(), *parse_http_url(server.url()));
    auto results = get_in_turn(connection, ioc, 3);
    for (const auto& r : results) {
      ASSERT_TRUE(r) << r.error().message;
    }
    EXPECT_EQ(results[1]->body(), "connection 1 request 0");
    EXPECT_EQ(results[2]->body(), "connection 1 request 1");
    EXPECT_EQ(connection.connections_opened(), 2u);
  }
}

TEST(HttpConnectionTest, AResponseCutOffHalfwayIsAnErrorAndIsNotRetried) {
  ScriptedServer server([](int connection, int request) {
    return connection == 0 && request == 1 ? Then::HalfAnswerThenClose : Then::KeepOpen;
  });
  asio::io_context ioc;
  HttpConnection connection(ioc.get_executor(), *parse_http_url(server.url()));
  auto results = get_in_turn(connection, ioc, 3);
  ASSERT_TRUE(results[0]);
  ASSERT_FALSE(results[1]);
  EXPECT_THAT(results[1].error().message, StartsWith("GET " + server.url() + ": read response: "));
  EXPECT_EQ(server.requests(), 3);  // the failed GET went out once; the third used a new connection
  ASSERT_TRUE(results[2]) << results[2].error().message;
  EXPECT_EQ(results[2]->body(), "connection 1 request 0");
}

TEST(HttpConnectionTest, AFreshConnectionClosedUnansweredIsNotRetried) {
  ScriptedServer server([](int, int) { return Then::CloseUnanswered; });
  asio::io_context ioc;
  HttpConnection connection(ioc.get_executor(), *parse_http_url(server.url()));
  auto results = get_in_turn(connection, ioc, 1);
  ASSERT_FALSE(results[0]);
  EXPECT_THAT(results[0].error().message, HasSubstr("read response"));
  EXPECT_EQ(server.requests(), 1);
}

TEST(HttpConnectionTest, ReadsIntoARecycledBody) {
  ScriptedServer server([](int, int) { return Then::KeepOpen; });
  asio::io_context ioc;
  HttpConnection connection(ioc.get_executor(), *parse_http_url(server.url()));
  std::string spare;
  spare.reserve(1 << 20);
  connection.recycle(std::move(spare));
  auto results = get_in_turn(connection, ioc, 1);
  ASSERT_TRUE(results[0]);
  EXPECT_EQ(results[0]->body(), "connection 0 request 0");
  EXPECT_GE(results[0]->body().capacity(), size_t{1} << 20);
}

TEST(HttpConnectionTest, ATimeoutClosesTheConnectionAndTheNextGetOpensANewOne) {
  asio::io_context silent_ioc;
  asio::ip::tcp::acceptor silent(silent_ioc,
                                 {asio::ip::make_address("127.0.0.1"), 0});  // listens, never reads
  asio::io_context ioc;
  const std::string url =
      "http://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/metrics";
  HttpConnection connection(ioc.get_executor(), *parse_http_url(url));
  GetOptions options;
  options.timeout = milliseconds(100);
  auto results = get_in_turn(connection, ioc, 2, options);
  for (const auto& r : results) {
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message, HasSubstr("timed out after 100ms"));
  }
  EXPECT_EQ(connection.connections_opened(), 2u);
}

TEST(HttpConnectionTest, APostOnAReusedConnectionThatTheServerClosedIsNotRetried) {
  // Upstream: Go net/http request.go isReplayable — only GET, HEAD, OPTIONS and TRACE are resent.
  ScriptedServer server([](int connection, int request) {
    return connection == 0 && request == 1 ? Then::CloseUnanswered : Then::KeepOpen;
  });
  asio::io_context ioc;
  HttpConnection connection(ioc.get_executor(), *parse_http_url(server.url()));
  std::vector<core::Result<Response>> results;
  for (int i = 0; i < 2; ++i) {
    auto future = asio::co_spawn(
        ioc, connection.request(http::verb::post, "/m", "{}", RequestOptions{}), asio::use_future);
    ioc.restart();
    ioc.run_for(std::chrono::seconds(10));
    results.push_back(future.get());
  }
  ASSERT_TRUE(results[0]) << results[0].error().message;
  ASSERT_FALSE(results[1]);
  EXPECT_THAT(results[1].error().message, StartsWith("POST http://127.0.0.1:"));
  EXPECT_EQ(server.requests(), 2);
}

TEST(HttpUrlTest, ParsesHttpsUrls) {
  auto u = parse_url("https://127.0.0.1/apis?x=1");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/apis?x=1");
  auto plain = parse_url("http://a:8080");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->tls);
  EXPECT_FALSE(parse_url("ftp://a/"));
}

// The one client against the project's own server, over HTTP (false) and HTTPS (true) with a
// generated self-signed certificate that the client verifies.
class HttpConnectionServerTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    auto router = std::make_shared<Router>();
    router->add(http::verb::get, "/hello", [](const RequestContext&) -> core::Result<Response> {
      return text_response("hello");
    });
    router->add(http::verb::post, "/echo", [](const RequestContext& ctx) -> core::Result<Response> {
      return text_response(std::string(ctx.request.method_string()) + " " + ctx.request.body());
    });
    router->add(http::verb::get, "/moved", [](const RequestContext&) -> core::Result<Response> {
      auto res = text_response("see /hello", http::status::found);
      res.set(http::field::location, "/hello");
      return res;
    });
    router->add(http::verb::get, "/big", [](const RequestContext&) -> core::Result<Response> {
      return text_response(std::string(100'000, 'x'));
    });
    std::shared_ptr<asio::ssl::context> server_tls;
    if (GetParam()) {
      const auto dir = std::filesystem::temp_directory_path() /
                       ("kscale-client-tls-" + std::to_string(::getpid()));
      auto ctx = make_server_tls_context(TlsOptions{"", "", dir.string(), {}});
      ASSERT_TRUE(ctx) << ctx.error().message;
      server_tls = *ctx;
      auto client = make_client_tls_context((dir / "apiserver.crt").string(), false);
      ASSERT_TRUE(client) << client.error().message;
      client_tls_ = *client;
    }
    server_ = std::make_unique<Server>(router, Limits{});
    port_ = *server_->listen("127.0.0.1", 0, server_tls);
    thread_ = std::thread([this] { server_->run(1); });
  }
  void TearDown() override {
    if (server_) {
      server_->stop();
      thread_.join();
    }
  }
  std::string url(const std::string& path) const {
    return (GetParam() ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port_) + path;
  }
  core::Result<Response> run(asio::awaitable<core::Result<Response>> task) {
    auto future = asio::co_spawn(ioc_, std::move(task), asio::use_future);
    ioc_.restart();
    ioc_.run_for(std::chrono::seconds(10));
    return future.get();
  }

  asio::io_context ioc_;
  std::shared_ptr<asio::ssl::context> client_tls_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
  std::thread thread_;
};

TEST_P(HttpConnectionServerTest, KeepsOneConnectionOverSeveralRequests) {
  HttpConnection connection(ioc_.get_executor(), *parse_url(url("/hello")), client_tls_);
  for (int i = 0; i < 3; ++i) {
    auto r = run(connection.get(RequestOptions{}));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->body(), "hello");
  }
  RequestOptions json;
  json.headers = {{"Content-Type", "application/json"}};
  auto posted = run(connection.request(http::verb::post, "/echo", R"({"a":1})", json));
  ASSERT_TRUE(posted) << posted.error().message;
  EXPECT_EQ(posted->body(), R"(POST {"a":1})");
  EXPECT_EQ(connection.connections_opened(), 1u);
}

TEST_P(HttpConnectionServerTest, ARedirectIsReturnedNotFollowed) {
  HttpConnection connection(ioc_.get_executor(), *parse_url(url("/moved")), client_tls_);
  auto r = run(connection.get(RequestOptions{}));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->result(), http::status::found);
  EXPECT_EQ((*r)[http::field::location], "/hello");
  EXPECT_EQ(r->body(), "see /hello");
}

TEST_P(HttpConnectionServerTest, ABodyOverTheLimitFailsTheRequest) {
  HttpConnection connection(ioc_.get_executor(), *parse_url(url("/big")), client_tls_);
  RequestOptions options;
  options.body_limit = 1000;
  auto r = run(connection.get(options));
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("larger than 1000 bytes"));
  auto again = run(connection.request(http::verb::get, "/hello", "", RequestOptions{}));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(connection.connections_opened(), 2u);  // the failed response closed the connection
}

TEST(HttpConnectionTlsTest, AnUntrustedCertificateFailsTheHandshake) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("kscale-client-untrusted-" + std::to_string(::getpid()));
  auto server_tls = make_server_tls_context(TlsOptions{"", "", dir.string(), {}});
  ASSERT_TRUE(server_tls) << server_tls.error().message;
  auto router = std::make_shared<Router>();
  Server server(router, Limits{});
  const uint16_t port = *server.listen("127.0.0.1", 0, *server_tls);
  std::thread thread([&server] { server.run(1); });
  auto client =
      make_client_tls_context("", false);  // the system store does not know the certificate
  ASSERT_TRUE(client);
  asio::io_context ioc;
  auto future =
      asio::co_spawn(ioc,
                     http_get(*parse_url("https://127.0.0.1:" + std::to_string(port) + "/"),
                              RequestOptions{}, *client),
                     asio::use_future);
  ioc.run_for(std::chrono::seconds(10));
  auto r = future.get();
  server.stop();
  thread.join();
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("tls handshake"));
}

INSTANTIATE_TEST_SUITE_P(PlainAndTls, HttpConnectionServerTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Https" : "Http";
                         });

}  // namespace
}  // namespace kscale::net

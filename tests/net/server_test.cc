#include "net/server.h"

#include <atomic>
#include <filesystem>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <gtest/gtest.h>

#include "net/tls.h"

namespace kscale::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;

// A real server on 127.0.0.1 port 0, run on its own thread; requests use Beast's client.
class ServerTest : public ::testing::Test {
 protected:
  void start(std::shared_ptr<asio::ssl::context> tls, Limits limits = {}, unsigned threads = 1) {
    auto router = std::make_shared<Router>();
    router->add(http::verb::get, "/hello", [](const RequestContext&) -> core::Result<Response> {
      return text_response("hello");
    });
    router->add(http::verb::post, "/echo", [](const RequestContext& ctx) -> core::Result<Response> {
      return text_response(ctx.request.body());
    });
    server_ = std::make_unique<Server>(router, limits);
    auto port = server_->listen("127.0.0.1", 0, tls);
    ASSERT_TRUE(port);
    port_ = *port;
    thread_ = std::thread([this, threads] { server_->run(threads); });
  }
  void TearDown() override {
    if (server_ && thread_.joinable()) {
      server_->stop();
      thread_.join();
    }
  }

  // Starts a graceful shutdown on the server's io_context; `drained` is set when it completes.
  void start_shutdown(std::chrono::milliseconds grace) {
    auto on_done = [this](std::exception_ptr, bool drained) { drained_ = drained; };
    asio::co_spawn(server_->io_context(), server_->shutdown(grace), on_done);
  }

  // A connection that has sent a request's header with "Expect: 100-continue" and read the go-ahead,
  // so the server is inside the request, waiting for its body.
  asio::ip::tcp::socket request_in_progress(size_t body_size) {
    asio::ip::tcp::socket socket(client_ioc_);
    socket.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
    asio::write(socket,
                asio::buffer("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: " +
                             std::to_string(body_size) + "\r\nExpect: 100-continue\r\n\r\n"));
    std::string interim;
    asio::read_until(socket, asio::dynamic_buffer(interim), "\r\n\r\n");
    EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
    return socket;
  }

  Response plain_request(http::verb verb, const std::string& target, const std::string& body = {}) {
    asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
    Request req{verb, target, 11};
    req.set(http::field::host, "localhost");
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    Response res;
    http::read(stream, buffer, res);
    return res;
  }

  std::unique_ptr<Server> server_;
  std::thread thread_;
  uint16_t port_ = 0;
  asio::io_context client_ioc_;
  std::optional<bool> drained_;  // written by the server's thread before run() returns
};

TEST_F(ServerTest, ServesPlainHttpWithKeepAlive) {
  start(nullptr);
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
  for (int i = 0; i < 3; ++i) {
    Request req{http::verb::get, "/hello", 11};
    req.set(http::field::host, "localhost");
    http::write(stream, req);
    beast::flat_buffer buffer;
    Response res;
    http::read(stream, buffer, res);
    EXPECT_EQ(res.body(), "hello");
    EXPECT_TRUE(res.keep_alive());
  }
}

// One thread runs connections without a strand, several with one each: both must serve many
// concurrent keep-alive connections correctly.
TEST_F(ServerTest, ServesConcurrentConnectionsOnOneAndOnSeveralThreads) {
  for (const unsigned threads : {1u, 3u}) {
    SCOPED_TRACE(threads);
    start(nullptr, {}, threads);
    std::vector<std::thread> clients;
    std::atomic<int> ok{0};
    for (int c = 0; c < 8; ++c) {
      clients.emplace_back([this, c, &ok] {
        asio::io_context ioc;
        beast::tcp_stream stream(ioc);
        stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
        for (int i = 0; i < 50; ++i) {
          const std::string body = std::to_string(c) + "-" + std::to_string(i);
          Request req{http::verb::post, "/echo", 11};
          req.set(http::field::host, "localhost");
          req.body() = body;
          req.prepare_payload();
          http::write(stream, req);
          beast::flat_buffer buffer;
          Response res;
          http::read(stream, buffer, res);
          if (res.body() == body) {
            ++ok;
          }
        }
      });
    }
    for (auto& t : clients) {
      t.join();
    }
    EXPECT_EQ(ok.load(), 8 * 50);
    server_->stop();
    thread_.join();
    server_.reset();
  }
}

TEST_F(ServerTest, BodyOverLimitIs413Status) {
  Limits limits;
  limits.body_limit = 16;
  start(nullptr, limits);
  auto res = plain_request(http::verb::post, "/echo", std::string(100, 'x'));
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_NE(res.body().find("\"reason\":\"RequestEntityTooLarge\""), std::string::npos)
      << res.body();
  EXPECT_EQ(plain_request(http::verb::post, "/echo", "small").body(), "small");
}

// curl sends "Expect: 100-continue" with bodies over 1 KB and holds the body back for a second
// unless the server says go ahead: the server must say it, then read the body.
TEST_F(ServerTest, AnswersExpect100ContinueBeforeReadingTheBody) {
  start(nullptr);
  asio::io_context ioc;
  asio::ip::tcp::socket socket(ioc);
  socket.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
  const std::string body(300'000, 'b');  // bigger than any one read, as a large batch is
  asio::write(socket,
              asio::buffer("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\nExpect: 100-continue\r\n\r\n"));
  std::string interim;
  asio::read_until(socket, asio::dynamic_buffer(interim), "\r\n\r\n");
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  asio::write(socket, asio::buffer(body));
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  Response res;
  http::read(stream, buffer, res);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), body);
  // The connection goes on: a request without a body after it.
  Request req{http::verb::get, "/hello", 11};
  req.set(http::field::host, "localhost");
  http::write(stream, req);
  Response hello;
  http::read(stream, buffer, hello);
  EXPECT_EQ(hello.body(), "hello");
}

TEST_F(ServerTest, NoContinueForABodyOverTheLimit) {
  Limits limits;
  limits.body_limit = 16;
  start(nullptr, limits);
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
  asio::write(stream.socket(),
              asio::buffer(std::string_view(
                  "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n"
                  "Expect: 100-continue\r\n\r\n")));
  beast::flat_buffer buffer;
  Response res;
  http::read(stream, buffer, res);
  EXPECT_EQ(res.result_int(), 413);
}

TEST_F(ServerTest, ServesHttpsWithGeneratedCertificate) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("kscale-tls-" + std::to_string(::getpid()));
  auto ctx = make_server_tls_context(TlsOptions{"", "", dir.string(), {"kscale.example.svc"}});
  ASSERT_TRUE(ctx) << ctx.error().message;
  EXPECT_TRUE(std::filesystem::exists(dir / "apiserver.crt"));
  start(*ctx);

  asio::io_context ioc;
  asio::ssl::context client(asio::ssl::context::tls_client);
  client.load_verify_file((dir / "apiserver.crt").string());
  client.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, client);
  // The certificate must verify for 127.0.0.1 through its IP SAN.
  stream.set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));
  beast::get_lowest_layer(stream).connect(
      asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
  stream.handshake(asio::ssl::stream_base::client);
  Request req{http::verb::get, "/hello", 11};
  req.set(http::field::host, "localhost");
  http::write(stream, req);
  beast::flat_buffer buffer;
  Response res;
  http::read(stream, buffer, res);
  EXPECT_EQ(res.body(), "hello");
  std::filesystem::remove_all(dir);
}

// TLS responses start their body in the header's record; bodies of every size around the 16 KB
// record boundary, and HEAD answers without a body, must arrive intact on one keep-alive
// connection.
TEST_F(ServerTest, TlsResponsesOfEverySizeArriveIntact) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("kscale-tls-sizes-" + std::to_string(::getpid()));
  auto ctx = make_server_tls_context(TlsOptions{"", "", dir.string(), {}});
  ASSERT_TRUE(ctx) << ctx.error().message;
  start(*ctx);

  asio::io_context ioc;
  asio::ssl::context client(asio::ssl::context::tls_client);
  client.set_verify_mode(asio::ssl::verify_none);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, client);
  beast::get_lowest_layer(stream).connect(
      asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
  stream.handshake(asio::ssl::stream_base::client);
  beast::flat_buffer buffer;
  for (const size_t size :
       {size_t{0}, size_t{1}, size_t{16 * 1024 - 200}, size_t{16 * 1024 - 60}, size_t{16 * 1024},
        size_t{16 * 1024 + 1}, size_t{40 * 1024}, size_t{300 * 1024}}) {
    SCOPED_TRACE(size);
    std::string body(size, 'x');
    for (size_t i = 0; i < size; ++i) {
      body[i] = static_cast<char>('a' + (i * 7) % 26);
    }
    Request req{http::verb::post, "/echo", 11};
    req.set(http::field::host, "localhost");
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    Response res;
    http::read(stream, buffer, res);
    EXPECT_EQ(res.body(), body);
    EXPECT_TRUE(res.keep_alive());
  }
  Request head{http::verb::head, "/hello", 11};
  head.set(http::field::host, "localhost");
  http::write(stream, head);
  http::response_parser<http::empty_body> parser;
  parser.skip(true);
  http::read(stream, buffer, parser);
  EXPECT_EQ(parser.get().result_int(), 200);
  EXPECT_EQ(parser.get()[http::field::content_length], "5");
  // The connection is still in step after the HEAD answer.
  Request again{http::verb::get, "/hello", 11};
  again.set(http::field::host, "localhost");
  http::write(stream, again);
  Response res;
  http::read(stream, buffer, res);
  EXPECT_EQ(res.body(), "hello");
  std::filesystem::remove_all(dir);
}

// Graceful shutdown: an idle connection is closed at once, a request in progress is answered
// (with "Connection: close"), then run() returns and nothing more is accepted.
TEST_F(ServerTest, ShutdownAnswersTheRequestInProgressThenReturns) {
  start(nullptr, {}, 2);
  asio::ip::tcp::socket idle(client_ioc_);
  idle.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
  auto busy = request_in_progress(4);
  start_shutdown(std::chrono::seconds(30));

  // The idle connection ends without an answer: the drain has begun.
  std::string nothing;
  boost::system::error_code ec;
  asio::read(idle, asio::dynamic_buffer(nothing), ec);
  EXPECT_EQ(ec, asio::error::eof);
  EXPECT_TRUE(nothing.empty());

  asio::write(busy, asio::buffer(std::string_view("body")));
  beast::tcp_stream stream(std::move(busy));
  beast::flat_buffer buffer;
  Response res;
  http::read(stream, buffer, res);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "body");
  EXPECT_FALSE(res.keep_alive());

  thread_.join();  // run() returns once the drain is complete
  ASSERT_TRUE(drained_.has_value());
  EXPECT_TRUE(*drained_);
  asio::ip::tcp::socket late(client_ioc_);
  late.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
  EXPECT_EQ(ec, asio::error::connection_refused);
}

// A request that does not finish within the grace period is abandoned, and run() still returns.
TEST_F(ServerTest, ShutdownAbandonsARequestAfterTheGracePeriod) {
  start(nullptr);
  auto busy = request_in_progress(4);
  start_shutdown(std::chrono::milliseconds(50));
  thread_.join();
  ASSERT_TRUE(drained_.has_value());
  EXPECT_FALSE(*drained_);
  std::string nothing;
  boost::system::error_code ec;
  asio::read(busy, asio::dynamic_buffer(nothing), ec);
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  EXPECT_TRUE(nothing.empty());
}

TEST(TlsTest, CertAndKeyMustComeTogether) {
  auto ctx = make_server_tls_context(TlsOptions{"/tmp/x.crt", "", "", {}});
  ASSERT_FALSE(ctx);
  EXPECT_NE(ctx.error().message.find("--tls-private-key-file"), std::string::npos);
}

}  // namespace
}  // namespace kscale::net

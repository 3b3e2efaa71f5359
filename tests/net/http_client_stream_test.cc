// HttpConnection::stream against the project's own server answering a chunked body, over HTTP and
// HTTPS: pieces handed over as they are read, error statuses, connection reuse, cancellation.
#include "net/http_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <sstream>
#include <thread>

#include <unistd.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>

#include "net/asio_tokens.h"
#include "net/router.h"
#include "net/server.h"
#include "net/tls.h"

namespace kscale::net {
namespace {

namespace asio = boost::asio;
using ::testing::HasSubstr;

// 300 KB in one chunk: more than one read of the client (64 KB), so the sink gets several pieces.
std::string watch_body() {
  std::string body;
  for (int i = 0; body.size() < 300'000; ++i) {
    body += R"({"type":"ADDED","object":{"metadata":{"name":"pod-)" + std::to_string(i) + R"("}}})";
    body += '\n';
  }
  return body;
}

class HttpConnectionStreamTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    auto router = std::make_shared<Router>();
    router->add(http::verb::get, "/watch", [](const RequestContext&) -> core::Result<Response> {
      auto res = json_response(watch_body());
      res.chunked(true);
      return res;
    });
    router->add(http::verb::get, "/denied", [](const RequestContext&) -> core::Result<Response> {
      return core::fail(core::Error::bad_request("no watching here"));
    });
    router->add(http::verb::get, "/hang", [this](const RequestContext&) -> core::Result<Response> {
      entered_ = true;
      release_.wait_for(std::chrono::seconds(30));
      return text_response("late");
    });
    std::shared_ptr<asio::ssl::context> server_tls;
    if (GetParam()) {
      const auto dir = std::filesystem::temp_directory_path() /
                       ("kscale-stream-tls-" + std::to_string(::getpid()));
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
    released_.set_value();
    server_->stop();
    thread_.join();
  }
  HttpUrl url() const {
    return *parse_url((GetParam() ? "https://127.0.0.1:" : "http://127.0.0.1:") +
                      std::to_string(port_) + "/");
  }
  core::Result<Response> run(asio::awaitable<core::Result<Response>> task) {
    auto future = asio::co_spawn(ioc_, std::move(task), asio::use_future);
    ioc_.restart();
    ioc_.run_for(std::chrono::seconds(20));
    return future.get();
  }

  asio::io_context ioc_;
  std::shared_ptr<asio::ssl::context> client_tls_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> entered_{false};
  std::promise<void> released_;
  std::shared_future<void> release_ = released_.get_future().share();
};

TEST_P(HttpConnectionStreamTest, HandsAChunkedBodyToTheSinkPieceByPiece) {
  HttpConnection connection(ioc_.get_executor(), url(), client_tls_);
  std::string received;
  int pieces = 0;
  auto head = run(connection.stream("/watch", RequestOptions{}, [&](std::string_view piece) {
    received += piece;
    ++pieces;
    return core::Result<void>{};
  }));
  ASSERT_TRUE(head) << head.error().message;
  EXPECT_EQ(head->result(), http::status::ok);
  EXPECT_TRUE(head->chunked());
  EXPECT_EQ((*head)[http::field::content_type], "application/json");
  EXPECT_TRUE(head->body().empty());
  EXPECT_EQ(received, watch_body());
  EXPECT_GT(pieces, 1);
}

TEST_P(HttpConnectionStreamTest, ReusesTheConnectionAfterAStreamEnds) {
  HttpConnection connection(ioc_.get_executor(), url(), client_tls_);
  for (int i = 0; i < 2; ++i) {
    size_t bytes = 0;
    auto head = run(connection.stream("/watch", RequestOptions{}, [&](std::string_view piece) {
      bytes += piece.size();
      return core::Result<void>{};
    }));
    ASSERT_TRUE(head) << head.error().message;
    EXPECT_EQ(bytes, watch_body().size());
  }
  EXPECT_EQ(connection.connections_opened(), 1u);
}

TEST_P(HttpConnectionStreamTest, AnErrorStatusComesBackWithItsBodyAndNoPieces) {
  HttpConnection connection(ioc_.get_executor(), url(), client_tls_);
  int pieces = 0;
  auto head = run(connection.stream("/denied", RequestOptions{}, [&](std::string_view) {
    ++pieces;
    return core::Result<void>{};
  }));
  ASSERT_TRUE(head) << head.error().message;
  EXPECT_EQ(head->result(), http::status::bad_request);
  EXPECT_THAT(head->body(), HasSubstr("no watching here"));
  EXPECT_EQ(pieces, 0);
}

TEST_P(HttpConnectionStreamTest, ASinkErrorEndsTheStreamAndClosesTheConnection) {
  HttpConnection connection(ioc_.get_executor(), url(), client_tls_);
  auto head = run(connection.stream("/watch", RequestOptions{}, [&](std::string_view) {
    return core::Result<void>(core::fail(core::Error::bad_request("decoder gave up")));
  }));
  ASSERT_FALSE(head);
  EXPECT_EQ(head.error().message, "decoder gave up");
  size_t bytes = 0;
  auto again = run(connection.stream("/watch", RequestOptions{}, [&](std::string_view piece) {
    bytes += piece.size();
    return core::Result<void>{};
  }));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(bytes, watch_body().size());
  EXPECT_EQ(connection.connections_opened(), 2u);
}

// The reflector's shutdown: its TaskGroup emits `total` while a watch waits on the server.
TEST_P(HttpConnectionStreamTest, ATotalCancellationEndsAWaitingStream) {
  HttpConnection connection(ioc_.get_executor(), url(), client_tls_);
  asio::cancellation_signal signal;
  auto task = [&]() -> asio::awaitable<core::Result<Response>> {
    co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());
    RequestOptions options;
    options.timeout = std::chrono::seconds(30);
    auto head = co_await connection.stream("/hang", options,
                                           [](std::string_view) { return core::Result<void>{}; });
    co_return head;
  };
  auto future =
      asio::co_spawn(ioc_, task(), asio::bind_cancellation_slot(signal.slot(), asio::use_future));
  // Emits once the server holds the request (polling a flag the handler sets, not a guessed sleep).
  asio::co_spawn(
      ioc_,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(ioc_);
        while (!entered_) {
          timer.expires_after(std::chrono::milliseconds(5));
          co_await timer.async_wait(use_nothrow);
        }
        signal.emit(asio::cancellation_type::total);
      },
      asio::detached);
  ioc_.run_for(std::chrono::seconds(20));
  ASSERT_EQ(future.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  auto head = future.get();
  ASSERT_FALSE(head);
  EXPECT_THAT(head.error().message, HasSubstr("cancelled"));
}

INSTANTIATE_TEST_SUITE_P(PlainAndTls, HttpConnectionStreamTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Https" : "Http";
                         });

// A watch sends an event and then nothing for minutes: the event must reach the sink at once, not
// when 64 KB have gathered or the stream ends. kscale's own server answers whole bodies only, so
// a raw socket stands in for the kube-apiserver here: it sends one small chunk, waits until the
// sink has it (or 10 s), then ends the body.
TEST(HttpConnectionStreamPieceTest, ASmallChunkReachesTheSinkBeforeTheStreamEnds) {
  asio::io_context server_ioc;
  asio::ip::tcp::acceptor acceptor(server_ioc, {asio::ip::make_address("127.0.0.1"), 0});
  const uint16_t port = acceptor.local_endpoint().port();
  std::promise<void> got_piece;
  auto got = got_piece.get_future();
  bool piece_before_end = false;
  std::thread server([&] {
    asio::ip::tcp::socket socket(server_ioc);
    acceptor.accept(socket);
    asio::streambuf request;
    asio::read_until(socket, request, "\r\n\r\n");
    const std::string event = R"({"type":"ADDED","object":{"metadata":{"name":"p"}}})";
    std::ostringstream head;
    head
        << "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        << std::hex << event.size() << "\r\n"
        << event << "\r\n";
    asio::write(socket, asio::buffer(head.str()));
    piece_before_end = got.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
    asio::write(socket, asio::buffer(std::string("0\r\n\r\n")));
  });
  asio::io_context ioc;
  HttpConnection connection(ioc.get_executor(),
                            *parse_url("http://127.0.0.1:" + std::to_string(port) + "/"));
  bool seen = false;
  auto future = asio::co_spawn(ioc,
                               connection.stream("/api/v1/pods?watch=true", RequestOptions{},
                                                 [&](std::string_view piece) {
                                                   if (!seen && piece.find("ADDED") !=
                                                                    std::string_view::npos) {
                                                     seen = true;
                                                     got_piece.set_value();
                                                   }
                                                   return core::Result<void>{};
                                                 }),
                               asio::use_future);
  ioc.run_for(std::chrono::seconds(20));
  server.join();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  auto head = future.get();
  ASSERT_TRUE(head) << head.error().message;
  EXPECT_TRUE(seen);
  EXPECT_TRUE(piece_before_end) << "the event reached the sink only when the stream ended";
}

}  // namespace
}  // namespace kscale::net

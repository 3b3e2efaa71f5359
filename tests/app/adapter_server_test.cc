#include "app/adapter_server.h"

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>

#include <unistd.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "core/clock.h"

namespace kscale::app {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

// The adapter app in-process: port 0 on loopback, a ManualClock, run() on its own thread.
class AdapterServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cert_dir_ =
        std::filesystem::temp_directory_path() / ("kscale-app-" + std::to_string(::getpid()));
    AdapterOptions o;
    o.bind_address = "127.0.0.1";
    o.secure_port = 0;
    o.http_port = 0;
    o.cert_dir = cert_dir_.string();
    o.worker_threads = 2;
    o.shutdown_grace = std::chrono::seconds(30);
    auto config = complete(o);
    ASSERT_TRUE(config) << config.error().message;
    auto server = AdapterServer::create(std::move(*config), clock_);
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
    ASSERT_TRUE(server_->http_port().has_value());
    EXPECT_NE(server_->secure_port(), 0);
    http_port_ = *server_->http_port();
    thread_ = std::thread([this] {
      server_->run();
      returned_ = true;
    });
  }
  void TearDown() override {
    if (thread_.joinable()) {
      server_->stop();
      thread_.join();
    }
    server_.reset();
    std::filesystem::remove_all(cert_dir_);
  }

  tcp::socket connect() {
    tcp::socket socket(ioc_);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), http_port_));
    return socket;
  }
  http::response<http::string_body> request(http::verb verb, const std::string& target,
                                            const std::string& body = {}) {
    beast::tcp_stream stream(connect());
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "localhost");
    req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    return res;
  }

  core::ManualClock clock_;
  std::filesystem::path cert_dir_;
  std::unique_ptr<AdapterServer> server_;
  uint16_t http_port_ = 0;
  std::thread thread_;
  std::atomic<bool> returned_{false};
  asio::io_context ioc_;
};

TEST_F(AdapterServerTest, ServesWhatWasPushed) {
  const auto push = request(
      http::verb::post, "/write-metrics/namespaces/default/pods/web-1/http_requests_qps", "\"30\"");
  ASSERT_EQ(push.result_int(), 200) << push.body();
  const auto read = request(
      http::verb::get,
      "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/web-1/http_requests_qps");
  ASSERT_EQ(read.result_int(), 200) << read.body();
  const auto doc = json::parse(read.body());
  EXPECT_EQ(doc.at("kind"), "MetricValueList");
  ASSERT_EQ(doc.at("items").as_array().size(), 1u);
  EXPECT_EQ(doc.at("items").at(0).at("value"), "30");
}

// stop() (as SIGTERM) while a push is half sent: the push is answered, then run() returns.
TEST_F(AdapterServerTest, ShutdownAnswersTheRequestInFlightThenRunReturns) {
  auto idle = connect();
  auto busy = connect();
  const std::string body = "\"7\"";
  asio::write(
      busy,
      asio::buffer("POST /write-metrics/namespaces/default/pods/web-1/queue_length HTTP/1.1\r\n"
                   "Host: localhost\r\nContent-Type: application/json\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\nExpect: 100-continue\r\n\r\n"));
  std::string interim;
  asio::read_until(busy, asio::dynamic_buffer(interim),
                   "\r\n\r\n");  // the server is inside the request
  ASSERT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  asio::write(busy, asio::buffer(body.substr(0, 1)));

  server_->stop();
  // The idle connection is closed without an answer: the drain has begun.
  std::string nothing;
  boost::system::error_code ec;
  asio::read(idle, asio::dynamic_buffer(nothing), ec);
  EXPECT_EQ(ec, asio::error::eof);
  EXPECT_FALSE(returned_.load());

  asio::write(busy, asio::buffer(body.substr(1)));
  beast::tcp_stream stream(std::move(busy));
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  EXPECT_EQ(res.result_int(), 200) << res.body();
  EXPECT_FALSE(res.keep_alive());

  thread_.join();
  EXPECT_TRUE(returned_.load());
}

}  // namespace
}  // namespace kscale::app

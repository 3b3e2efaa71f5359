// kube::HttpApiClient against the project's own net::Server over TLS, the server requiring a client
// certificate (so every request here proves the client presented one).
#include "kube/http_api_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/json.hpp>

#include "kube/cluster_connection.h"
#include "net/router.h"
#include "net/server.h"
#include "net/tls.h"

namespace kscale::kube {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
namespace http = net::http;
using ::testing::HasSubstr;

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs `ioc` until `done()` holds (bounded: a safety net for a hung test, not a timing assertion).
template <class Done>
bool run_until(asio::io_context& ioc, Done done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    if (ioc.stopped()) {
      ioc.restart();
    }
    ioc.run_one_for(std::chrono::milliseconds(20));
  }
  return done();
}

class HttpApiClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("kscale-api-client-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    ASSERT_TRUE(net::write_self_signed_certificate(path("server.crt"), path("server.key"), {}));
    ASSERT_TRUE(
        net::write_self_signed_certificate(path("client.crt"), path("client.key"), {"adapter"}));
    auto server_tls = net::make_server_tls_context({path("server.crt"), path("server.key")});
    ASSERT_TRUE(server_tls) << server_tls.error().message;
    (*server_tls)->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
    (*server_tls)->load_verify_file(path("client.crt"));
    server_ = std::make_unique<net::Server>(routes(), net::Limits{});
    port_ = *server_->listen("127.0.0.1", 0, *server_tls);
    thread_ = std::thread([this] { server_->run(2); });  // a held watch blocks one thread
  }
  void TearDown() override {
    released_.set_value();
    client_.reset();  // its sockets before the io_context
    server_->stop();
    thread_.join();
    fs::remove_all(dir_);
  }

  std::shared_ptr<const net::Router> routes() {
    auto router = std::make_shared<net::Router>();
    const auto echo = [](const net::RequestContext& ctx) -> core::Result<net::Response> {
      boost::json::object o;
      for (const char* h : {"Authorization", "Accept", "Content-Type", "User-Agent"}) {
        o[h] = std::string(ctx.request[h]);
      }
      o["body"] = ctx.request.body();
      o["target"] = std::string(ctx.request.target());
      return net::json_response(boost::json::serialize(o));
    };
    router->add(http::verb::get, "/api/v1/echo", echo);
    router->add(http::verb::post, "/api/v1/echo", echo);
    router->add(http::verb::get, "/prefix/api/v1/echo", echo);
    router->add(http::verb::get, "/api/v1/secret",
                [this](const net::RequestContext& ctx) -> core::Result<net::Response> {
                  std::lock_guard lock(mutex_);
                  ++secret_hits_;
                  if (ctx.request[http::field::authorization] != "Bearer " + accepted_token_) {
                    return core::fail(
                        core::Error{core::StatusReason::Unauthorized, 401, "Unauthorized", ""});
                  }
                  return net::json_response(R"({"kind":"Secret"})");
                });
    router->add(http::verb::get, "/api/v1/watch",
                [this](const net::RequestContext&) -> core::Result<net::Response> {
                  watch_entered_ = true;
                  release_.wait_for(std::chrono::seconds(20));
                  auto res = net::json_response(R"({"type":"ADDED","object":{}})");
                  res.chunked(true);
                  return res;
                });
    router->add(http::verb::get, "/api/v1/events",
                [](const net::RequestContext&) -> core::Result<net::Response> {
                  auto res = net::json_response(R"({"type":"BOOKMARK","object":{}})");
                  res.chunked(true);
                  return res;
                });
    router->add(http::verb::get, "/api/v1/count",
                [this](const net::RequestContext& ctx) -> core::Result<net::Response> {
                  std::lock_guard lock(mutex_);
                  counted_.push_back(std::string(ctx.query.get("i").value_or("")));
                  return net::json_response("{}");
                });
    return router;
  }

  std::string path(const char* name) const { return (dir_ / name).string(); }
  std::string server_url(const std::string& suffix = "") const {
    return "https://127.0.0.1:" + std::to_string(port_) + suffix;
  }
  void write_token(const std::string& token) const { std::ofstream(path("token")) << token; }

  // The client: CA from a file, client certificate from memory and its key from a file.
  ClientConfig config(const std::string& url_suffix = "") const {
    ClientConfig c;
    c.server = *net::parse_url(server_url(url_suffix));
    c.ca_file = path("server.crt");
    c.cert_pem = read_file(path("client.crt"));
    c.key_file = path("client.key");
    c.source = "test";
    return c;
  }
  HttpApiClient& make_client(const ClientConfig& c, ApiClientOptions options = {}) {
    auto connection = make_cluster_connection(c, clock_);
    EXPECT_TRUE(connection) << connection.error().message;
    client_.emplace(ioc_.get_executor(), *connection, std::move(options), clock_);
    return *client_;
  }
  core::Result<net::Response> run(asio::awaitable<core::Result<net::Response>> task) {
    std::optional<core::Result<net::Response>> out;
    asio::co_spawn(ioc_, std::move(task), [&](std::exception_ptr e, core::Result<net::Response> r) {
      if (e) {
        std::rethrow_exception(e);
      }
      out = std::move(r);
    });
    EXPECT_TRUE(run_until(ioc_, [&] { return out.has_value(); }));
    return out ? std::move(*out) : core::fail(core::Error::internal("did not complete"));
  }
  static boost::json::object json(const net::Response& r) {
    return boost::json::parse(r.body()).as_object();
  }

  fs::path dir_;
  core::ManualClock clock_;
  std::unique_ptr<net::Server> server_;
  uint16_t port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::string accepted_token_;
  int secret_hits_ = 0;
  std::vector<std::string> counted_;
  std::atomic<bool> watch_entered_{false};
  std::promise<void> released_;
  std::shared_future<void> release_ = released_.get_future().share();
  std::optional<HttpApiClient> client_;
  asio::io_context ioc_;  // destroyed first: pending coroutines go before the client's memory
};

TEST_F(HttpApiClientTest, SendsTheBearerTokenAndJsonHeaders) {
  ClientConfig c = config();
  c.token = "t0";
  auto& client = make_client(c);
  auto got = run(client.request(http::verb::get, "/api/v1/echo", "", {}));
  ASSERT_TRUE(got) << got.error().message;
  ASSERT_EQ(got->result(), http::status::ok) << got->body();
  auto o = json(*got);
  EXPECT_EQ(o["Authorization"], "Bearer t0");
  EXPECT_EQ(o["Accept"], "application/json");
  EXPECT_EQ(o["Content-Type"], "");
  EXPECT_THAT(std::string(o["User-Agent"].as_string()), HasSubstr("kscale/"));

  net::RequestOptions metadata;
  metadata.headers = {
      {"Accept",
       "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"}};
  auto posted = run(client.request(http::verb::post, "/api/v1/echo", R"({"spec":{}})", metadata));
  ASSERT_TRUE(posted) << posted.error().message;
  o = json(*posted);
  EXPECT_EQ(o["Accept"],
            "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json");
  EXPECT_EQ(o["Content-Type"], "application/json");
  EXPECT_EQ(o["body"], R"({"spec":{}})");
  EXPECT_EQ(client.connections_created(), 1u);
}

TEST_F(HttpApiClientTest, TargetsAreRelativeToTheServersPathPrefix) {
  auto& client = make_client(config("/prefix/"));
  auto got = run(client.request(http::verb::get, "/api/v1/echo", "", {}));
  ASSERT_TRUE(got) << got.error().message;
  ASSERT_EQ(got->result(), http::status::ok) << got->body();
  EXPECT_EQ(json(*got)["target"], "/prefix/api/v1/echo");
  EXPECT_EQ(json(*got)["Authorization"], "");  // no token configured: no header
}

TEST_F(HttpApiClientTest, A401ReReadsTheTokenFileAndRetriesOnce) {
  write_token("old\n");
  accepted_token_ = "old";
  ClientConfig c = config();
  c.token_file = path("token");
  auto& client = make_client(c);
  auto first = run(client.request(http::verb::get, "/api/v1/secret", "", {}));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->result(), http::status::ok);

  write_token("new");  // rotated within the 60 s the cached "old" is still used
  {
    std::lock_guard lock(mutex_);
    accepted_token_ = "new";
  }
  auto rotated = run(client.request(http::verb::get, "/api/v1/secret", "", {}));
  ASSERT_TRUE(rotated) << rotated.error().message;
  EXPECT_EQ(rotated->result(), http::status::ok);
  {
    std::lock_guard lock(mutex_);
    EXPECT_EQ(secret_hits_, 3);  // 200, then 401 with "old" and 200 with "new"
    accepted_token_ = "newer";   // the file does not change: a re-read cannot help
  }
  auto refused = run(client.request(http::verb::get, "/api/v1/secret", "", {}));
  ASSERT_TRUE(refused) << refused.error().message;
  EXPECT_EQ(refused->result(), http::status::unauthorized);
  std::lock_guard lock(mutex_);
  EXPECT_EQ(secret_hits_, 4);  // not retried with the same token
}

TEST_F(HttpApiClientTest, ARequestRunsWhileAStreamIsOpen) {
  auto& client = make_client(config());
  std::vector<std::string> finished;
  std::string streamed;
  std::optional<core::Result<net::Response>> head;
  asio::co_spawn(ioc_,
                 client.stream("/api/v1/watch?watch=true", {},
                               [&](std::string_view piece) {
                                 streamed += piece;
                                 return core::Result<void>{};
                               }),
                 [&](std::exception_ptr, core::Result<net::Response> r) {
                   head = std::move(r);
                   finished.push_back("stream");
                 });
  ASSERT_TRUE(run_until(ioc_, [&] { return watch_entered_.load(); }));
  auto listed = run(client.request(http::verb::get, "/api/v1/echo", "", {}));
  ASSERT_TRUE(listed) << listed.error().message;
  EXPECT_EQ(listed->result(), http::status::ok);
  finished.push_back("request");
  released_.set_value();
  released_ = std::promise<void>();  // TearDown's set_value needs a fresh promise
  ASSERT_TRUE(run_until(ioc_, [&] { return head.has_value(); }));
  ASSERT_TRUE(*head) << (*head).error().message;
  EXPECT_EQ((**head).result(), http::status::ok);
  EXPECT_EQ(streamed, R"({"type":"ADDED","object":{}})");
  EXPECT_EQ(finished, (std::vector<std::string>{"request", "stream"}));
  EXPECT_EQ(client.connections_created(), 2u);  // the stream held one, the request got another
  auto again = run(client.request(http::verb::get, "/api/v1/echo", "", {}));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(client.connections_created(), 2u);  // both went back to the pool
}

TEST_F(HttpApiClientTest, TheRateLimitPassesTheFirstBurstAndExemptsStreams) {
  ApiClientOptions options;
  options.qps = 0.001;  // after the burst, the next token is 1000 s away
  options.burst = 2;
  auto& client = make_client(config(), options);
  int completed = 0;
  for (int i = 0; i < 4; ++i) {
    asio::co_spawn(ioc_,
                   client.request(http::verb::get, "/api/v1/count?i=" + std::to_string(i), "", {}),
                   [&](std::exception_ptr, core::Result<net::Response>) { ++completed; });
  }
  ASSERT_TRUE(run_until(ioc_, [&] { return completed == 2; }));
  std::string events;
  auto head = run(client.stream("/api/v1/events?watch=true", {}, [&](std::string_view piece) {
    events += piece;
    return core::Result<void>{};
  }));
  ASSERT_TRUE(head) << head.error().message;
  EXPECT_EQ(events, R"({"type":"BOOKMARK","object":{}})");
  EXPECT_EQ(completed, 2);
  std::lock_guard lock(mutex_);
  // The first two in line took the burst (they then race on two connections); 2 and 3 wait.
  EXPECT_THAT(counted_, ::testing::UnorderedElementsAre("0", "1"));
}

TEST_F(HttpApiClientTest, ConnectionErrorsNameTheKubeconfigField) {
  ClientConfig c = config();
  c.ca_file = path("missing-ca.crt");
  auto connection = make_cluster_connection(c, clock_);
  ASSERT_FALSE(connection);
  EXPECT_THAT(connection.error().message, HasSubstr("missing-ca.crt"));
  c = config();
  c.cert_pem.clear();  // a key without its certificate
  connection = make_cluster_connection(c, clock_);
  ASSERT_FALSE(connection);
  EXPECT_THAT(connection.error().message, HasSubstr("client certificate"));
}

}  // namespace
}  // namespace kscale::kube

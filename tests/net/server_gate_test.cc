#include "net/server.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "net/tls.h"

namespace kscale::net {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// What the gate saw, written by the server's thread and read by the test after curl returned.
struct Seen {
  std::mutex mutex;
  std::vector<std::vector<std::string>> certificates;  // one entry per request
};

// The gate's body: records the peer, answers /denied itself, lets the rest through with a header
// added (which the router's handler echoes).
boost::asio::awaitable<std::optional<Response>> record_and_judge(Seen* seen, Request* request,
                                                                 const Peer* peer) {
  {
    const std::lock_guard lock(seen->mutex);
    seen->certificates.push_back(peer->certificates);
  }
  if (request->target() == "/denied") {
    co_return text_response("stopped at the gate", http::status::unauthorized);
  }
  request->set("X-Gate", "passed");
  co_return std::nullopt;
}

struct RecordingGate {
  Seen* seen;
  boost::asio::awaitable<std::optional<Response>> operator()(Request& request,
                                                             const Peer& peer) const {
    return record_and_judge(seen, &request, &peer);
  }
};

// A CA, an intermediate it signs and a client certificate the intermediate signs, made with the
// openssl CLI; client.pem holds the leaf then the intermediate, as curl sends them.
void make_client_chain(const fs::path& dir) {
  const std::string d = dir.string();
  const std::string script =
      "set -e; cd '" + d + "'; " +
      "printf 'basicConstraints=critical,CA:TRUE\\nkeyUsage=critical,keyCertSign,cRLSign\\n' "
      "> ca.ext; "
      "printf 'basicConstraints=CA:FALSE\\nextendedKeyUsage=clientAuth\\n' > leaf.ext; "
      "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 "
      "-subj /CN=gate-test-ca -addext basicConstraints=critical,CA:TRUE "
      "-addext keyUsage=critical,keyCertSign,cRLSign; "
      "openssl req -newkey rsa:2048 -nodes -keyout mid.key -out mid.csr -subj /CN=gate-test-mid; "
      "openssl x509 -req -in mid.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 "
      "-extfile ca.ext -out mid.crt; "
      "openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=alice; "
      "openssl x509 -req -in client.csr -CA mid.crt -CAkey mid.key -CAcreateserial -days 2 "
      "-extfile leaf.ext -out client.crt; "
      "cat client.crt mid.crt > client.pem; "
      "openssl x509 -in client.crt -outform DER -out client.der; "
      "openssl x509 -in mid.crt -outform DER -out mid.der";
  ASSERT_EQ(std::system(("bash -c \"" + script + "\" >/dev/null 2>&1").c_str()), 0);
}

class ServerGateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kscale-gate-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    make_client_chain(dir_);
  }
  void TearDown() override {
    if (server_) {
      server_->stop();
      thread_.join();
    }
    fs::remove_all(dir_);
  }

  void start(bool request_client_certificate) {
    auto router = std::make_shared<Router>();
    router->add(http::verb::get, "/hello", [](const RequestContext& ctx) -> core::Result<Response> {
      return text_response("hello " + std::string(ctx.request["X-Gate"]));
    });
    router->add(http::verb::get, "/denied", [](const RequestContext&) -> core::Result<Response> {
      return text_response("the router answered");
    });
    auto tls = make_server_tls_context(TlsOptions{"", "", (dir_ / "server").string(), {}});
    ASSERT_TRUE(tls) << tls.error().message;
    server_ = std::make_unique<Server>(router, Limits{});
    ListenOptions options;
    options.request_client_certificate = request_client_certificate;
    options.gate = RecordingGate{&seen_};
    auto port = server_->listen("127.0.0.1", 0, *tls, std::move(options));
    ASSERT_TRUE(port);
    port_ = *port;
    thread_ = std::thread([this] { server_->run(2); });
  }

  // curl, the real client, with the client chain; both paths on one kept-alive connection.
  // Returns curl's output: each body followed by its status code.
  std::string curl(const std::string& first, const std::string& second) {
    const fs::path out = dir_ / "curl.out";
    const std::string base = "https://127.0.0.1:" + std::to_string(port_);
    const std::string command = "curl -sk --cert '" + (dir_ / "client.pem").string() + "' --key '" +
                                (dir_ / "client.key").string() + "' -w ' %{http_code}\\n' '" +
                                base + first + "' '" + base + second + "' > '" + out.string() +
                                "' 2>&1";
    EXPECT_EQ(std::system(command.c_str()), 0);
    return read_file(out);
  }

  fs::path dir_;
  Seen seen_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  uint16_t port_ = 0;
};

TEST_F(ServerGateTest, GateSeesTheClientCertificateChainCurlSent) {
  start(true);
  EXPECT_EQ(curl("/hello", "/hello"), "hello passed 200\nhello passed 200\n");
  const std::lock_guard lock(seen_.mutex);
  ASSERT_EQ(seen_.certificates.size(), 2u);
  const std::vector<std::string> expected{read_file(dir_ / "client.der"),
                                          read_file(dir_ / "mid.der")};
  EXPECT_EQ(seen_.certificates[0], expected);
  EXPECT_EQ(seen_.certificates[1], expected);
}

TEST_F(ServerGateTest, WithoutTheRequestNoCertificateArrives) {
  start(false);
  EXPECT_EQ(curl("/hello", "/hello"), "hello passed 200\nhello passed 200\n");
  const std::lock_guard lock(seen_.mutex);
  ASSERT_EQ(seen_.certificates.size(), 2u);
  EXPECT_TRUE(seen_.certificates[0].empty());
}

TEST_F(ServerGateTest, GateResponseReplacesTheRouters) {
  start(true);
  EXPECT_EQ(curl("/denied", "/hello"), "stopped at the gate 401\nhello passed 200\n");
}

}  // namespace
}  // namespace kscale::net

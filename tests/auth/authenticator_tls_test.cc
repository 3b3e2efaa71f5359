// The authenticator behind a real TLS listener that requests client certificates, with curl as
// the client: what the aggregator's front-proxy certificate, a user's certificate and a rogue
// proxy get.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include <gtest/gtest.h>

#include "auth/authenticator.h"
#include "auth/test_certificates.h"
#include "net/server.h"
#include "net/tls.h"

namespace kscale::auth {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::TestCertificates;

// The gate's body: a 401 on failure, else the user's name in a header for the router to echo.
boost::asio::awaitable<std::optional<net::Response>> authenticate_request(Authenticator* authn,
                                                                          net::Request* request,
                                                                          const net::Peer* peer) {
  auto user = co_await authn->authenticate(*request, *peer);
  if (!user) {
    co_return unauthorized_response();
  }
  request->set("X-Test-User", user->name);
  co_return std::nullopt;
}

struct AuthenticationGate {
  Authenticator* authn;
  boost::asio::awaitable<std::optional<net::Response>> operator()(net::Request& request,
                                                                  const net::Peer& peer) const {
    return authenticate_request(authn, &request, &peer);
  }
};

class AuthenticatorTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AuthenticationConfig config;
    config.client_ca = certs_.pem("ca");
    config.request_header = RequestHeaderConfig{
        certs_.pem("front-proxy-ca"), {"front-proxy-client"}, {"X-Remote-User"}, {},
        {"X-Remote-Group"},           {"X-Remote-Extra-"}};
    ASSERT_TRUE(authn_.apply(config));
    auto router = std::make_shared<net::Router>();
    router->add(net::http::verb::get, "/whoami",
                [](const net::RequestContext& ctx) -> core::Result<net::Response> {
                  return net::text_response(std::string(ctx.request["X-Test-User"]) + "|" +
                                            std::string(ctx.request["X-Remote-User"]));
                });
    auto tls =
        net::make_server_tls_context(net::TlsOptions{"", "", (dir_ / "server").string(), {}});
    ASSERT_TRUE(tls) << tls.error().message;
    server_ = std::make_unique<net::Server>(router, net::Limits{});
    net::ListenOptions options;
    options.request_client_certificate = true;
    options.gate = AuthenticationGate{&authn_};
    auto port = server_->listen("127.0.0.1", 0, *tls, std::move(options));
    ASSERT_TRUE(port);
    port_ = *port;
    thread_ = std::thread([this] { server_->run(2); });
  }
  void TearDown() override {
    if (server_) {
      server_->stop();
      thread_.join();
    }
    fs::remove_all(dir_);
  }

  // curl's output for GET /whoami with `cert` (none when empty) and `X-Remote-User: header_user`:
  // the body, then the status code.
  std::string curl(const std::string& cert, const std::string& header_user) {
    std::string command = "curl -sk -H 'X-Remote-User: " + header_user + "' -w ' %{http_code}' ";
    if (!cert.empty()) {
      command += "--cert '" + certs_.path(cert) + "' --key '" + certs_.key_path(cert) + "' ";
    }
    const fs::path out = dir_ / "curl.out";
    command += "https://127.0.0.1:" + std::to_string(port_) + "/whoami > '" + out.string() + "'";
    EXPECT_EQ(std::system(command.c_str()), 0);
    std::ifstream in(out);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  const TestCertificates& certs_ = TestCertificates::get();
  fs::path dir_ = fs::temp_directory_path() / ("kscale-authn-tls-" + std::to_string(::getpid()));
  core::RealClock clock_;
  Authenticator authn_{nullptr, clock_, 10s};
  std::unique_ptr<net::Server> server_;
  std::thread thread_;
  uint16_t port_ = 0;
};

TEST_F(AuthenticatorTlsTest, TheFrontProxysHeadersNameTheUserAndAreRemoved) {
  EXPECT_EQ(curl("front-proxy-client", "bob"), "bob| 200");
}

TEST_F(AuthenticatorTlsTest, AClientCertificateNamesItsCommonName) {
  EXPECT_EQ(curl("alice", "admin"), "alice| 200");
}

TEST_F(AuthenticatorTlsTest, WithoutACertificateHeadersAreIgnored) {
  EXPECT_EQ(curl("", "admin"), "system:anonymous| 200");
}

TEST_F(AuthenticatorTlsTest, ARogueProxyGets401WithTheStatusBody) {
  EXPECT_EQ(curl("rogue", "admin"),
            R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
            R"("message":"Unauthorized","reason":"Unauthorized","code":401} 401)");
}

}  // namespace
}  // namespace kscale::auth

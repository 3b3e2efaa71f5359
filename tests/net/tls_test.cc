#include "net/tls.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_future.hpp>

#include "net/http_client.h"
#include "net/router.h"
#include "net/server.h"

namespace kscale::net {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A server that requires a client certificate signed by (here: equal to) client.crt.
class ClientCertificateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kscale-tls-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    ASSERT_TRUE(write_self_signed_certificate(path("server.crt"), path("server.key"), {}));
    ASSERT_TRUE(
        write_self_signed_certificate(path("client.crt"), path("client.key"), {"kscale-client"}));
    auto server_tls = make_server_tls_context(TlsOptions{path("server.crt"), path("server.key")});
    ASSERT_TRUE(server_tls) << server_tls.error().message;
    (*server_tls)->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
    (*server_tls)->load_verify_file(path("client.crt"));
    auto router = std::make_shared<Router>();
    router->add(http::verb::get, "/hello", [](const RequestContext&) -> core::Result<Response> {
      return text_response("hello");
    });
    server_ = std::make_unique<Server>(router, Limits{});
    port_ = *server_->listen("127.0.0.1", 0, *server_tls);
    thread_ = std::thread([this] { server_->run(1); });
  }
  void TearDown() override {
    server_->stop();
    thread_.join();
    fs::remove_all(dir_);
  }
  std::string path(const char* name) const { return (dir_ / name).string(); }
  core::Result<Response> get(std::shared_ptr<asio::ssl::context> tls) {
    asio::io_context ioc;
    auto url = parse_url("https://127.0.0.1:" + std::to_string(port_) + "/hello");
    auto future =
        asio::co_spawn(ioc, http_get(*url, RequestOptions{}, std::move(tls)), asio::use_future);
    ioc.run_for(std::chrono::seconds(10));
    return future.get();
  }

  fs::path dir_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
  std::thread thread_;
};

TEST_F(ClientCertificateTest, PresentsACertificateFromFiles) {
  ClientTlsOptions options;
  options.ca_file = path("server.crt");
  options.cert_file = path("client.crt");
  options.key_file = path("client.key");
  auto tls = make_client_tls_context(options);
  ASSERT_TRUE(tls) << tls.error().message;
  auto r = get(*tls);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->body(), "hello");
}

TEST_F(ClientCertificateTest, PresentsACertificateFromMemory) {
  ClientTlsOptions options;
  options.ca_pem = read_file(path("server.crt"));
  options.cert_pem = read_file(path("client.crt"));
  options.key_pem = read_file(path("client.key"));
  auto tls = make_client_tls_context(options);
  ASSERT_TRUE(tls) << tls.error().message;
  auto r = get(*tls);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->body(), "hello");
}

TEST_F(ClientCertificateTest, WithoutACertificateTheServerRefuses) {
  ClientTlsOptions options;
  options.ca_file = path("server.crt");
  auto tls = make_client_tls_context(options);
  ASSERT_TRUE(tls) << tls.error().message;
  EXPECT_FALSE(get(*tls));
}

TEST_F(ClientCertificateTest, RejectsInconsistentOptions) {
  ClientTlsOptions cert_only;
  cert_only.cert_file = path("client.crt");
  auto r = make_client_tls_context(cert_only);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("needs its client key"));

  ClientTlsOptions key_only;
  key_only.key_pem = read_file(path("client.key"));
  r = make_client_tls_context(key_only);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("needs its client certificate"));

  ClientTlsOptions insecure_with_ca;
  insecure_with_ca.ca_file = path("server.crt");
  insecure_with_ca.insecure_skip_verify = true;
  r = make_client_tls_context(insecure_with_ca);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("insecure-skip-tls-verify"));

  ClientTlsOptions mismatched;
  mismatched.cert_file = path("client.crt");
  mismatched.key_file = path("server.key");
  r = make_client_tls_context(mismatched);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("key values mismatch"));

  ClientTlsOptions bad_data;
  bad_data.ca_pem = "not a certificate";
  r = make_client_tls_context(bad_data);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("certificate-authority-data"));

  ClientTlsOptions missing_file;
  missing_file.ca_file = path("nope.crt");
  r = make_client_tls_context(missing_file);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("nope.crt"));
}

}  // namespace
}  // namespace kscale::net

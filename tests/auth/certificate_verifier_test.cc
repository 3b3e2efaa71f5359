#include "auth/certificate_verifier.h"

#include <cstdio>

#include <gtest/gtest.h>

#include "auth/test_certificates.h"

namespace kscale::auth {
namespace {

using testing::TestCertificates;

class CertificateVerifierTest : public ::testing::Test {
 protected:
  std::shared_ptr<const CertificateVerifier> verifier(const std::string& ca) {
    auto v = CertificateVerifier::from_pem(certs_.pem(ca), clock_);
    EXPECT_TRUE(v) << v.error().message;
    return v ? *v : nullptr;
  }
  const TestCertificates& certs_ = TestCertificates::get();
  core::RealClock clock_;
};

// The SHA-256 of the DER, as `openssl x509 -fingerprint -sha256` prints it, lower-cased and
// without colons.
std::string openssl_fingerprint(const std::string& path) {
  const std::string command = "openssl x509 -noout -fingerprint -sha256 -in '" + path + "'";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  std::string out;
  char buf[256];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) {
    out += buf;
  }
  ::pclose(pipe);
  std::string hex;
  for (char c : out.substr(out.find('=') + 1)) {
    if (std::isxdigit(static_cast<unsigned char>(c))) {
      hex.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  return hex;
}

TEST_F(CertificateVerifierTest, VerifiedLeafCarriesCommonNameOrganizationsAndFingerprint) {
  const auto leaf = verifier("ca")->verify({certs_.der("alice")});
  ASSERT_TRUE(leaf) << leaf.error().message;
  EXPECT_EQ(leaf->common_name, "alice");
  EXPECT_EQ(leaf->organizations, (std::vector<std::string>{"dev", "ops"}));
  EXPECT_EQ(leaf->sha256_hex, openssl_fingerprint(certs_.path("alice")));
}

TEST_F(CertificateVerifierTest, RejectsALeafOfAnotherCa) {
  const auto leaf = verifier("front-proxy-ca")->verify({certs_.der("alice")});
  ASSERT_FALSE(leaf);
  EXPECT_EQ(leaf.error().code, 401);
  EXPECT_NE(leaf.error().message.find("verifying certificate CN=alice failed: x509: "),
            std::string::npos)
      << leaf.error().message;
}

TEST_F(CertificateVerifierTest, UsesThePeersIntermediates) {
  const auto v = verifier("front-proxy-ca");
  EXPECT_TRUE(v->verify({certs_.der("front-proxy-via-mid"), certs_.der("proxy-mid")}));
  EXPECT_FALSE(v->verify({certs_.der("front-proxy-via-mid")}));
}

TEST_F(CertificateVerifierTest, RejectsACertificateNotForClientAuthentication) {
  EXPECT_FALSE(verifier("ca")->verify({certs_.der("server-only")}));
}

TEST_F(CertificateVerifierTest, JudgesValidityAtTheClocksTime) {
  core::ManualClock later(std::chrono::system_clock::now() + std::chrono::hours(24 * 10));
  auto v = CertificateVerifier::from_pem(certs_.pem("ca"), later);
  ASSERT_TRUE(v);
  const auto leaf = (*v)->verify({certs_.der("alice")});
  ASSERT_FALSE(leaf);
  EXPECT_NE(leaf.error().message.find("expired"), std::string::npos) << leaf.error().message;
}

TEST_F(CertificateVerifierTest, RejectsABundleWithoutCertificates) {
  EXPECT_FALSE(CertificateVerifier::from_pem("not a certificate", clock_));
  EXPECT_FALSE(CertificateVerifier::from_pem("", clock_));
}

TEST_F(CertificateVerifierTest, RejectsMalformedDer) {
  EXPECT_FALSE(verifier("ca")->verify({"garbage"}));
}

}  // namespace
}  // namespace kscale::auth

#include "auth/certificate_verifier.h"

#include <ctime>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include "auth/detail/unauthorized.h"

namespace kscale::auth {

namespace {

using detail::unauthorized;

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct StoreFree {
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
struct CtxFree {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};
struct StackFree {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

X509Ptr from_der(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  return X509Ptr(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

std::vector<std::string> name_entries(X509_NAME* name, int nid) {
  std::vector<std::string> out;
  for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(name, nid, i)) {
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    unsigned char* utf8 = nullptr;
    const int n = ASN1_STRING_to_UTF8(&utf8, data);
    if (n >= 0) {
      out.emplace_back(reinterpret_cast<const char*>(utf8), static_cast<size_t>(n));
      OPENSSL_free(utf8);
    }
  }
  return out;
}

std::string sha256_hex(const std::string& der) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(der.data(), der.size(), digest, &size, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

}  // namespace

struct CertificateVerifier::State {
  std::unique_ptr<X509_STORE, StoreFree> store{X509_STORE_new()};
};

CertificateVerifier::CertificateVerifier(std::unique_ptr<State> state, const core::Clock& clock)
    : state_(std::move(state)), clock_(clock) {}

CertificateVerifier::~CertificateVerifier() = default;

core::Result<std::shared_ptr<const CertificateVerifier>> CertificateVerifier::from_pem(
    const std::string& pem, const core::Clock& clock) {
  auto state = std::make_unique<State>();
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  int added = 0;
  while (X509Ptr cert{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)}) {
    if (X509_STORE_add_cert(state->store.get(), cert.get()) == 1) {
      ++added;
    }
  }
  if (added == 0) {
    return core::fail(core::Error::bad_request("the CA bundle holds no valid PEM certificate"));
  }
  return std::shared_ptr<const CertificateVerifier>(
      std::make_shared<CertificateVerifier>(std::move(state), clock));
}

// Upstream: k8s.io/apiserver pkg/authentication/request/x509/x509.go AuthenticateRequest —
// peer intermediates, ExtKeyUsageClientAuth, the current time.
core::Result<VerifiedLeaf> CertificateVerifier::verify(
    const std::vector<std::string>& chain) const {
  X509Ptr leaf = from_der(chain.front());
  if (!leaf) {
    return core::fail(unauthorized("x509: malformed client certificate"));
  }
  std::unique_ptr<STACK_OF(X509), StackFree> untrusted(sk_X509_new_null());
  for (size_t i = 1; i < chain.size(); ++i) {
    if (X509Ptr cert = from_der(chain[i])) {
      sk_X509_push(untrusted.get(), cert.release());
    }
  }
  std::unique_ptr<X509_STORE_CTX, CtxFree> ctx(X509_STORE_CTX_new());
  X509_NAME* subject = X509_get_subject_name(leaf.get());
  const auto names = name_entries(subject, NID_commonName);
  VerifiedLeaf out;
  out.common_name = names.empty() ? std::string() : names.back();  // Go keeps the last CN
  if (X509_STORE_CTX_init(ctx.get(), state_->store.get(), leaf.get(), untrusted.get()) != 1) {
    return core::fail(unauthorized("x509: cannot start verification"));
  }
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_CLIENT);
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()),
                             std::chrono::system_clock::to_time_t(clock_.system_now()));
  if (X509_verify_cert(ctx.get()) != 1) {
    const int code = X509_STORE_CTX_get_error(ctx.get());
    return core::fail(unauthorized("verifying certificate CN=" + out.common_name +
                                   " failed: x509: " + X509_verify_cert_error_string(code)));
  }
  out.organizations = name_entries(subject, NID_organizationName);
  out.sha256_hex = sha256_hex(chain.front());
  return out;
}

}  // namespace kscale::auth

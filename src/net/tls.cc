#include "net/tls.h"

#include <filesystem>
#include <memory>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace kscale::net {

namespace {

template <auto Fn>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Fn(p);
  }
};
using PKeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using NamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;

std::string openssl_error() {
  const unsigned long e = ERR_get_error();
  if (e == 0) {
    return "unknown OpenSSL error";
  }
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

core::Error tls_error(const std::string& what) {
  return core::Error::internal(what + ": " + openssl_error());
}

bool add_san(GENERAL_NAMES* names, const std::string& name) {
  boost::system::error_code ec;
  const auto ip = boost::asio::ip::make_address(name, ec);
  GENERAL_NAME* gn = GENERAL_NAME_new();
  if (!ec) {
    ASN1_OCTET_STRING* oct = ASN1_OCTET_STRING_new();
    if (ip.is_v4()) {
      const auto bytes = ip.to_v4().to_bytes();
      ASN1_OCTET_STRING_set(oct, bytes.data(), static_cast<int>(bytes.size()));
    } else {
      const auto bytes = ip.to_v6().to_bytes();
      ASN1_OCTET_STRING_set(oct, bytes.data(), static_cast<int>(bytes.size()));
    }
    GENERAL_NAME_set0_value(gn, GEN_IPADD, oct);
  } else {
    ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
    ASN1_STRING_set(ia5, name.data(), static_cast<int>(name.size()));
    GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
  }
  return sk_GENERAL_NAME_push(names, gn) > 0;
}

core::Result<void> write_pem(const std::string& path, const std::function<int(BIO*)>& write) {
  BioPtr bio{BIO_new_file(path.c_str(), "w")};
  if (!bio) {
    return core::fail(
        tls_error("cannot write " + path + " (does --cert-dir exist and is it writable?)"));
  }
  if (write(bio.get()) != 1) {
    return core::fail(tls_error("cannot write PEM to " + path));
  }
  return {};
}

}  // namespace

core::Result<void> write_self_signed_certificate(const std::string& cert_path,
                                                 const std::string& key_path,
                                                 const std::vector<std::string>& names) {
  PKeyPtr key{EVP_EC_gen("P-256")};
  if (!key) {
    return core::fail(tls_error("cannot generate a P-256 key"));
  }
  X509Ptr cert{X509_new()};
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), static_cast<long>(time(nullptr)));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 365L * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* subject = X509_get_subject_name(cert.get());
  const std::string cn = names.empty() ? "localhost" : names.front();
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), subject);

  NamesPtr sans{GENERAL_NAMES_new()};
  std::vector<std::string> all{"localhost", "127.0.0.1", "::1"};
  all.insert(all.end(), names.begin(), names.end());
  for (const auto& n : all) {
    if (!add_san(sans.get(), n)) {
      return core::fail(tls_error("cannot add SAN " + n));
    }
  }
  if (X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, sans.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return core::fail(tls_error("cannot add subjectAltName"));
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    return core::fail(tls_error("cannot sign the certificate"));
  }
  auto w = write_pem(key_path, [&](BIO* b) {
    return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  if (!w) {
    return w;
  }
  std::filesystem::permissions(key_path, std::filesystem::perms::owner_read |
                                             std::filesystem::perms::owner_write);
  return write_pem(cert_path, [&](BIO* b) { return PEM_write_bio_X509(b, cert.get()); });
}

core::Result<std::shared_ptr<boost::asio::ssl::context>> make_server_tls_context(
    const TlsOptions& options) {
  std::string cert = options.cert_file;
  std::string key = options.key_file;
  if (cert.empty() != key.empty()) {
    return core::fail(core::Error::bad_request(
        "--tls-cert-file and --tls-private-key-file must be given together"));
  }
  if (cert.empty()) {
    const std::filesystem::path dir =
        options.cert_dir.empty() ? "apiserver.local.config/certificates" : options.cert_dir;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      return core::fail(
          core::Error::internal("cannot create --cert-dir " + dir.string() + ": " + ec.message()));
    }
    cert = (dir / "apiserver.crt").string();
    key = (dir / "apiserver.key").string();
    // Regenerated at every start so the SANs follow the current --tls-sni names.
    auto generated = write_self_signed_certificate(cert, key, options.names);
    if (!generated) {
      return core::fail(generated.error());
    }
  }
  auto ctx = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
  ctx->set_options(boost::asio::ssl::context::default_workarounds |
                   boost::asio::ssl::context::no_sslv2 | boost::asio::ssl::context::no_sslv3 |
                   boost::asio::ssl::context::no_tlsv1 | boost::asio::ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert, ec);
  if (ec) {
    return core::fail(
        core::Error::bad_request("cannot load TLS certificate " + cert + ": " + ec.message()));
  }
  ctx->use_private_key_file(key, boost::asio::ssl::context::pem, ec);
  if (ec) {
    return core::fail(
        core::Error::bad_request("cannot load TLS private key " + key + ": " + ec.message()));
  }
  return ctx;
}

core::Result<std::shared_ptr<boost::asio::ssl::context>> make_client_tls_context(
    const std::string& ca_file, bool insecure_skip_verify) {
  ClientTlsOptions options;
  options.ca_file = insecure_skip_verify ? std::string() : ca_file;  // as before: insecure wins
  options.insecure_skip_verify = insecure_skip_verify;
  auto ctx = make_client_tls_context(options);
  if (!ctx && !options.ca_file.empty()) {
    return core::fail(core::Error::bad_request("--certificate-authority " + ctx.error().message));
  }
  return ctx;
}

core::Result<std::shared_ptr<boost::asio::ssl::context>> make_client_tls_context(
    const ClientTlsOptions& options) {
  namespace ssl = boost::asio::ssl;
  const bool has_ca = !options.ca_file.empty() || !options.ca_pem.empty();
  if (options.insecure_skip_verify && has_ca) {
    // Upstream: client-go transport/transport.go: "specifying a root certificates file with the
    // insecure flag is not allowed".
    return core::fail(core::Error::bad_request(
        "a certificate authority together with insecure-skip-tls-verify is not allowed: "
        "remove one of them"));
  }
  const bool has_cert = !options.cert_file.empty() || !options.cert_pem.empty();
  const bool has_key = !options.key_file.empty() || !options.key_pem.empty();
  if (has_cert != has_key) {
    return core::fail(core::Error::bad_request(
        has_cert ? "a client certificate needs its client key (client-key or client-key-data)"
                 : "a client key needs its client certificate (client-certificate or "
                   "client-certificate-data)"));
  }
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                   ssl::context::no_tlsv1_1);
  if (options.insecure_skip_verify) {
    ctx->set_verify_mode(ssl::verify_none);
  } else {
    ctx->set_verify_mode(ssl::verify_peer, ec);
    if (!options.ca_pem.empty()) {
      ctx->add_certificate_authority(boost::asio::buffer(options.ca_pem), ec);
      if (ec) {
        return core::fail(core::Error::bad_request("certificate-authority-data: " + ec.message()));
      }
    } else if (!options.ca_file.empty()) {
      ctx->load_verify_file(options.ca_file, ec);
      if (ec) {
        return core::fail(core::Error::bad_request(options.ca_file + ": " + ec.message()));
      }
    } else {
      ctx->set_default_verify_paths(ec);
    }
  }
  if (!options.cert_pem.empty()) {
    ctx->use_certificate_chain(boost::asio::buffer(options.cert_pem), ec);
    if (ec) {
      return core::fail(core::Error::bad_request("client-certificate-data: " + ec.message()));
    }
  } else if (!options.cert_file.empty()) {
    ctx->use_certificate_chain_file(options.cert_file, ec);
    if (ec) {
      return core::fail(core::Error::bad_request("client certificate " + options.cert_file + ": " +
                                                 ec.message()));
    }
  }
  if (!options.key_pem.empty()) {
    ctx->use_private_key(boost::asio::buffer(options.key_pem), ssl::context::pem, ec);
    if (ec) {
      return core::fail(core::Error::bad_request("client-key-data: " + ec.message()));
    }
  } else if (!options.key_file.empty()) {
    ctx->use_private_key_file(options.key_file, ssl::context::pem, ec);
    if (ec) {
      return core::fail(
          core::Error::bad_request("client key " + options.key_file + ": " + ec.message()));
    }
  }
  if (has_cert && SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    return core::fail(core::Error::bad_request(
        "the client key does not match the client certificate: " + openssl_error()));
  }
  return ctx;
}

}  // namespace kscale::net

#pragma once
// auth::CertificateVerifier: verifies a TLS peer's certificate chain (leaf first, DER) against one
// CA bundle for client authentication, as Go's x509.Certificate.Verify does for
// k8s.io/apiserver's x509 authenticators (peer intermediates, ExtKeyUsageClientAuth).

#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/errors.h"

namespace kscale::auth {

/// The parts of a verified leaf the authenticators use.
struct VerifiedLeaf {
  std::string common_name;
  std::vector<std::string> organizations;  // subject O values, in order
  std::string sha256_hex;                  // SHA-256 of the leaf DER, lower-case hex
};

/// Immutable after construction; verify() is thread-safe.
class CertificateVerifier {
 public:
  /// Parses a PEM bundle of CA certificates. Errors: no certificate in it, or a malformed one.
  [[nodiscard]] static core::Result<std::shared_ptr<const CertificateVerifier>> from_pem(
      const std::string& pem, const core::Clock& clock);
  struct State;
  /// Used by from_pem (State is opaque).
  CertificateVerifier(std::unique_ptr<State> state, const core::Clock& clock);
  ~CertificateVerifier();
  CertificateVerifier(const CertificateVerifier&) = delete;
  CertificateVerifier& operator=(const CertificateVerifier&) = delete;

  /// Verifies `chain[0]` against the CA bundle at the clock's wall time, using chain[1..] as
  /// intermediates, with the TLS client purpose. Errors (Unauthorized): the reason, e.g.
  /// "verifying certificate CN=x failed: x509: certificate signed by unknown authority (…)".
  /// Precondition: chain is not empty.
  [[nodiscard]] core::Result<VerifiedLeaf> verify(const std::vector<std::string>& chain) const;

 private:
  std::unique_ptr<State> state_;
  const core::Clock& clock_;
};

}  // namespace kscale::auth

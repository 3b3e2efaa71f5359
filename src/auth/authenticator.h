#pragma once
// auth::Authenticator: the delegated authentication chain of k8s.io/apiserver
// (pkg/authentication/authenticatorfactory/delegating.go): request header (front proxy), client
// certificate, bearer token through TokenReview, then anonymous; system:authenticated added;
// authentication headers removed.

#include <atomic>
#include <memory>

#include <boost/asio/awaitable.hpp>

#include "auth/authentication_config.h"
#include "auth/token_review_authenticator.h"
#include "auth/user_info.h"
#include "core/clock.h"
#include "core/errors.h"
#include "kube/api_client.h"
#include "net/http_types.h"
#include "net/server.h"

namespace kscale::auth {

/// Thread-safe: authenticate() runs on any thread while apply() swaps the configuration.
class Authenticator {
 public:
  /// `token_reviews` null = no bearer-token path. `clock` and `token_reviews` must outlive it.
  Authenticator(kube::ApiClient* token_reviews, const core::Clock& clock,
                std::chrono::seconds token_cache_ttl,
                WebhookOptions token_webhook = TokenReviewAuthenticator::default_webhook_options());
  ~Authenticator();
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  /// Installs a configuration (parses its CA bundles); requests after it use it, and certificate
  /// verdicts memoized for the previous one are dropped. Errors: a CA bundle without a valid
  /// certificate (the previous configuration stays).
  [[nodiscard]] core::Result<void> apply(const AuthenticationConfig& config);

  /// The caller of `request` on a connection with `peer`: the first of request header, client
  /// certificate, bearer token that names a user (with system:authenticated added unless it
  /// has it or system:unauthenticated); if none does, an error from any of them (Unauthorized)
  /// or else anonymous (system:anonymous, [system:unauthenticated]). On success Authorization and
  /// every standard and configured request header are removed from `request`. `request` and
  /// `peer` must live until it completes (the session's). A kept-alive connection's chain is
  /// verified once per configuration (memoized by chain).
  boost::asio::awaitable<core::Result<UserInfo>> authenticate(net::Request& request,
                                                              const net::Peer& peer);

 private:
  struct Snapshot;
  kube::ApiClient* token_reviews_;
  const core::Clock& clock_;
  std::unique_ptr<TokenReviewAuthenticator> tokens_;
  std::atomic<std::shared_ptr<const Snapshot>> snapshot_;
};

/// 401 with the Status body upstream sends for any authentication failure
/// (k8s.io/apiserver endpoints/handlers/responsewriters Unauthorized).
net::Response unauthorized_response();

}  // namespace kscale::auth

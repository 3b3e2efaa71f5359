#pragma once
// auth::TokenReviewAuthenticator: bearer tokens judged by the kube-apiserver through TokenReview
// (k8s.io/apiserver plugin/pkg/authenticator/token/webhook), behind the token cache
// (pkg/authentication/token/cache: key HMAC-SHA256(random key, token), one TTL for both
// outcomes, errors not cached).

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>

#include "auth/user_info.h"
#include "auth/webhook_client.h"
#include "core/clock.h"
#include "core/errors.h"
#include "kube/api_client.h"

namespace kscale::auth {

/// An authenticator's answer: a user, no opinion (nullopt), or an error (Unauthorized).
using AuthResult = core::Result<std::optional<UserInfo>>;

/// Thread-safe. `client` and `clock` must outlive it.
class TokenReviewAuthenticator {
 public:
  /// `webhook.clock` is set to `clock` (it measures the deadline).
  TokenReviewAuthenticator(kube::ApiClient& client, const core::Clock& clock,
                           std::chrono::seconds cache_ttl,
                           WebhookOptions webhook = default_webhook_options());
  TokenReviewAuthenticator(const TokenReviewAuthenticator&) = delete;
  TokenReviewAuthenticator& operator=(const TokenReviewAuthenticator&) = delete;

  /// The user the token belongs to; an error when the review says `authenticated: false`
  /// (status.error, else "invalid bearer token"), or when it could not be made — a transport
  /// failure or a non-2xx answer after the retries (not cached).
  /// A cached outcome (either) is answered without a request until `cache_ttl` has passed.
  boost::asio::awaitable<AuthResult> authenticate(std::string token);

  /// The TokenReview body for a token (no audiences: kube-apiserver applies its own).
  static std::string review_body(const std::string& token);
  /// Upstream's delegated TokenReview: no client timeout (so no `?timeout=`; the authentication
  /// client of pkg/server/options/authentication.go getClient sets none) and the 10 s
  /// TokenRequestTimeout as a deadline around the whole retry (webhook.go AuthenticateToken).
  static WebhookOptions default_webhook_options();
  /// The outcome of a 2xx TokenReview answer's body; `cacheable` says whether upstream caches it (an
  /// `authenticated: false` with status.error is an error there, hence not cached).
  struct Outcome {
    AuthResult result;
    bool cacheable = false;
  };
  static Outcome parse_review(std::string_view answer_body);

 private:
  struct Entry {
    AuthResult result;
    core::MonotonicTime expires;
  };
  std::string cache_key(const std::string& token) const;
  std::optional<AuthResult> cached(const std::string& key);
  void remember(std::string key, const AuthResult& result);

  kube::ApiClient& client_;
  const core::Clock& clock_;
  std::chrono::seconds ttl_;
  WebhookOptions webhook_;
  std::string hmac_key_;  // random, per process
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> cache_;  // guarded by mutex_
  size_t next_sweep_;  // expired entries are dropped when the cache reaches this size
};

}  // namespace kscale::auth

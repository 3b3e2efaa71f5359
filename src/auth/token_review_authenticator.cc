#include "auth/token_review_authenticator.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>
#include "auth/detail/unauthorized.h"

namespace kscale::auth {

namespace {

using detail::unauthorized;

constexpr std::string_view kTokenReviews = "/apis/authentication.k8s.io/v1/tokenreviews";
constexpr std::string_view kTokenReviewResource = "tokenreviews.authentication.k8s.io";
constexpr size_t kFirstSweep = 1024;

std::string string_at(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::vector<std::string> strings_of(const boost::json::value* v) {
  std::vector<std::string> out;
  if (v != nullptr && v->is_array()) {
    for (const auto& item : v->get_array()) {
      if (item.is_string()) {
        out.emplace_back(item.get_string());
      }
    }
  }
  return out;
}

UserInfo user_of(const boost::json::object& status) {
  UserInfo user;
  const auto* u = status.if_contains("user");
  if (u == nullptr || !u->is_object()) {
    return user;
  }
  const auto& o = u->get_object();
  user.name = string_at(o, "username");
  user.uid = string_at(o, "uid");
  user.groups = strings_of(o.if_contains("groups"));
  if (const auto* extra = o.if_contains("extra"); extra != nullptr && extra->is_object()) {
    for (const auto& [key, values] : extra->get_object()) {
      user.extra[std::string(key)] = strings_of(&values);
    }
  }
  return user;
}

}  // namespace

TokenReviewAuthenticator::TokenReviewAuthenticator(kube::ApiClient& client,
                                                   const core::Clock& clock,
                                                   std::chrono::seconds cache_ttl,
                                                   WebhookOptions webhook)
    : client_(client),
      clock_(clock),
      ttl_(cache_ttl),
      webhook_(std::move(webhook)),
      hmac_key_(32, '\0'),
      next_sweep_(kFirstSweep) {
  webhook_.clock = &clock_;
  RAND_bytes(reinterpret_cast<unsigned char*>(hmac_key_.data()),
             static_cast<int>(hmac_key_.size()));
}

WebhookOptions TokenReviewAuthenticator::default_webhook_options() {
  WebhookOptions options;
  options.timeout = std::chrono::milliseconds::zero();
  options.deadline = std::chrono::seconds{10};
  return options;
}

std::string TokenReviewAuthenticator::review_body(const std::string& token) {
  boost::json::object review{{"apiVersion", "authentication.k8s.io/v1"},
                             {"kind", "TokenReview"},
                             {"spec", boost::json::object{{"token", token}}}};
  return boost::json::serialize(review);
}

// Upstream: k8s.io/apiserver plugin/pkg/authenticator/token/webhook/webhook.go
// AuthenticateToken, and the cache's rule (token/cache/cached_token_authenticator.go) that
// errors are not cached.
TokenReviewAuthenticator::Outcome TokenReviewAuthenticator::parse_review(
    std::string_view answer_body) {
  boost::system::error_code ec;
  const auto doc = boost::json::parse(answer_body, ec);
  const auto* status = !ec && doc.is_object() ? doc.get_object().if_contains("status") : nullptr;
  if (status == nullptr || !status->is_object()) {
    return {core::fail(unauthorized("TokenReview answer has no status")), false};
  }
  const auto& s = status->get_object();
  const auto* authenticated = s.if_contains("authenticated");
  if (authenticated != nullptr && authenticated->is_bool() && authenticated->get_bool()) {
    return {std::optional<UserInfo>(user_of(s)), true};
  }
  const std::string error = string_at(s, "error");
  if (!error.empty()) {
    return {core::fail(unauthorized(error)), false};
  }
  // Cached as a failure; the bearer-token authenticator's default error.
  return {core::fail(unauthorized("invalid bearer token")), true};
}

std::string TokenReviewAuthenticator::cache_key(const std::string& token) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), hmac_key_.data(), static_cast<int>(hmac_key_.size()),
       reinterpret_cast<const unsigned char*>(token.data()), token.size(), mac, &size);
  return std::string(reinterpret_cast<const char*>(mac), size);
}

std::optional<AuthResult> TokenReviewAuthenticator::cached(const std::string& key) {
  const std::lock_guard lock(mutex_);
  const auto it = cache_.find(key);
  if (it == cache_.end()) {
    return std::nullopt;
  }
  if (clock_.monotonic_now() >= it->second.expires) {
    cache_.erase(it);
    return std::nullopt;
  }
  return it->second.result;
}

void TokenReviewAuthenticator::remember(std::string key, const AuthResult& result) {
  const auto now = clock_.monotonic_now();
  const std::lock_guard lock(mutex_);
  if (cache_.size() >= next_sweep_) {
    std::erase_if(cache_, [now](const auto& entry) { return now >= entry.second.expires; });
    next_sweep_ = std::max(kFirstSweep, 2 * cache_.size());
  }
  cache_.insert_or_assign(std::move(key), Entry{result, now + ttl_});
}

boost::asio::awaitable<AuthResult> TokenReviewAuthenticator::authenticate(std::string token) {
  std::string key = cache_key(token);
  if (auto hit = cached(key)) {
    co_return std::move(*hit);
  }
  std::string body = review_body(token);
  // A non-2xx answer is an error too (client-go's Create), hence a 401 and not cached.
  const auto answer = co_await post_webhook(client_, kTokenReviews, kTokenReviewResource,
                                            std::move(body), webhook_);
  if (!answer) {
    spdlog::warn("TokenReview failed: {}", answer.error().message);
    co_return core::fail(unauthorized("TokenReview failed: " + answer.error().message));
  }
  Outcome outcome = parse_review(*answer);
  if (outcome.cacheable && ttl_.count() > 0) {
    remember(std::move(key), outcome.result);
  }
  co_return std::move(outcome.result);
}

}  // namespace kscale::auth

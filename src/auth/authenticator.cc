#include "auth/authenticator.h"

#include <mutex>
#include <unordered_map>

#include <boost/beast/core/string.hpp>
#include <spdlog/spdlog.h>

#include "auth/certificate_verifier.h"
#include "auth/detail/unauthorized.h"
#include "auth/request_header.h"

namespace kscale::auth {

namespace {

using detail::unauthorized;

// A chain's verdicts are re-checked after this (a certificate may expire on a kept-alive
// connection), and the memo is emptied past kMaxChains distinct chains.
constexpr std::chrono::seconds kVerdictLifetime{60};
constexpr size_t kMaxChains = 4096;

// Hashes the tail of each certificate (its signature: distinct per certificate) and the sizes,
// not every byte; equality still compares the whole chain.
struct ChainHash {
  size_t operator()(const std::vector<std::string>& chain) const noexcept {
    size_t h = chain.size();
    for (const auto& der : chain) {
      const std::string_view tail =
          std::string_view(der).substr(der.size() > 32 ? der.size() - 32 : 0);
      h = h * 31 + std::hash<std::string_view>{}(tail) + der.size();
    }
    return h;
  }
};

struct ChainVerdict {
  core::MonotonicTime checked;
  bool has_front_proxy = false;
  core::Result<void> front_proxy;  // meaningful when has_front_proxy
  bool has_client = false;
  core::Result<VerifiedLeaf> client;  // meaningful when has_client
};

// Upstream: request/x509/x509.go Verifier.verifySubject.
core::Result<void> allowed_subject(const VerifiedLeaf& leaf,
                                   const std::vector<std::string>& allowed) {
  if (allowed.empty() ||
      std::find(allowed.begin(), allowed.end(), leaf.common_name) != allowed.end()) {
    return {};
  }
  return core::fail(
      unauthorized("x509: subject with cn=" + leaf.common_name + " is not in the allowed list"));
}

// Upstream: request/bearertoken/bearertoken.go AuthenticateRequest: the scheme is
// case-insensitive; an empty token (as in "Bearer  x") is no opinion.
std::optional<std::string> bearer_token(const net::Request& request) {
  const auto it = request.find(net::http::field::authorization);
  if (it == request.end()) {
    return std::nullopt;
  }
  std::string_view value = it->value();
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
    value.remove_prefix(1);
  }
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
    value.remove_suffix(1);
  }
  const size_t space = value.find(' ');
  if (space == std::string_view::npos || !boost::beast::iequals(value.substr(0, space), "bearer")) {
    return std::nullopt;
  }
  std::string_view token = value.substr(space + 1);
  token = token.substr(0, token.find(' '));
  if (token.empty()) {
    return std::nullopt;
  }
  return std::string(token);
}

UserInfo certificate_user(const VerifiedLeaf& leaf) {
  // Upstream: request/x509/x509.go CommonNameUserConversion.
  UserInfo user;
  user.name = leaf.common_name;
  user.groups = leaf.organizations;
  user.extra["authentication.kubernetes.io/credential-id"] = {"X509SHA256=" + leaf.sha256_hex};
  return user;
}

// Upstream: pkg/authentication/group/authenticated_group_adder.go.
void add_authenticated_group(UserInfo& user) {
  for (const auto& g : user.groups) {
    if (g == "system:authenticated" || g == "system:unauthenticated") {
      return;
    }
  }
  user.groups.emplace_back("system:authenticated");
}

}  // namespace

struct Authenticator::Snapshot {
  std::shared_ptr<const CertificateVerifier> front_proxy_ca;  // null: no request header path
  RequestHeaderNames names;
  std::vector<std::string> allowed_names;
  std::shared_ptr<const CertificateVerifier> client_ca;  // null: no client-certificate path
  mutable std::mutex mutex;
  mutable std::unordered_map<std::vector<std::string>, std::shared_ptr<const ChainVerdict>,
                             ChainHash>
      verdicts;  // guarded by mutex

  std::shared_ptr<const ChainVerdict> verdict_for(const std::vector<std::string>& chain,
                                                  core::MonotonicTime now) const;
};

std::shared_ptr<const ChainVerdict> Authenticator::Snapshot::verdict_for(
    const std::vector<std::string>& chain, core::MonotonicTime now) const {
  {
    const std::lock_guard lock(mutex);
    if (const auto it = verdicts.find(chain);
        it != verdicts.end() && now - it->second->checked < kVerdictLifetime) {
      return it->second;
    }
  }
  auto verdict = std::make_shared<ChainVerdict>();
  verdict->checked = now;
  if (front_proxy_ca) {
    verdict->has_front_proxy = true;
    const auto leaf = front_proxy_ca->verify(chain);
    verdict->front_proxy =
        leaf ? allowed_subject(*leaf, allowed_names) : core::Result<void>(core::fail(leaf.error()));
  }
  if (client_ca) {
    verdict->has_client = true;
    verdict->client = client_ca->verify(chain);
  }
  const std::lock_guard lock(mutex);
  if (verdicts.size() >= kMaxChains) {
    verdicts.clear();
  }
  verdicts.insert_or_assign(chain, verdict);
  return verdict;
}

Authenticator::Authenticator(kube::ApiClient* token_reviews, const core::Clock& clock,
                             std::chrono::seconds token_cache_ttl, WebhookOptions token_webhook)
    : token_reviews_(token_reviews), clock_(clock) {
  if (token_reviews_ != nullptr) {
    tokens_ = std::make_unique<TokenReviewAuthenticator>(*token_reviews_, clock_, token_cache_ttl,
                                                         std::move(token_webhook));
  }
  snapshot_.store(std::make_shared<const Snapshot>());
}

Authenticator::~Authenticator() = default;

core::Result<void> Authenticator::apply(const AuthenticationConfig& config) {
  auto snapshot = std::make_shared<Snapshot>();
  if (!config.client_ca.empty()) {
    auto ca = CertificateVerifier::from_pem(config.client_ca, clock_);
    if (!ca) {
      return core::fail(ca.error().with_context("client-ca-file"));
    }
    snapshot->client_ca = std::move(*ca);
  }
  if (config.request_header && !config.request_header->client_ca.empty()) {
    const auto& rh = *config.request_header;
    auto ca = CertificateVerifier::from_pem(rh.client_ca, clock_);
    if (!ca) {
      return core::fail(ca.error().with_context("requestheader-client-ca-file"));
    }
    snapshot->front_proxy_ca = std::move(*ca);
    snapshot->names = RequestHeaderNames{rh.username_headers, rh.uid_headers, rh.group_headers,
                                         rh.extra_header_prefixes};
    snapshot->allowed_names = rh.allowed_names;
  }
  snapshot_.store(std::move(snapshot));
  return {};
}

// Upstream: authenticatorfactory/delegating.go New (union of request header, x509, token;
// AuthenticatedGroupAdder; anonymous on no opinion only) and endpoints/filters/authentication.go
// withAuthentication (Authorization and request headers removed).
boost::asio::awaitable<core::Result<UserInfo>> Authenticator::authenticate(net::Request& request,
                                                                           const net::Peer& peer) {
  const std::shared_ptr<const Snapshot> snap = snapshot_.load();
  std::shared_ptr<const ChainVerdict> verdict;
  if (!peer.certificates.empty() && (snap->front_proxy_ca || snap->client_ca)) {
    verdict = snap->verdict_for(peer.certificates, clock_.monotonic_now());
  }
  std::optional<core::Error> error;
  std::optional<UserInfo> user;
  if (verdict && verdict->has_front_proxy) {
    if (verdict->front_proxy) {
      user = user_from_headers(request, snap->names);
    } else {
      error = verdict->front_proxy.error();
    }
  }
  if (!user && verdict && verdict->has_client) {
    if (!verdict->client) {
      error = error.value_or(verdict->client.error());
    } else if (!verdict->client->common_name.empty()) {
      user = certificate_user(*verdict->client);
    }
  }
  if (!user && tokens_) {
    if (auto token = bearer_token(request)) {
      auto reviewed = co_await tokens_->authenticate(std::move(*token));
      if (!reviewed) {
        error = error.value_or(reviewed.error());
      } else {
        user = std::move(*reviewed);
      }
    }
  }
  if (user) {
    add_authenticated_group(*user);
  } else if (error) {
    spdlog::debug("unable to authenticate the request: {}", error->message);
    co_return core::fail(*error);
  } else {
    user = UserInfo{"system:anonymous", "", {"system:unauthenticated"}, {}};
  }
  request.erase(net::http::field::authorization);
  clear_authentication_headers(request, standard_request_header_names());
  if (snap->front_proxy_ca) {
    clear_authentication_headers(request, snap->names);
  }
  co_return std::move(*user);
}

net::Response unauthorized_response() { return net::error_response(unauthorized("Unauthorized")); }

}  // namespace kscale::auth

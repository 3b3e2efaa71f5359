#pragma once
// auth::Authorizer: delegated authorization as k8s.io/apiserver's DelegatingAuthorizationOptions
// builds it — privileged groups, always-allowed paths, then a cached SubjectAccessReview — and
// the 403 / 500 answers of its WithAuthorization filter.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "auth/request_info.h"
#include "auth/user_info.h"
#include "auth/webhook_client.h"
#include "core/clock.h"
#include "core/errors.h"
#include "kube/api_client.h"
#include "net/http_types.h"

namespace kscale::auth {

namespace detail {
class DecisionCache;
}

struct AuthorizerOptions {
  /// --authorization-always-allow-paths: non-resource paths allowed without a review; a leading
  /// '/' is optional, a trailing '*' makes a prefix, "/" alone matches the root.
  std::vector<std::string> always_allow_paths{"/healthz", "/readyz", "/livez"};
  /// Users in one of these groups are allowed without a review (upstream's AlwaysAllowGroups).
  std::vector<std::string> always_allow_groups{"system:masters"};
  /// --authorization-webhook-cache-authorized-ttl / -unauthorized-ttl.
  std::chrono::nanoseconds authorized_ttl{std::chrono::seconds{10}};
  std::chrono::nanoseconds unauthorized_ttl{std::chrono::seconds{10}};
  /// Timeout per review try (upstream's ClientTimeout) and the retry backoff.
  WebhookOptions webhook;
  /// --push-authorization: push paths are judged by push_request_info (a `create` on the
  /// metric's resource) instead of as non-resource `post`s.
  bool push_authorization = false;
  /// Entries of the review cache (upstream: 8192).
  size_t cache_size = 8192;
};

enum class Decision { Allow, Deny, NoOpinion };

/// What the authorizer chain decided (upstream: authorizer.Decision, reason, error).
struct Authorization {
  Decision decision = Decision::NoOpinion;
  /// The review's status.reason, if any.
  std::string reason;
  /// Set when no decision could be had (a review that failed after its retries, or one that
  /// both allowed and denied): the request is answered 500.
  std::optional<std::string> error;
};

/// Thread-safe: any number of coroutines may call authorize() and check() at once (the review
/// cache is locked; `client` must be thread-safe itself). `client` and `clock` must outlive it.
class Authorizer {
  struct Key {  // the pass key: only create() constructs
    explicit Key() = default;
  };

 public:
  /// `client` null: no reviews, so a request no group or path allows is forbidden (upstream with
  /// no authorization kubeconfig). Errors: an always-allow path with a '*' before its end (400,
  /// upstream's message "only trailing * allowed in ...").
  [[nodiscard]] static core::Result<std::unique_ptr<Authorizer>> create(AuthorizerOptions options,
                                                                        kube::ApiClient* client,
                                                                        const core::Clock& clock);
  Authorizer(Key, AuthorizerOptions options, kube::ApiClient* client, const core::Clock& clock);
  ~Authorizer();
  Authorizer(const Authorizer&) = delete;
  Authorizer& operator=(const Authorizer&) = delete;

  /// Upstream: union of privilegedGroupAuthorizer, the path authorizer and WebhookAuthorizer.
  /// Allowed and denied reviews are cached (by the serialized spec) for their TTL unless the
  /// request's namespace, verb, group, version, resource, subresource, name and path total
  /// 10,000 bytes or more; failed reviews are not cached.
  boost::asio::awaitable<Authorization> authorize(const UserInfo& user, const RequestInfo& info);

  /// The whole filter for one request (upstream WithRequestInfo + WithAuthorization): nullopt
  /// when it may proceed, else the answer to send — 403 Status JSON (forbidden_response), 500
  /// text (internal_error_response) when no decision could be had, 400 for a path with a bad
  /// escape.
  boost::asio::awaitable<std::optional<net::Response>> check(const net::Request& request,
                                                             const UserInfo& user);

  /// Reviews sent so far (tests, metrics).
  uint64_t reviews_sent() const;

 private:
  bool path_allowed(const RequestInfo& info) const;
  boost::asio::awaitable<Authorization> review(const UserInfo& user, const RequestInfo& info);

  AuthorizerOptions options_;
  kube::ApiClient* client_;
  const core::Clock& clock_;
  std::vector<std::string> exact_paths_;  // without the leading '/'
  std::vector<std::string> path_prefixes_;
  std::unique_ptr<detail::DecisionCache> cache_;
  std::atomic<uint64_t> reviews_sent_{0};
};

/// The request's attributes as the filter judges them: push_request_info for a push path when
/// `push_authorization`, else make_request_info.
[[nodiscard]] core::Result<RequestInfo> authorization_attributes(std::string_view method,
                                                                 std::string_view target,
                                                                 bool push_authorization);

/// 403 with upstream's Status (responsewriters.ForbiddenStatusError): message
/// `<group-resource> "<name>" is forbidden: User "<user>" cannot <verb> resource "<res/sub>" in
/// API group "<group>" in the namespace "<ns>"` (or "at the cluster scope"; no `"<name>"`
/// without a name; `forbidden: User "<user>" cannot <verb> path "<path>"` for a non-resource
/// request), then `: <reason>` when there is one; &, <, > in the "User …" part HTML-escaped;
/// details {name, group, kind: resource}. Header X-Content-Type-Options: nosniff.
net::Response forbidden_response(const UserInfo& user, const RequestInfo& info,
                                 std::string_view reason);

/// 500 text/plain as upstream's responsewriters.InternalError (Go's http.Error):
/// `Internal Server Error: "<request URI>": <error>` + "\n", &, <, > HTML-escaped.
net::Response internal_error_response(std::string_view request_uri, std::string_view error);

}  // namespace kscale::auth

#include "auth/authorizer.h"

#include <algorithm>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include "auth/detail/decision_cache.h"
#include "auth/detail/subject_access_review.h"
#include "auth/push_request_info.h"

namespace kscale::auth {

namespace {

namespace asio = boost::asio;

constexpr std::string_view kReviewPath = "/apis/authorization.k8s.io/v1/subjectaccessreviews";
constexpr std::string_view kReviewResource = "subjectaccessreviews.authorization.k8s.io";
// Upstream: webhook.go maxControlledAttrCacheSize.
constexpr size_t kMaxControlledAttrCacheSize = 10'000;

// Go's strconv.Quote (%q) for the ASCII a request carries; other bytes are kept as they are.
std::string go_quote(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\v':
        out += "\\v";
        break;
      default:
        if (u < 0x20 || u == 0x7f) {
          out += "\\x";
          out += kHex[u >> 4];
          out += kHex[u & 0xf];
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

// Upstream: responsewriters/errors.go sanitizer.
std::string sanitize(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Upstream: responsewriters/errors.go forbiddenMessage.
std::string forbidden_message(const UserInfo& user, const RequestInfo& info) {
  const std::string who = "User " + go_quote(user.name) + " cannot " + info.verb;
  if (!info.is_resource_request) {
    return who + " path " + go_quote(info.path);
  }
  std::string resource = info.resource;
  if (!info.subresource.empty()) {
    resource += "/" + info.subresource;
  }
  std::string msg =
      who + " resource " + go_quote(resource) + " in API group " + go_quote(info.api_group);
  if (!info.namespace_name.empty()) {
    return msg + " in the namespace " + go_quote(info.namespace_name);
  }
  return msg + " at the cluster scope";
}

// Upstream: webhook.go shouldCache.
bool should_cache(const RequestInfo& info) {
  const size_t size = info.namespace_name.size() + info.verb.size() + info.api_group.size() +
                      info.api_version.size() + info.resource.size() + info.subresource.size() +
                      info.name.size() + info.path.size();
  return size < kMaxControlledAttrCacheSize;
}

// Upstream: webhook.go Authorize, the switch on the review's status.
Authorization decide(const detail::SarStatus& status) {
  if (status.denied && status.allowed) {
    return {Decision::Deny, status.reason,
            "webhook subject access review returned both allow and deny response"};
  }
  if (status.denied) {
    return {Decision::Deny, status.reason, std::nullopt};
  }
  return {status.allowed ? Decision::Allow : Decision::NoOpinion, status.reason, std::nullopt};
}

}  // namespace

core::Result<std::unique_ptr<Authorizer>> Authorizer::create(AuthorizerOptions options,
                                                             kube::ApiClient* client,
                                                             const core::Clock& clock) {
  auto a = std::make_unique<Authorizer>(Key{}, std::move(options), client, clock);
  // Upstream: pkg/authorization/path/path.go NewAuthorizer.
  for (const auto& entry : a->options_.always_allow_paths) {
    std::string_view p = entry;
    if (p.starts_with('/')) {
      p.remove_prefix(1);
    }
    if (p.empty()) {
      a->exact_paths_.emplace_back();
      continue;
    }
    if (p.substr(0, p.size() - 1).find('*') != std::string_view::npos) {
      return core::fail(core::Error::bad_request("only trailing * allowed in " + go_quote(p)));
    }
    if (p.ends_with('*')) {
      a->path_prefixes_.emplace_back(p.substr(0, p.size() - 1));
    } else {
      a->exact_paths_.emplace_back(p);
    }
  }
  return a;
}

Authorizer::Authorizer(Key, AuthorizerOptions options, kube::ApiClient* client,
                       const core::Clock& clock)
    : options_(std::move(options)),
      client_(client),
      clock_(clock),
      cache_(std::make_unique<detail::DecisionCache>(options_.cache_size)) {}

Authorizer::~Authorizer() = default;

uint64_t Authorizer::reviews_sent() const { return reviews_sent_.load(); }

bool Authorizer::path_allowed(const RequestInfo& info) const {
  if (info.is_resource_request) {
    return false;
  }
  std::string_view p = info.path;
  if (p.starts_with('/')) {
    p.remove_prefix(1);
  }
  return std::find(exact_paths_.begin(), exact_paths_.end(), p) != exact_paths_.end() ||
         std::any_of(path_prefixes_.begin(), path_prefixes_.end(),
                     [&](const std::string& prefix) { return p.starts_with(prefix); });
}

asio::awaitable<Authorization> Authorizer::authorize(const UserInfo& user,
                                                     const RequestInfo& info) {
  // Upstream: authorizerfactory privilegedGroupAuthorizer (system:masters).
  for (const auto& group : user.groups) {
    if (std::find(options_.always_allow_groups.begin(), options_.always_allow_groups.end(),
                  group) != options_.always_allow_groups.end()) {
      co_return Authorization{Decision::Allow, {}, std::nullopt};
    }
  }
  if (path_allowed(info)) {
    co_return Authorization{Decision::Allow, {}, std::nullopt};
  }
  if (client_ == nullptr) {
    co_return Authorization{};
  }
  co_return co_await review(user, info);
}

// Upstream: plugin/pkg/authorizer/webhook/webhook.go WebhookAuthorizer.Authorize, as
// DelegatingAuthorizerConfig builds it (decision on error: NoOpinion with the error).
asio::awaitable<Authorization> Authorizer::review(const UserInfo& user, const RequestInfo& info) {
  std::string key = detail::encode_sar_spec(user, info);
  if (auto cached = cache_->get(key, clock_.monotonic_now())) {
    co_return decide(*cached);
  }
  reviews_sent_.fetch_add(1);
  auto body = co_await post_webhook(*client_, kReviewPath, kReviewResource,
                                    detail::encode_sar_body(key), options_.webhook);
  auto status = body ? detail::decode_sar_status(*body)
                     : core::Result<detail::SarStatus>(core::fail(body.error()));
  if (!status) {
    spdlog::error("Failed to make webhook authorizer request: {}", status.error().message);
    co_return Authorization{Decision::NoOpinion, {}, status.error().message};
  }
  if (should_cache(info)) {
    const auto ttl = status->allowed ? options_.authorized_ttl : options_.unauthorized_ttl;
    cache_->put(std::move(key), *status, clock_.monotonic_now() + ttl);
  }
  co_return decide(*status);
}

asio::awaitable<std::optional<net::Response>> Authorizer::check(const net::Request& request,
                                                                const UserInfo& user) {
  const std::string_view method = request.method_string();
  const std::string_view target = request.target();
  auto info = authorization_attributes(method, target, options_.push_authorization);
  if (!info) {
    co_return info.error().code == 400 ? net::error_response(info.error())
                                       : internal_error_response(target, info.error().message);
  }
  const auto result = co_await authorize(user, *info);
  if (result.decision == Decision::Allow) {
    co_return std::nullopt;
  }
  if (result.error) {
    co_return internal_error_response(target, *result.error);
  }
  co_return forbidden_response(user, *info, result.reason);
}

core::Result<RequestInfo> authorization_attributes(std::string_view method, std::string_view target,
                                                   bool push_authorization) {
  if (push_authorization) {
    if (auto push = push_request_info(method, target)) {
      return std::move(*push);
    }
  }
  return make_request_info(method, target);
}

// Upstream: responsewriters ForbiddenStatusError and apierrors.NewForbidden.
net::Response forbidden_response(const UserInfo& user, const RequestInfo& info,
                                 std::string_view reason) {
  std::string err = sanitize(forbidden_message(user, info));
  if (!reason.empty()) {
    err += ": ";
    err += reason;
  }
  std::string gr = info.resource;
  if (!info.api_group.empty()) {
    gr += "." + info.api_group;
  }
  std::string message;
  if (info.resource.empty() && info.api_group.empty()) {
    message = "forbidden: " + err;
  } else if (info.name.empty()) {
    message = gr + " is forbidden: " + err;
  } else {
    message = gr + " " + go_quote(info.name) + " is forbidden: " + err;
  }
  boost::json::object details;
  if (!info.name.empty()) {
    details["name"] = info.name;
  }
  if (!info.api_group.empty()) {
    details["group"] = info.api_group;
  }
  if (!info.resource.empty()) {
    details["kind"] = info.resource;
  }
  const boost::json::object status{{"kind", "Status"},
                                   {"apiVersion", "v1"},
                                   {"metadata", boost::json::object()},
                                   {"status", "Failure"},
                                   {"message", message},
                                   {"reason", "Forbidden"},
                                   {"details", std::move(details)},
                                   {"code", 403}};
  auto res = net::json_response(boost::json::serialize(status), net::http::status::forbidden);
  res.set("X-Content-Type-Options", "nosniff");
  return res;
}

net::Response internal_error_response(std::string_view request_uri, std::string_view error) {
  std::string body = "Internal Server Error: " + go_quote(request_uri) + ": ";
  body += error;
  auto res = net::text_response(sanitize(body) + "\n", net::http::status::internal_server_error);
  res.set("X-Content-Type-Options", "nosniff");
  return res;
}

}  // namespace kscale::auth

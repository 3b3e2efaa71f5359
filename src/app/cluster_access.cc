#include "app/cluster_access.h"

#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/json/parse.hpp>
#include <spdlog/spdlog.h>

#include "kube/reflector.h"

namespace kscale::app {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kAuthenticationConfigMapPath =
    "/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication";

// Runs `task` on `ioc` (not yet run by the application) until it completes: the start-up lookups
// that decide whether the adapter may start at all.
template <class T>
core::Result<T> run_now(asio::io_context& ioc, asio::awaitable<core::Result<T>> task) {
  std::optional<core::Result<T>> out;
  asio::co_spawn(ioc, std::move(task), [&out](std::exception_ptr e, core::Result<T> r) {
    out = e ? core::fail(core::Error::internal("start-up lookup failed")) : std::move(r);
  });
  while (!out && ioc.run_one() > 0) {
  }
  ioc.restart();
  if (!out) {
    return core::fail(core::Error::internal("start-up lookup did not complete"));
  }
  return std::move(*out);
}

// The `data` of the ConfigMap as the API server answered it.
core::Result<std::map<std::string, std::string>> configmap_data(const net::Response& res) {
  if (res.result() != net::http::status::ok) {
    return core::fail(core::Error::unavailable("GET " + std::string(kAuthenticationConfigMapPath) +
                                               ": HTTP " + std::to_string(res.result_int()) + ": " +
                                               res.body().substr(0, 300)));
  }
  boost::system::error_code ec;
  const auto doc = boost::json::parse(res.body(), ec);
  if (ec || !doc.is_object()) {
    return core::fail(core::Error::unavailable("the ConfigMap is not a JSON object"));
  }
  std::map<std::string, std::string> data;
  if (const auto* d = doc.as_object().if_contains("data"); d != nullptr && d->is_object()) {
    for (const auto& [k, v] : d->as_object()) {
      if (v.is_string()) {
        data.emplace(k, v.as_string());
      }
    }
  }
  return data;
}

kube::ApiClientOptions review_client_options() {
  // k8s.io/apiserver's delegating authn/authz clients: QPS 200, burst 400.
  kube::ApiClientOptions o;
  o.qps = 200;
  o.burst = 400;
  return o;
}

}  // namespace

ClusterAccess::ClusterAccess(const AdapterConfig& config, const core::Clock& clock)
    : config_(config), clock_(clock), authn_flags_(config.authentication_flags) {}

ClusterAccess::~ClusterAccess() = default;

core::Result<std::unique_ptr<ClusterAccess>> ClusterAccess::open(const AdapterConfig& config,
                                                                 asio::io_context& ioc,
                                                                 net::TaskGroup& tasks,
                                                                 const core::Clock& clock) {
  if (!config.cluster) {
    return std::unique_ptr<ClusterAccess>{};
  }
  auto access = std::make_unique<ClusterAccess>(config, clock);
  auto connection = kube::make_cluster_connection(*config.cluster, clock);
  if (!connection) {
    return core::fail(connection.error().with_context(config.cluster->source));
  }
  if (auto r = access->connect(ioc, tasks, std::move(*connection)); !r) {
    return core::fail(r.error());
  }
  if (auto r = access->load_authentication(ioc); !r) {
    return core::fail(r.error());
  }
  spdlog::info("cluster mode: {} ({})", config.cluster->server.text, config.cluster->source);
  return access;
}

core::Result<void> ClusterAccess::connect(asio::io_context& ioc, net::TaskGroup& tasks,
                                          kube::ClusterConnection connection) {
  const auto& o = config_.options;
  const auto ex = ioc.get_executor();
  auto review_client = [&](const std::optional<kube::ClientConfig>& explicit_config,
                           const char* flag) -> core::Result<std::unique_ptr<kube::HttpApiClient>> {
    kube::ClusterConnection c = connection;
    if (explicit_config) {
      auto own = kube::make_cluster_connection(*explicit_config, clock_);
      if (!own) {
        return core::fail(own.error().with_context(flag));
      }
      c = std::move(*own);
    }
    return std::make_unique<kube::HttpApiClient>(ex, std::move(c), review_client_options(), clock_);
  };
  auto authn = review_client(config_.authentication_cluster, "--authentication-kubeconfig");
  auto authz = review_client(config_.authorization_cluster, "--authorization-kubeconfig");
  if (!authn || !authz) {
    return core::fail(!authn ? authn.error() : authz.error());
  }
  authn_client_ = std::move(*authn);
  authz_client_ = std::move(*authz);
  kube::ApiClientOptions cluster_options;
  cluster_options.qps = o.client_qps;
  cluster_options.burst = o.client_burst;
  cluster_client_ =
      std::make_unique<kube::HttpApiClient>(ex, std::move(connection), cluster_options, clock_);

  kube::ClusterCacheOptions cache_options;
  cache_options.scrape_annotated_pods = o.scrape_annotated_pods;
  cache_options.discovery_interval = config_.discovery_interval;
  cache_ = std::make_unique<kube::ClusterCache>(*cluster_client_, tasks, ex, cache_options,
                                                kube::default_reflector_env(clock_));
  authenticator_ = std::make_unique<auth::Authenticator>(authn_client_.get(), clock_,
                                                         authn_flags_.token_webhook_cache_ttl);
  auto authorizer =
      auth::Authorizer::create(config_.authorizer_options, authz_client_.get(), clock_);
  if (!authorizer) {
    return core::fail(authorizer.error().with_context("--authorization-always-allow-paths"));
  }
  authorizer_ = std::move(*authorizer);
  return {};
}

// k8s.io/apiserver reads the ConfigMap at start-up and fails without it (the RoleBinding is
// missing) unless the failure is tolerated; afterwards the watch keeps it current.
core::Result<void> ClusterAccess::load_authentication(asio::io_context& ioc) {
  std::map<std::string, std::string> data;
  if (!authn_flags_.authentication_skip_lookup) {
    auto res = run_now(ioc, authn_client_->request(net::http::verb::get,
                                                   std::string(kAuthenticationConfigMapPath), {},
                                                   net::RequestOptions{}));
    auto parsed = res ? configmap_data(*res)
                      : core::Result<std::map<std::string, std::string>>(core::fail(res.error()));
    if (!parsed && !authn_flags_.authentication_tolerate_lookup_failure) {
      return core::fail(
          core::Error::unavailable(auth::lookup_failure_message(parsed.error().message)));
    }
    if (!parsed) {
      spdlog::warn(
          "{}; continuing (--authentication-tolerate-lookup-failure): requests may be "
          "treated as anonymous",
          auth::lookup_failure_message(parsed.error().message));
    } else {
      data = std::move(*parsed);
    }
  }
  auto resolved = auth::resolve_authentication_config(data, authn_flags_);
  if (!resolved) {
    return core::fail(resolved.error().with_context("authentication"));
  }
  if (auto r = authenticator_->apply(*resolved); !r) {
    return core::fail(r.error().with_context("authentication"));
  }
  return {};
}

void ClusterAccess::apply_authentication(const std::map<std::string, std::string>& data) {
  auto resolved = auth::resolve_authentication_config(data, authn_flags_);
  if (!resolved) {
    spdlog::error(
        "extension-apiserver-authentication changed but cannot be applied (keeping the "
        "previous configuration): {}",
        resolved.error().message);
    return;
  }
  if (auto r = authenticator_->apply(*resolved); !r) {
    spdlog::error("extension-apiserver-authentication: keeping the previous configuration: {}",
                  r.error().message);
    return;
  }
  spdlog::info("extension-apiserver-authentication applied");
}

void ClusterAccess::start() {
  if (!authn_flags_.authentication_skip_lookup) {
    cache_->on_authentication_config_change([this] {
      // A ConfigMap that disappeared keeps the configuration in force (as upstream's dynamic
      // CA content keeps its last good value).
      if (auto data = cache_->authentication_config()) {
        apply_authentication(std::map<std::string, std::string>(data->begin(), data->end()));
      }
    });
  }
  cache_->start();
}

namespace {

// Every request of the secure port: who is it (401 if a credential is wrong), may they (403).
asio::awaitable<std::optional<net::Response>> authenticate_and_authorize(
    auth::Authenticator* authenticator, auth::Authorizer* authorizer, net::Request& request,
    const net::Peer& peer) {
  auto user = co_await authenticator->authenticate(request, peer);
  if (!user) {
    spdlog::debug("{} {}: unauthorized: {}", std::string(request.method_string()),
                  std::string(request.target()), user.error().message);
    co_return auth::unauthorized_response();
  }
  co_return co_await authorizer->check(request, *user);
}

}  // namespace

net::Gate ClusterAccess::gate() {
  return [authn = authenticator_.get(), authz = authorizer_.get()](net::Request& request,
                                                                   const net::Peer& peer) {
    return authenticate_and_authorize(authn, authz, request, peer);
  };
}

}  // namespace kscale::app

// Authorization's CPU per request (issue 9 target: with the review cache warm, an authorized read
// costs ≤ 10 % more CPU than the same read with authorization off): RequestInfo of the HPA's
// wildcard read, the whole authorization filter on it with a cached review, and as the peer the
// unauthorized read itself — the router dispatching it to the store provider, 100 pods.

#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "api/routes.h"
#include "api/store_metrics_provider.h"
#include "auth/authorizer.h"
#include "auth/request_info.h"
#include "core/clock.h"
#include "kube/static_cluster_view.h"
#include "store/series_store.h"

namespace {

using namespace kscale;
namespace asio = boost::asio;

const std::string kTarget =
    "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/%2A/http_requests_qps"
    "?labelSelector=app%3Dhttpserver";

const auth::UserInfo kHpa{
    "system:serviceaccount:kube-system:horizontal-pod-autoscaler",
    "0d5b9c1e-6f2a-4b9e-9a53-3f1f8f0c6a11",
    {"system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"},
    {{"authentication.kubernetes.io/credential-id", {"JTI=7c1d3f0e-2b4a-4e57-9a8c-1f2e3d4c5b6a"}},
     {"authentication.kubernetes.io/pod-name", {"kube-controller-manager-0"}}}};

// Answers every review "allowed" (only the first is sent: the rest hit the cache).
class AllowingApiClient final : public kube::ApiClient {
 public:
  asio::awaitable<core::Result<net::Response>> request(net::http::verb, std::string, std::string,
                                                       net::RequestOptions) override {
    co_return net::json_response(R"({"status":{"allowed":true}})", net::http::status::created);
  }
  asio::awaitable<core::Result<net::Response>> stream(std::string, net::RequestOptions,
                                                      kube::BodySink) override {
    co_return core::fail(core::Error::internal("not used"));
  }
};

net::Request hpa_read() {
  net::Request req{net::http::verb::get, kTarget, 11};
  req.set(net::http::field::accept, "application/json");
  return req;
}

void BM_RequestInfoHpaRead(benchmark::State& state) {
  for (auto _ : state) {
    auto info = auth::make_request_info("GET", kTarget);
    benchmark::DoNotOptimize(info);
  }
}
BENCHMARK(BM_RequestInfoHpaRead);

// The filter as the secure port's gate runs it: RequestInfo, the groups and paths, the cached
// review, inside the connection's coroutine.
void BM_AuthorizeCachedHpaRead(benchmark::State& state) {
  core::RealClock clock;
  AllowingApiClient client;
  auto authorizer = auth::Authorizer::create(auth::AuthorizerOptions{}, &client, clock);
  const auto req = hpa_read();
  asio::io_context ioc;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        co_await (*authorizer)->check(req, kHpa);  // warms the cache
        for (auto _ : state) {
          auto denied = co_await (*authorizer)->check(req, kHpa);
          benchmark::DoNotOptimize(denied);
        }
      },
      asio::detached);
  ioc.run();
  if ((*authorizer)->reviews_sent() != 1) {
    state.SkipWithError("the review cache did not answer");
  }
}
BENCHMARK(BM_AuthorizeCachedHpaRead);

// The peer: the same read with authorization off, in process (no socket, no HTTP parsing), so
// the ratio overstates authorization's share of a real read.
void BM_UnauthorizedHpaReadDispatch(benchmark::State& state) {
  core::RealClock clock;
  store::SeriesStore store(clock, store::StoreOptions{});
  std::vector<store::CustomPoint> points;
  for (int i = 0; i < 100; ++i) {
    points.push_back(
        store::CustomPoint{{core::GroupResource{"pods", ""},
                            "default",
                            "httpserver-7d9f8-" + std::to_string(10000 + i),
                            "http_requests_qps",
                            {}},
                           {clock.system_now(), core::Quantity::from_milli(30000), std::nullopt}});
  }
  store.put_custom(std::move(points));
  kube::StaticClusterView cluster;
  api::StoreMetricsProvider provider(store, cluster);
  net::Router router;
  api::install_metrics_api_routes(router, provider, provider);
  const auto req = hpa_read();
  for (auto _ : state) {
    auto res = router.dispatch(req);
    benchmark::DoNotOptimize(res);
  }
  if (router.dispatch(req).result_int() != 200) {
    state.SkipWithError("the read failed");
  }
}
BENCHMARK(BM_UnauthorizedHpaReadDispatch);

}  // namespace

BENCHMARK_MAIN();

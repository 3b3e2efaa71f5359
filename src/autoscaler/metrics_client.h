#pragma once
// autoscaler::MetricsClient: reads custom.metrics.k8s.io and external.metrics.k8s.io over HTTPS
// exactly as the HPA controller does (shared/specs/metrics-api.md §5: version discovery, request
// paths and parameters, MilliValue decoding, error texts), so any adapter can answer it.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "autoscaler/metrics_source.h"
#include "core/errors.h"
#include "hpa/hpa_spec.h"
#include "hpa/metric_snapshot.h"
#include "net/http_client.h"
#include "net/http_url.h"

namespace boost::asio::ssl {
class context;
}

namespace kscale::autoscaler {

struct MetricsClientOptions {
  std::string server;  // https://host:port (the adapter, or an API server that aggregates it)
  std::string certificate_authority;  // PEM file to verify the server with; empty: system CAs
  bool insecure_skip_tls_verify = false;
  std::string bearer_token;  // sent as Authorization: Bearer when set
  std::chrono::milliseconds timeout{10'000};
};

/// The request the HPA controller sends for one metric, as a path with query
/// (GET /apis/custom.metrics.k8s.io/<version>/namespaces/<ns>/pods/%2A/<metric>?labelSelector=…).
/// `scale_selector` is the scale's status.selector. BadRequest for Resource metrics (served by
/// metrics.k8s.io, not read here), unknown types, and selectors that do not parse.
[[nodiscard]] core::Result<std::string> metric_request_target(const hpa::MetricSpec& spec,
                                                              std::string_view namespace_name,
                                                              std::string_view scale_selector,
                                                              std::string_view custom_version);

/// Go's url.QueryEscape (as url.Values.Encode uses it).
std::string query_escape(std::string_view s);

/// Decodes a 2xx MetricValueList (custom, v1beta1 or v1beta2) or ExternalMetricValueList body
/// into the snapshot the engine reads, values as Quantity.MilliValue(). `single_object` applies
/// the Object-metric rule "exactly one item".
[[nodiscard]] core::Result<hpa::MetricSnapshot> decode_metric_list(std::string_view body,
                                                                   bool external,
                                                                   bool single_object);

/// The error a Kubernetes client reports for a non-2xx answer: a Status body's message, else
/// client-go's generic text for the code.
std::string response_error(int code, std::string_view body, std::string_view what);

/// The custom.metrics.k8s.io version a discovery document (GET /apis) offers, as the HPA
/// controller picks it. NotFound when the group is not there.
[[nodiscard]] core::Result<std::string> preferred_custom_version(std::string_view apis_body);

/// The metrics API over HTTPS with the one client (net::HttpConnection): one kept-alive connection
/// per metric of the HPA plus one for discovery, opened on the executor of the first fetch.
/// Not thread-safe: one fetch at a time, on one executor (MetricsSource's contract).
class MetricsClient final : public MetricsSource {
 public:
  [[nodiscard]] static core::Result<std::unique_ptr<MetricsClient>> create(
      MetricsClientOptions options);
  MetricsClient(MetricsClientOptions options, std::shared_ptr<boost::asio::ssl::context> tls,
                net::HttpUrl server);
  ~MetricsClient() override;
  MetricsClient(const MetricsClient&) = delete;
  MetricsClient& operator=(const MetricsClient&) = delete;

  // autoscaler::MetricsSource
  /// Requests run concurrently; the custom-metrics version is rediscovered once per call, as
  /// the controller invalidates its choice every sync period.
  boost::asio::awaitable<std::vector<hpa::MetricSnapshot>> fetch(
      hpa::HorizontalPodAutoscaler hpa, std::string scale_selector) override;

  /// The custom.metrics.k8s.io version the last fetch used ("v1beta2"), if discovered.
  const std::optional<std::string>& custom_version() const { return custom_version_; }

 private:
  boost::asio::awaitable<core::Result<std::string>> discover_custom_version();
  net::HttpConnection& connection(boost::asio::any_io_executor executor, std::size_t i);
  net::RequestOptions request_options() const;
  static hpa::MetricSnapshot snapshot_of(const hpa::MetricSpec& m,
                                         const core::Result<net::Response>& response);

  MetricsClientOptions options_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  net::HttpUrl server_;
  std::vector<std::unique_ptr<net::HttpConnection>> connections_;
  std::optional<std::string> custom_version_;
};

}  // namespace kscale::autoscaler

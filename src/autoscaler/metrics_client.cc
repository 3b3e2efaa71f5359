#include "autoscaler/metrics_client.h"

#include <boost/asio/this_coro.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>

#include "core/group_resource.h"
#include "core/label_selector.h"
#include "core/label_selector_json.h"
#include "core/quantity.h"
#include "core/time_format.h"
#include "kube/metric_value_list.h"
#include "net/tls.h"
#include "net/when_all.h"

namespace kscale::autoscaler {

namespace {

namespace json = boost::json;
using hpa::MetricSourceType;

constexpr std::string_view kCustomGroup = "custom.metrics.k8s.io";

const json::value* find(const json::value& v, std::string_view key) {
  if (!v.is_object()) {
    return nullptr;
  }
  const auto* m = v.as_object().if_contains(key);
  return m == nullptr || m->is_null() ? nullptr : m;
}

std::string string_of(const json::value* v) {
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : "";
}

std::string selector_param(const boost::json::value& selector) {
  auto s = core::label_selector_string(selector, "selector");
  return s ? *s : std::string();
}

std::string with_query(std::string path,
                       const std::vector<std::pair<std::string, std::string>>& params) {
  char sep = '?';
  for (const auto& [k, v] : params) {
    if (v.empty()) {
      continue;  // Upstream: empty selectors are "no parameter"
    }
    path += sep + k + "=" + query_escape(v);
    sep = '&';
  }
  return path;
}

bool is_group_version_known(std::string_view v) { return v == "v1beta2" || v == "v1beta1"; }

}  // namespace

std::string query_escape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

core::Result<std::string> metric_request_target(const hpa::MetricSpec& spec, std::string_view ns,
                                                std::string_view scale_selector,
                                                std::string_view version) {
  const std::string metric_selector = selector_param(spec.metric.selector);
  switch (spec.type) {
    case MetricSourceType::Pods: {
      // Upstream: replica_calculator.go GetMetricReplicas → metrics/client.go GetRawMetric with
      // the scale's selector; the client names all pods with the "*" wildcard, escaped as %2A.
      std::string selector(scale_selector);
      if (!selector.empty()) {
        auto parsed = core::LabelSelector::parse(selector);
        if (!parsed) {
          return core::fail(parsed.error());
        }
        selector = parsed->to_string();
      }
      return with_query(fmt::format("/apis/{}/{}/namespaces/{}/pods/%2A/{}", kCustomGroup, version,
                                    ns, spec.metric.name),
                        {{"labelSelector", selector}, {"metricLabelSelector", metric_selector}});
    }
    case MetricSourceType::Object: {
      const auto& obj = spec.described_object;
      if (obj.kind == "Namespace" && (obj.api_version == "v1" || obj.api_version.empty())) {
        return with_query(fmt::format("/apis/{}/{}/namespaces/{}/metrics/{}", kCustomGroup, version,
                                      ns, spec.metric.name),
                          {{"metricLabelSelector", metric_selector}});
      }
      auto info = core::resolve_kind(obj.kind, obj.api_version);
      if (!info) {
        return core::fail(info.error());
      }
      return with_query(fmt::format("/apis/{}/{}/namespaces/{}/{}/{}/{}", kCustomGroup, version, ns,
                                    info->group_resource.to_string(), obj.name, spec.metric.name),
                        {{"metricLabelSelector", metric_selector}});
    }
    case MetricSourceType::External:
      return with_query(fmt::format("/apis/external.metrics.k8s.io/v1beta1/namespaces/{}/{}", ns,
                                    spec.metric.name),
                        {{"labelSelector", metric_selector}});
    case MetricSourceType::Resource:
    case MetricSourceType::ContainerResource:
      return core::fail(core::Error::bad_request(
          "the server could not find the requested resource (get pods.metrics.k8s.io)"));
    case MetricSourceType::Unknown:
      break;
  }
  return core::fail(core::Error::bad_request(
      fmt::format("unrecognized metric source type \"{}\"", spec.type_name)));
}

core::Result<hpa::MetricSnapshot> decode_metric_list(std::string_view body, bool external,
                                                     bool single_object) {
  boost::system::error_code ec;
  const json::value doc = json::parse(body, ec);
  if (ec || !doc.is_object()) {
    return core::fail(
        core::Error::bad_request("unable to decode the metrics API answer: not a JSON object"));
  }
  const std::string kind = string_of(find(doc, "kind"));
  const std::string api_version = string_of(find(doc, "apiVersion"));
  const std::string want_kind = external ? "ExternalMetricValueList" : "MetricValueList";
  if (kind.empty()) {
    return core::fail(core::Error::bad_request("Object 'Kind' is missing in '" +
                                               std::string(body.substr(0, 200)) + "'"));
  }
  if (kind != want_kind) {
    return core::fail(core::Error::bad_request(
        fmt::format("no kind \"{}\" is registered for version \"{}\"", kind, api_version)));
  }
  const auto* items = find(doc, "items");
  const std::size_t n = items != nullptr && items->is_array() ? items->as_array().size() : 0;
  if (single_object && n != 1) {
    // Upstream: k8s.io/metrics custom_metrics client, GetForObject.
    return core::fail(core::Error::bad_request(fmt::format(
        "the custom metrics API server returned {} results when we asked for exactly one", n)));
  }
  hpa::MetricSnapshot snap;
  auto decoded =
      external
          ? kube::decode_external_metric_value_items(
                doc,
                [&](kube::ExternalMetricValueItem& item) {
                  snap.external_values.push_back(hpa::ExternalMetricValue{
                      std::move(item.labels), item.timestamp.value_or(core::SystemTime{}),
                      item.value.milli_value()});
                  return core::Result<void>{};
                })
          : kube::decode_metric_value_items(
                doc, kube::custom_list_version(api_version).value_or(kube::CustomVersion::V1Beta2),
                [&](kube::MetricValueItem& item) {
                  snap.values.push_back(hpa::MetricValue{
                      std::string(item.described_kind), std::string(item.described_name),
                      item.timestamp.value_or(core::SystemTime{}), item.window,
                      item.value.milli_value()});
                  return core::Result<void>{};
                });
  if (!decoded) {
    return core::fail(decoded.error());
  }
  return snap;
}

std::string response_error(int code, std::string_view body, std::string_view what) {
  boost::system::error_code ec;
  const json::value doc = json::parse(body, ec);
  if (!ec && string_of(find(doc, "kind")) == "Status" && find(doc, "message") != nullptr) {
    return string_of(find(doc, "message"));
  }
  // Upstream: apimachinery errors.NewGenericServerResponse, as client-go reports a non-Status body.
  std::string message;
  switch (code) {
    case 401:
      message = "Unauthorized";
      break;
    case 403:
      message = "forbidden";
      break;
    case 404:
      message = "the server could not find the requested resource";
      break;
    case 429:
      message = "the server has received too many requests and has asked us to try again later";
      break;
    case 503:
      message = "the server is currently unable to handle the request";
      break;
    case 504:
      message =
          "the server was unable to return a response in the time allotted, but may still be processing the request";
      break;
    default:
      message =
          fmt::format("an error on the server (\"{}\") has prevented the request from succeeding",
                      body.substr(0, 200));
  }
  return fmt::format("{} ({})", message, what);
}

core::Result<std::unique_ptr<MetricsClient>> MetricsClient::create(MetricsClientOptions options) {
  auto url = net::parse_url(options.server);
  if (!url || !url->tls) {
    return core::fail(core::Error::bad_request(fmt::format(
        "--metrics-server \"{}\": want https://host:port (the metrics API is served over TLS)",
        options.server)));
  }
  auto tls =
      net::make_client_tls_context(options.certificate_authority, options.insecure_skip_tls_verify);
  if (!tls) {
    return core::fail(tls.error());
  }
  return std::make_unique<MetricsClient>(std::move(options), std::move(*tls), std::move(*url));
}

MetricsClient::MetricsClient(MetricsClientOptions options,
                             std::shared_ptr<boost::asio::ssl::context> tls, net::HttpUrl server)
    : options_(std::move(options)), tls_(std::move(tls)), server_(std::move(server)) {}

MetricsClient::~MetricsClient() = default;

net::HttpConnection& MetricsClient::connection(boost::asio::any_io_executor executor,
                                               std::size_t i) {
  if (connections_.size() <= i) {
    connections_.resize(i + 1);
  }
  if (!connections_[i]) {
    connections_[i] = std::make_unique<net::HttpConnection>(std::move(executor), server_, tls_);
  }
  return *connections_[i];
}

net::RequestOptions MetricsClient::request_options() const {
  net::RequestOptions o;
  o.headers = {{"Accept", "application/json, */*"}};
  if (!options_.bearer_token.empty()) {
    o.headers.emplace_back("Authorization", "Bearer " + options_.bearer_token);
  }
  o.timeout = options_.timeout;
  return o;
}

boost::asio::awaitable<core::Result<std::string>> MetricsClient::discover_custom_version() {
  auto executor = co_await boost::asio::this_coro::executor;
  auto res = co_await connection(executor, 0)
                 .request(net::http::verb::get, "/apis", "", request_options());
  if (!res) {
    co_return core::fail(res.error());
  }
  if (res->result_int() / 100 != 2) {
    co_return core::fail(
        core::Error::unavailable(response_error(res->result_int(), res->body(), "get /apis")));
  }
  co_return preferred_custom_version(res->body());
}

core::Result<std::string> preferred_custom_version(std::string_view body) {
  boost::system::error_code ec;
  const json::value doc = json::parse(body, ec);
  const auto* groups = ec ? nullptr : find(doc, "groups");
  if (groups != nullptr && groups->is_array()) {
    for (const auto& g : groups->as_array()) {
      if (string_of(find(g, "name")) != kCustomGroup) {
        continue;
      }
      // Upstream: k8s.io/metrics custom_metrics.NewAvailableAPIsGetter — the preferred version
      // if known, else the first known version.
      if (const auto* pref = find(g, "preferredVersion")) {
        if (const std::string v = string_of(find(*pref, "version")); is_group_version_known(v)) {
          return v;
        }
      }
      if (const auto* versions = find(g, "versions"); versions != nullptr && versions->is_array()) {
        for (const auto& v : versions->as_array()) {
          if (const std::string name = string_of(find(v, "version"));
              is_group_version_known(name)) {
            return name;
          }
        }
      }
    }
  }
  return core::fail(
      core::Error::not_found("no custom metrics API (custom.metrics.k8s.io) registered"));
}

hpa::MetricSnapshot MetricsClient::snapshot_of(const hpa::MetricSpec& m,
                                               const core::Result<net::Response>& response) {
  hpa::MetricSnapshot snap;
  const bool external = m.type == MetricSourceType::External;
  const std::string resource = external ? "external.metrics.k8s.io" : std::string(kCustomGroup);
  if (!response) {
    snap.error = response.error().message;
    return snap;
  }
  const auto& res = *response;
  if (res.result_int() / 100 != 2) {
    const std::string what =
        m.type == MetricSourceType::Pods
            ? fmt::format("get pods.{} *", resource)
            : fmt::format("get {}.{} {}",
                          m.type == MetricSourceType::Object ? "objects" : m.metric.name, resource,
                          m.described_object.name);
    snap.error = response_error(res.result_int(), res.body(), what);
    return snap;
  }
  auto decoded = decode_metric_list(res.body(), external, m.type == MetricSourceType::Object);
  if (!decoded) {
    snap.error = decoded.error().message;
    return snap;
  }
  return std::move(*decoded);
}

boost::asio::awaitable<std::vector<hpa::MetricSnapshot>> MetricsClient::fetch(
    hpa::HorizontalPodAutoscaler hpa, std::string scale_selector) {
  auto executor = co_await boost::asio::this_coro::executor;
  std::vector<hpa::MetricSnapshot> out(hpa.spec.metrics.size());
  bool needs_custom = false;
  for (const auto& m : hpa.spec.metrics) {
    needs_custom =
        needs_custom || m.type == MetricSourceType::Pods || m.type == MetricSourceType::Object;
  }
  std::optional<core::Error> version_error;
  if (needs_custom) {
    auto v = co_await discover_custom_version();
    if (v) {
      custom_version_ = *v;
    } else {
      custom_version_.reset();
      version_error = v.error();
    }
  }
  // One kept-alive connection per metric (connection 0 discovers), so the requests run at once.
  std::vector<boost::asio::awaitable<core::Result<net::Response>>> requests;
  std::vector<std::size_t> slots;
  for (std::size_t i = 0; i < hpa.spec.metrics.size(); ++i) {
    const auto& m = hpa.spec.metrics[i];
    const bool custom = m.type == MetricSourceType::Pods || m.type == MetricSourceType::Object;
    if (custom && version_error) {
      out[i].error = version_error->message;
      continue;
    }
    auto target = metric_request_target(m, hpa.namespace_, scale_selector,
                                        custom_version_.value_or("v1beta2"));
    if (!target) {
      out[i].error = target.error().message;
      continue;
    }
    requests.push_back(
        connection(executor, i + 1)
            .request(net::http::verb::get, std::move(*target), "", request_options()));
    slots.push_back(i);
  }
  auto responses = co_await net::when_all(std::move(requests));
  for (std::size_t k = 0; k < slots.size(); ++k) {
    out[slots[k]] = snapshot_of(hpa.spec.metrics[slots[k]], responses[k]);
  }
  co_return out;
}

}  // namespace kscale::autoscaler

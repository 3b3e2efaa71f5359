#pragma once
// net::Router: a table from (verb, path template) to handler. It does only the cross-cutting
// work: matching with per-segment percent-decoding, 404/405/406 as Status objects, mapping
// core::Error to a Status, the access log, per-route request counts and latency.

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/errors.h"
#include "net/http_types.h"
#include "net/metrics_registry.h"
#include "net/query.h"

namespace kscale::net {

/// Values of the `{name}` segments of the matched template, already percent-decoded.
class PathParams {
 public:
  void set(std::string name, std::string value) {
    values_.emplace_back(std::move(name), std::move(value));
  }
  /// The value of `{name}`; empty when the template has no such segment.
  std::string_view get(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

struct RequestContext {
  const Request& request;
  const PathParams& params;
  const QueryParams& query;
};

using Handler = std::function<core::Result<Response>(const RequestContext&)>;

class Router {
 public:
  /// `registry` (optional) receives kscale_http_requests_total{route,code="2xx"...} and
  /// kscale_http_request_duration_seconds{route}.
  explicit Router(MetricsRegistry* registry = nullptr);

  /// Registers `handler` for `verb` on `path_template`: segments are literals or `{name}`; a
  /// final `{name...}` captures the rest of the path. Templates are matched in registration
  /// order; a literal segment beats a parameter only by registering the literal route first.
  void add(http::verb verb, std::string path_template, Handler handler);

  /// Runs the matching handler; never throws (a handler's exception becomes a 500 Status).
  Response dispatch(const Request& request) const;

  /// The registered templates, for the test that walks the route table.
  std::vector<std::pair<http::verb, std::string>> routes() const;

 private:
  struct Segment {
    std::string text;
    bool param = false;
    bool rest = false;
  };
  struct Route {
    http::verb verb;
    std::string path_template;
    std::vector<Segment> segments;
    Handler handler;
    std::array<Counter*, 5> by_class{};  // 1xx..5xx
    Histogram* latency = nullptr;
  };

  bool match(const Route& route, const std::vector<std::string>& segments,
             PathParams& params) const;
  Response run(const Route& route, const RequestContext& ctx) const;

  MetricsRegistry* registry_;
  std::vector<Route> routes_;
};

/// True when the Accept header admits application/json (absent, */*, application/*, or a JSON
/// clause with any parameters such as kubectl's as=Table list). Spec metrics-api.md §7.
bool accepts_json(std::string_view accept);

}  // namespace kscale::net

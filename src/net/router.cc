#include "net/router.h"

#include <algorithm>
#include <chrono>
#include <exception>

#include <spdlog/spdlog.h>

namespace kscale::net {

std::string_view PathParams::get(std::string_view name) const {
  for (const auto& [k, v] : values_) {
    if (k == name) {
      return v;
    }
  }
  return {};
}

Router::Router(MetricsRegistry* registry) : registry_(registry) {}

void Router::add(http::verb verb, std::string path_template, Handler handler) {
  Route route{verb, path_template, {}, std::move(handler)};
  std::string_view t = path_template;
  while (!t.empty()) {
    if (t.front() == '/') {
      t.remove_prefix(1);
      continue;
    }
    const auto slash = t.find('/');
    std::string_view seg = t.substr(0, slash);
    t = slash == std::string_view::npos ? std::string_view{} : t.substr(slash);
    Segment s;
    if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
      s.param = true;
      seg = seg.substr(1, seg.size() - 2);
      if (seg.ends_with("...")) {
        s.rest = true;
        seg.remove_suffix(3);
      }
    }
    s.text = std::string(seg);
    route.segments.push_back(std::move(s));
  }
  if (registry_ != nullptr) {
    route.latency = &registry_->histogram(
        "kscale_http_request_duration_seconds", "Latency of HTTP requests by route.",
        MetricsRegistry::default_latency_buckets(), {{"route", path_template}});
    for (size_t c = 0; c < route.by_class.size(); ++c) {
      route.by_class[c] = &registry_->counter(
          "kscale_http_requests_total", "HTTP requests by route and status class.",
          {{"route", path_template}, {"code", std::to_string(c + 1) + "xx"}});
    }
  }
  routes_.push_back(std::move(route));
}

std::vector<std::pair<http::verb, std::string>> Router::routes() const {
  std::vector<std::pair<http::verb, std::string>> out;
  for (const auto& r : routes_) {
    out.emplace_back(r.verb, r.path_template);
  }
  return out;
}

bool Router::match(const Route& route, const std::vector<std::string>& segments,
                   PathParams& params) const {
  size_t i = 0;
  for (const auto& seg : route.segments) {
    if (seg.rest) {
      std::string rest;
      for (size_t j = i; j < segments.size(); ++j) {
        rest += (j == i ? "" : "/") + segments[j];
      }
      params.set(seg.text, std::move(rest));
      return true;
    }
    if (i >= segments.size()) {
      return false;
    }
    if (seg.param) {
      params.set(seg.text, segments[i]);
    } else if (seg.text != segments[i]) {
      return false;
    }
    ++i;
  }
  return i == segments.size();
}

namespace {

// Splits the path into percent-decoded segments; a trailing '/' is ignored, as the apiserver's
// discovery paths allow it. nullopt on a malformed escape.
std::optional<std::vector<std::string>> split_path(std::string_view path) {
  std::vector<std::string> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    const auto slash = path.find('/');
    auto seg = percent_decode_segment(path.substr(0, slash));
    if (!seg) {
      return std::nullopt;
    }
    out.push_back(std::move(*seg));
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

bool accepts_json(std::string_view accept) {
  if (trim(accept).empty()) {
    return true;
  }
  while (!accept.empty()) {
    const auto comma = accept.find(',');
    std::string_view clause = accept.substr(0, comma);
    accept = comma == std::string_view::npos ? std::string_view{} : accept.substr(comma + 1);
    const auto semi = clause.find(';');
    const std::string_view type = trim(clause.substr(0, semi));
    bool zero_q = false;
    bool other_representation = false;
    if (semi != std::string_view::npos) {
      std::string_view params = clause.substr(semi + 1);
      zero_q = params.find("q=0") != std::string_view::npos &&
               params.find("q=0.") == std::string_view::npos;
      // "as=Table" or "as=APIGroupDiscoveryList" ask for documents kscale does not produce.
      other_representation = params.find("as=") != std::string_view::npos;
    }
    if (!zero_q && !other_representation &&
        (type == "*/*" || type == "application/*" || type == "application/json")) {
      return true;
    }
  }
  return false;
}

Response Router::run(const Route& route, const RequestContext& ctx) const {
  try {
    auto result = route.handler(ctx);
    return result ? std::move(*result) : error_response(result.error());
  } catch (const std::exception& e) {
    spdlog::error("handler for {} threw: {}", route.path_template, e.what());
    return error_response(core::Error::internal(std::string("internal error: ") + e.what()));
  }
}

Response Router::dispatch(const Request& request) const {
  const auto start = std::chrono::steady_clock::now();
  const std::string_view target = request.target();
  const auto qmark = target.find('?');
  const auto segments = split_path(target.substr(0, qmark));
  if (!segments) {
    return error_response(
        core::Error::bad_request("invalid request path: malformed percent-escape"));
  }
  auto query = QueryParams::parse(qmark == std::string_view::npos ? std::string_view{}
                                                                  : target.substr(qmark + 1));
  if (!query) {
    return error_response(query.error());
  }
  bool path_matched = false;
  for (const auto& route : routes_) {
    PathParams params;
    if (!match(route, *segments, params)) {
      continue;
    }
    path_matched = true;
    // HEAD is answered by the GET route (the session drops the body).
    if (route.verb != request.method() &&
        !(request.method() == http::verb::head && route.verb == http::verb::get)) {
      continue;
    }
    Response res = run(route, RequestContext{request, params, *query});
    if (route.latency != nullptr) {
      route.latency->observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      const size_t cls = std::clamp<size_t>(res.result_int() / 100, 1, 5) - 1;
      route.by_class[cls]->inc();
    }
    // The access log is off at the default level; checking first skips building its arguments
    // (two string copies) on every request.
    if (spdlog::should_log(spdlog::level::debug)) {
      spdlog::debug("{} {} {}", std::string(request.method_string()), std::string(target),
                    res.result_int());
    }
    return res;
  }
  const core::Error err =
      path_matched ? core::Error::method_not_allowed() : core::Error::route_not_found();
  if (spdlog::should_log(spdlog::level::debug)) {
    spdlog::debug("{} {} {}", std::string(request.method_string()), std::string(target), err.code);
  }
  return error_response(err);
}

}  // namespace kscale::net

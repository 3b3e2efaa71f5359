#include "sources/scrape_config.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include <yaml-cpp/yaml.h>

#include "core/group_resource.h"
#include "core/label_selector.h"
#include "net/http_client.h"

namespace kscale::sources {

namespace {

using std::chrono::milliseconds;

core::Error at(const std::string& path, std::string message) {
  return core::Error::bad_request(path + ": " + std::move(message));
}

// validate_rule/validate_target name fields relative to the item ("window: ..."); inside a
// file the item's path goes first ("rules[0].window: ...").
core::Error under(const std::string& path, core::Error e) {
  e.message = path + "." + e.message;
  return e;
}

// Strict decoding (prometheus-adapter loads its rules with yaml.UnmarshalStrict): every key of
// a mapping must be known.
core::Result<void> known_keys(const YAML::Node& node, const std::string& path,
                              std::initializer_list<std::string_view> keys) {
  if (!node.IsMap()) {
    return core::fail(at(path, "want a mapping"));
  }
  for (const auto& kv : node) {
    const auto key = kv.first.Scalar();
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      std::string known;
      for (auto k : keys) {
        known += (known.empty() ? "" : ", ") + std::string(k);
      }
      return core::fail(at(path + "." + key, "unknown field (known: " + known + ")"));
    }
  }
  return {};
}

core::Result<std::string> scalar(const YAML::Node& node, const std::string& path) {
  if (!node.IsScalar()) {
    return core::fail(at(path, "want a string"));
  }
  return node.Scalar();
}

core::Result<core::Labels> string_map(const YAML::Node& node, const std::string& path) {
  core::Labels out;
  if (node.IsNull()) {
    return out;
  }
  if (!node.IsMap()) {
    return core::fail(at(path, "want a mapping of strings"));
  }
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    if (!kv.second.IsScalar()) {
      return core::fail(at(path + "." + key, "want a string"));
    }
    out[key] = kv.second.Scalar();
  }
  return out;
}

core::Result<milliseconds> duration(const YAML::Node& node, const std::string& path) {
  auto text = scalar(node, path);
  if (!text) {
    return core::fail(text.error());
  }
  auto d = parse_prometheus_duration(*text);
  if (!d) {
    return core::fail(at(path, d.error().message));
  }
  return *d;
}

// Metric names served through the API: the Prometheus metric-name characters plus '-' and '.',
// as the push API accepts (core/object_names.cc validate_metric_name).
bool valid_metric_name(std::string_view name) {
  if (name.empty() || name.size() > 253) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == ':' || c == '-' || c == '.';
  });
}

// Upstream: prometheus model/metric.go IsValidMetricName (legacy charset), which is what a
// 0.0.4 exposition can carry unquoted.
bool valid_series_name(std::string_view name) {
  if (name.empty()) {
    return false;
  }
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
                    (i > 0 && c >= '0' && c <= '9');
    if (!ok) {
      return false;
    }
  }
  return true;
}

// The scalar at node[key], which must be there; `what` says what it is in the error.
core::Result<std::string> required_scalar(const YAML::Node& node, const std::string& path,
                                          const std::string& key, std::string_view what) {
  if (!node[key]) {
    return core::fail(at(path + "." + key, "required (" + std::string(what) + ")"));
  }
  return scalar(node[key], path + "." + key);
}

core::Result<ScrapeRule> parse_rule(const YAML::Node& node, const std::string& path) {
  if (auto r = known_keys(node, path,
                          {"seriesName", "labelMatchers", "metric", "kind", "window", "aggregate"});
      !r) {
    return core::fail(r.error());
  }
  ScrapeRule rule;
  if (auto v =
          required_scalar(node, path, "seriesName", "the scraped series, e.g. http_requests_total");
      v) {
    rule.series_name = *v;
  } else {
    return core::fail(v.error());
  }
  if (node["labelMatchers"]) {
    auto m = string_map(node["labelMatchers"], path + ".labelMatchers");
    if (!m) {
      return core::fail(m.error());
    }
    rule.label_matchers = std::move(*m);
  }
  if (auto v =
          required_scalar(node, path, "metric", "the metric name served, e.g. http_requests_qps");
      v) {
    rule.metric = *v;
  } else {
    return core::fail(v.error());
  }
  if (node["kind"]) {
    auto v = scalar(node["kind"], path + ".kind");
    if (!v) {
      return core::fail(v.error());
    }
    if (*v == "rate") {
      rule.kind = RuleKind::Rate;
    } else if (*v == "increase") {
      rule.kind = RuleKind::Increase;
    } else if (*v == "gauge") {
      rule.kind = RuleKind::Gauge;
    } else {
      return core::fail(
          at(path + ".kind", "unknown kind \"" + *v + "\" (want rate, increase or gauge)"));
    }
  }
  if (node["window"]) {
    auto d = duration(node["window"], path + ".window");
    if (!d) {
      return core::fail(d.error());
    }
    rule.window = *d;
  }
  if (node["aggregate"]) {
    auto v = scalar(node["aggregate"], path + ".aggregate");
    if (!v) {
      return core::fail(v.error());
    }
    static const std::map<std::string, Aggregation, std::less<>> kNames = {
        {"sum", Aggregation::Sum},
        {"avg", Aggregation::Avg},
        {"max", Aggregation::Max},
        {"min", Aggregation::Min},
        {"none", Aggregation::None}};
    const auto it = kNames.find(*v);
    if (it == kNames.end()) {
      return core::fail(at(path + ".aggregate",
                           "unknown aggregation \"" + *v + "\" (want sum, avg, max, min or none)"));
    }
    rule.aggregate = it->second;
  }
  if (auto r = validate_rule(rule); !r) {
    return core::fail(under(path, r.error()));
  }
  return rule;
}

core::Result<Target> parse_target(const YAML::Node& node, const std::string& path,
                                  milliseconds default_interval,
                                  std::optional<milliseconds> default_timeout) {
  if (auto r = known_keys(node, path, {"namespace", "pod", "labels", "url", "interval", "timeout"});
      !r) {
    return core::fail(r.error());
  }
  Target target;
  target.interval = default_interval;
  target.timeout = default_timeout;
  for (auto [key, field] : {std::pair{"namespace", &target.namespace_name},
                            {"pod", &target.pod},
                            {"url", &target.url}}) {
    if (!node[key]) {
      if (std::string_view(key) == "namespace") {
        target.namespace_name = "default";
        continue;
      }
      return core::fail(at(path + "." + key, "required"));
    }
    auto v = scalar(node[key], path + "." + key);
    if (!v) {
      return core::fail(v.error());
    }
    *field = *v;
  }
  if (node["labels"]) {
    auto m = string_map(node["labels"], path + ".labels");
    if (!m) {
      return core::fail(m.error());
    }
    target.labels = std::move(*m);
  }
  if (node["interval"]) {
    auto d = duration(node["interval"], path + ".interval");
    if (!d) {
      return core::fail(d.error());
    }
    target.interval = *d;
  }
  if (node["timeout"]) {
    auto d = duration(node["timeout"], path + ".timeout");
    if (!d) {
      return core::fail(d.error());
    }
    target.timeout = *d;
  }
  if (auto r = validate_target(target); !r) {
    return core::fail(under(path, r.error()));
  }
  return target;
}

// The `rules` list: each rule parsed, and each metric made by one rule only.
core::Result<std::vector<ScrapeRule>> parse_rules(const YAML::Node& rules) {
  if (!rules || !rules.IsSequence() || rules.size() == 0) {
    return core::fail(
        at("rules", "want a non-empty list of rules (seriesName, metric, kind, window)"));
  }
  std::vector<ScrapeRule> out;
  std::map<std::string, size_t> metric_rule;
  for (size_t i = 0; i < rules.size(); ++i) {
    const std::string path = "rules[" + std::to_string(i) + "]";
    auto rule = parse_rule(rules[i], path);
    if (!rule) {
      return core::fail(rule.error());
    }
    if (auto [it, fresh] = metric_rule.emplace(rule->metric, i); !fresh) {
      return core::fail(at(path + ".metric", "\"" + rule->metric + "\" is already made by rules[" +
                                                 std::to_string(it->second) +
                                                 "]; each metric needs one rule"));
    }
    out.push_back(std::move(*rule));
  }
  return out;
}

// Every rate/increase rule's window must hold two scrapes of the target at `path`.
core::Result<void> check_windows(const std::vector<ScrapeRule>& rules, const Target& target,
                                 const std::string& path) {
  for (size_t r = 0; r < rules.size(); ++r) {
    const auto& rule = rules[r];
    if (rule.kind != RuleKind::Gauge && rule.window < 2 * target.interval) {
      return core::fail(at("rules[" + std::to_string(r) + "].window",
                           format_prometheus_duration(rule.window) +
                               " holds fewer than two scrapes of " + path + " (interval " +
                               format_prometheus_duration(target.interval) +
                               "); rate() needs two samples, so use at least " +
                               format_prometheus_duration(2 * target.interval) +
                               " (Prometheus advises 4x the interval)"));
    }
  }
  return {};
}

// The `targets` list: each target parsed with the document's defaults, each pod listed once.
core::Result<std::vector<Target>> parse_targets(const YAML::Node& targets,
                                                const std::vector<ScrapeRule>& rules,
                                                milliseconds default_interval,
                                                std::optional<milliseconds> default_timeout) {
  std::vector<Target> out;
  if (!targets || targets.IsNull()) {
    return out;
  }
  if (!targets.IsSequence()) {
    return core::fail(at("targets", "want a list of targets (namespace, pod, labels, url)"));
  }
  std::map<std::pair<std::string, std::string>, size_t> seen;
  for (size_t i = 0; i < targets.size(); ++i) {
    const std::string path = "targets[" + std::to_string(i) + "]";
    auto target = parse_target(targets[i], path, default_interval, default_timeout);
    if (!target) {
      return core::fail(target.error());
    }
    if (auto [it, fresh] = seen.emplace(std::pair{target->namespace_name, target->pod}, i);
        !fresh) {
      return core::fail(at(path + ".pod", "pod " + target->namespace_name + "/" + target->pod +
                                              " is already targets[" + std::to_string(it->second) +
                                              "]"));
    }
    if (auto r = check_windows(rules, *target, path); !r) {
      return core::fail(r.error());
    }
    out.push_back(std::move(*target));
  }
  return out;
}

core::Result<ScrapeConfig> parse_document(const YAML::Node& root) {
  ScrapeConfig config;
  if (root.IsNull()) {
    return core::fail(core::Error::bad_request("rules: required (the scrape config is empty)"));
  }
  if (auto r = known_keys(root, "scrape config", {"interval", "timeout", "rules", "targets"}); !r) {
    // A top-level unknown key reads better without the "scrape config." prefix.
    auto e = r.error();
    if (e.message.starts_with("scrape config.")) {
      e.message.erase(0, std::string_view("scrape config.").size());
    }
    return core::fail(e);
  }
  milliseconds default_interval = kDefaultScrapeInterval;
  std::optional<milliseconds> default_timeout;
  if (root["interval"]) {
    auto d = duration(root["interval"], "interval");
    if (!d) {
      return core::fail(d.error());
    }
    if (d->count() <= 0) {
      return core::fail(at("interval", "must be greater than 0"));
    }
    default_interval = *d;
  }
  if (root["timeout"]) {
    auto d = duration(root["timeout"], "timeout");
    if (!d) {
      return core::fail(d.error());
    }
    default_timeout = *d;
  }
  auto rules = parse_rules(root["rules"]);
  if (!rules) {
    return core::fail(rules.error());
  }
  config.rules = std::move(*rules);
  auto targets = parse_targets(root["targets"], config.rules, default_interval, default_timeout);
  if (!targets) {
    return core::fail(targets.error());
  }
  config.targets = std::move(*targets);
  return config;
}

}  // namespace

milliseconds Target::effective_timeout() const {
  return timeout.value_or(std::min(kDefaultScrapeTimeout, interval));
}

core::Result<void> validate_rule(const ScrapeRule& rule) {
  if (!valid_series_name(rule.series_name)) {
    return core::fail(
        at("seriesName", "invalid series name \"" + rule.series_name +
                             "\" (letters, digits, '_' and ':', not starting with a digit)"));
  }
  for (const auto& [name, value] : rule.label_matchers) {
    if (!valid_series_name(name) || name.find(':') != std::string::npos) {
      return core::fail(at("labelMatchers." + name, "invalid label name"));
    }
  }
  if (!valid_metric_name(rule.metric)) {
    return core::fail(
        at("metric", "invalid metric name \"" + rule.metric +
                         "\": use letters, digits, '_', ':', '-' or '.' (e.g. http_requests_qps)"));
  }
  if (rule.kind == RuleKind::Gauge) {
    if (rule.window.count() != 0) {
      return core::fail(
          at("window", "a gauge rule takes the scraped value as it is; remove window"));
    }
  } else if (rule.window.count() <= 0) {
    return core::fail(at("window", "required for kind rate and increase (e.g. 30s, 2m)"));
  }
  return {};
}

core::Result<void> validate_target(const Target& target) {
  if (auto e = core::validate_dns1123_label(target.namespace_name); !e.empty()) {
    return core::fail(at("namespace", "invalid namespace \"" + target.namespace_name + "\": " + e));
  }
  if (auto e = core::validate_dns1123_subdomain(target.pod); !e.empty()) {
    return core::fail(at("pod", "invalid pod name \"" + target.pod + "\": " + e));
  }
  for (const auto& [key, value] : target.labels) {
    if (auto e = core::validate_label_key(key); !e.empty()) {
      return core::fail(at("labels." + key, e));
    }
    if (auto e = core::validate_label_value(value); !e.empty()) {
      return core::fail(at("labels." + key, e));
    }
  }
  if (auto url = net::parse_http_url(target.url); !url) {
    return core::fail(at("url", url.error().message));
  }
  if (target.interval.count() <= 0) {
    return core::fail(at("interval", "must be greater than 0"));
  }
  const auto timeout = target.effective_timeout();
  if (timeout.count() <= 0) {
    return core::fail(at("timeout", "must be greater than 0"));
  }
  // Upstream: prometheus config/config.go ScrapeConfig.Validate ("scrape timeout greater than
  // scrape interval").
  if (timeout > target.interval) {
    return core::fail(at("timeout", format_prometheus_duration(timeout) +
                                        " is greater than the interval " +
                                        format_prometheus_duration(target.interval)));
  }
  return {};
}

core::Result<ScrapeConfig> load_scrape_config(std::string_view yaml) {
  try {
    return parse_document(YAML::Load(std::string(yaml)));
  } catch (const YAML::Exception& e) {
    return core::fail(core::Error::bad_request("invalid YAML: " + e.msg + " at line " +
                                               std::to_string(e.mark.line + 1) + ", column " +
                                               std::to_string(e.mark.column + 1)));
  }
}

// Upstream: prometheus common model/time.go ParseDuration.
core::Result<milliseconds> parse_prometheus_duration(std::string_view text) {
  if (text == "0") {
    return milliseconds{0};
  }
  struct Unit {
    std::string_view name;
    int64_t ms;
  };
  static constexpr std::array<Unit, 7> kUnits = {{{"y", 365LL * 24 * 3600 * 1000},
                                                  {"w", 7LL * 24 * 3600 * 1000},
                                                  {"d", 24LL * 3600 * 1000},
                                                  {"h", 3600LL * 1000},
                                                  {"m", 60LL * 1000},
                                                  {"s", 1000},
                                                  {"ms", 1}}};
  const auto bad = [&] {
    return core::fail(core::Error::bad_request(
        "not a valid duration string: \"" + std::string(text) + "\" (e.g. 30s, 1m30s, 500ms, 2h)"));
  };
  if (text.empty()) {
    return bad();
  }
  int64_t total = 0;
  size_t next_unit = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t digits = 0;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') {
      ++digits;
    }
    if (digits == 0 || digits > 12) {
      return bad();
    }
    const int64_t n = std::stoll(std::string(rest.substr(0, digits)));
    rest.remove_prefix(digits);
    size_t unit_len = 0;
    while (unit_len < rest.size() && !(rest[unit_len] >= '0' && rest[unit_len] <= '9')) {
      ++unit_len;
    }
    const std::string_view unit = rest.substr(0, unit_len);
    rest.remove_prefix(unit_len);
    size_t u = next_unit;
    while (u < kUnits.size() && kUnits[u].name != unit) {
      ++u;
    }
    if (u == kUnits.size()) {
      return bad();
    }
    next_unit = u + 1;
    total += n * kUnits[u].ms;
  }
  return milliseconds{total};
}

std::string format_prometheus_duration(milliseconds d) {
  if (d.count() == 0) {
    return "0s";
  }
  std::string out;
  int64_t ms = d.count();
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  for (auto [unit, size] :
       {std::pair{"h", 3600'000LL}, {"m", 60'000LL}, {"s", 1000LL}, {"ms", 1LL}}) {
    if (ms >= size) {
      out += std::to_string(ms / size) + unit;
      ms %= size;
    }
  }
  return out;
}

}  // namespace kscale::sources

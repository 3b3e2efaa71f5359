#include "core/label_selector_json.h"

#include <vector>

#include <fmt/format.h>

#include "core/json_reader.h"

namespace kscale::core {

namespace {

using namespace json_reader;

std::string expression_text(const std::string& key, const std::string& op,
                            const std::vector<std::string>& values) {
  if (op == "Exists") {
    return key;
  }
  if (op == "DoesNotExist") {
    return "!" + key;
  }
  return fmt::format("{} {} ({})", key, op == "In" ? "in" : "notin", fmt::join(values, ","));
}

}  // namespace

Result<LabelSelector> decode_label_selector(const boost::json::value& selector,
                                            const std::string& path) {
  if (selector.is_null()) {
    return LabelSelector();
  }
  KSCALE_TRY(obj, as_object(selector, path));
  (void)obj;
  std::vector<std::string> parts;
  if (const auto* ml = member(selector, "matchLabels")) {
    KSCALE_TRY(labels, as_string_map(*ml, child(path, "matchLabels")));
    for (const auto& [k, v] : labels) {
      parts.push_back(k + "=" + v);
    }
  }
  if (const auto* me = member(selector, "matchExpressions")) {
    const std::string mp = child(path, "matchExpressions");
    KSCALE_TRY(arr, as_array(*me, mp));
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const std::string ip = index(mp, i);
      const auto* key = member((*arr)[i], "key");
      const auto* op = member((*arr)[i], "operator");
      if (key == nullptr || op == nullptr) {
        return fail(field_error(child(ip, key == nullptr ? "key" : "operator"), "Required value"));
      }
      KSCALE_TRY(k, as_string(*key, child(ip, "key")));
      KSCALE_TRY(o, as_string(*op, child(ip, "operator")));
      if (o != "In" && o != "NotIn" && o != "Exists" && o != "DoesNotExist") {
        return fail(field_error(
            child(ip, "operator"),
            fmt::format("Unsupported value: \"{}\": supported values: \"DoesNotExist\", "
                        "\"Exists\", \"In\", \"NotIn\"",
                        o)));
      }
      std::vector<std::string> values;
      if (const auto* vals = member((*arr)[i], "values")) {
        KSCALE_TRY(list, as_strings(*vals, child(ip, "values")));
        values = std::move(list);
      }
      parts.push_back(expression_text(k, o, values));
    }
  }
  // labels.Parse then String() gives the canonical, key-sorted form the HPA sends.
  auto parsed = LabelSelector::parse(fmt::format("{}", fmt::join(parts, ",")));
  if (!parsed) {
    return fail(field_error(path, "Invalid value: " + parsed.error().message));
  }
  return std::move(*parsed);
}

Result<std::string> label_selector_string(const boost::json::value& selector,
                                          const std::string& path) {
  return decode_label_selector(selector, path).map([](const LabelSelector& s) {
    return s.to_string();
  });
}

}  // namespace kscale::core

#include "core/label_selector.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/detail/go_strconv.h"

// Upstream: kubernetes/apimachinery pkg/labels/selector.go (Requirement.Matches/String) and
// pkg/apis/meta/v1/helpers.go ParseToLabelSelector (the metav1 echo). Parsing is in
// label_selector_parse.cc, label validation in label_validation.cc.

namespace kscale::core {
namespace {

using detail::parse_go_int64;
using Operator = LabelSelector::Operator;
using Requirement = LabelSelector::Requirement;

// ---------------------------------------------------------------------------------------------
// String() and the metav1 echo.

std::string_view operator_text(Operator op) {
  switch (op) {
    case Operator::Exists:
      return "";
    case Operator::DoesNotExist:
      return "";
    case Operator::Equals:
      return "=";
    case Operator::DoubleEquals:
      return "==";
    case Operator::NotEquals:
      return "!=";
    case Operator::In:
      return " in ";
    case Operator::NotIn:
      return " notin ";
    case Operator::GreaterThan:
      return ">";
    case Operator::LessThan:
      return "<";
  }
  return "";
}

/// Upstream Requirement.String. Values print sorted but not de-duplicated (safeSort), and a
/// single value prints as is.
void append_requirement(std::string& out, const Requirement& requirement) {
  if (requirement.op == Operator::DoesNotExist) {
    out += '!';
  }
  out += requirement.key;
  if (requirement.op == Operator::Exists || requirement.op == Operator::DoesNotExist) {
    return;
  }
  out += operator_text(requirement.op);
  const bool is_set = requirement.op == Operator::In || requirement.op == Operator::NotIn;
  if (is_set) {
    out += '(';
  }
  const auto& values = requirement.values;
  if (std::is_sorted(values.begin(), values.end())) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i > 0) {
        out += ',';
      }
      out += values[i];
    }
  } else {
    std::vector<std::string_view> sorted(values.begin(), values.end());
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < sorted.size(); ++i) {
      if (i > 0) {
        out += ',';
      }
      out += sorted[i];
    }
  }
  if (is_set) {
    out += ')';
  }
}

std::size_t estimated_size(const Requirement& requirement) {
  std::size_t size = requirement.key.size() + 8;
  for (const auto& value : requirement.values) {
    size += value.size() + 1;
  }
  return size;
}

bool has_value(const Requirement& requirement, std::string_view value) {
  return std::find(requirement.values.begin(), requirement.values.end(), value) !=
         requirement.values.end();
}

}  // namespace

// ---------------------------------------------------------------------------------------------

bool LabelSelector::Requirement::matches(const Labels& labels) const {
  const auto it = labels.find(std::string_view(key));
  const bool present = it != labels.end();
  switch (op) {
    case Operator::In:
    case Operator::Equals:
    case Operator::DoubleEquals:
      return present && has_value(*this, it->second);
    case Operator::NotIn:
    case Operator::NotEquals:
      return !present || !has_value(*this, it->second);
    case Operator::Exists:
      return present;
    case Operator::DoesNotExist:
      return !present;
    case Operator::GreaterThan:
    case Operator::LessThan: {
      if (!present || values.size() != 1) {
        return false;
      }
      const auto actual = parse_go_int64(it->second);
      const auto bound = parse_go_int64(values.front());
      if (!actual || !bound) {
        return false;
      }
      return op == Operator::GreaterThan ? *actual > *bound : *actual < *bound;
    }
  }
  return false;
}

std::string LabelSelector::Requirement::to_string() const {
  std::string out;
  out.reserve(estimated_size(*this));
  append_requirement(out, *this);
  return out;
}

LabelSelector LabelSelector::from_set(const Labels& set) {
  LabelSelector selector;
  selector.requirements_.reserve(set.size());
  for (const auto& [key, value] : set) {
    selector.requirements_.push_back(Requirement{key, Operator::Equals, {value}});
  }
  return selector;
}

bool LabelSelector::matches(const Labels& labels) const {
  return std::all_of(requirements_.begin(), requirements_.end(),
                     [&labels](const Requirement& r) { return r.matches(labels); });
}

std::string LabelSelector::to_string() const {
  std::size_t size = 0;
  for (const auto& requirement : requirements_) {
    size += estimated_size(requirement) + 1;
  }
  std::string out;
  out.reserve(size);
  for (std::size_t i = 0; i < requirements_.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    append_requirement(out, requirements_[i]);
  }
  return out;
}

// Upstream: metav1.ParseToLabelSelector(selector.String()), which prometheus-adapter uses to echo
// metricLabelSelector. Requirements are key-sorted, so matchLabels comes out in the sorted key
// order encoding/json gives a map; a repeated "=" key keeps the last value, as the map does.
Result<boost::json::value> LabelSelector::to_label_selector_json() const {
  boost::json::object match_labels;
  boost::json::array match_expressions;
  for (const auto& requirement : requirements_) {
    std::string_view op_name;
    switch (requirement.op) {
      case Operator::Equals:
      case Operator::DoubleEquals: {
        std::vector<std::string_view> distinct(requirement.values.begin(),
                                               requirement.values.end());
        std::sort(distinct.begin(), distinct.end());
        distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
        if (distinct.size() != 1) {
          return fail(Error::bad_request("equals operator must have exactly one value"));
        }
        match_labels.insert_or_assign(requirement.key, distinct.front());
        continue;
      }
      case Operator::In:
        op_name = "In";
        break;
      case Operator::NotIn:
        op_name = "NotIn";
        break;
      case Operator::Exists:
        op_name = "Exists";
        break;
      case Operator::DoesNotExist:
        op_name = "DoesNotExist";
        break;
      case Operator::NotEquals:
      case Operator::GreaterThan:
      case Operator::LessThan: {
        // The Go adapters answer 500 here; a 400 tells the client its selector is the problem.
        std::string_view op = operator_text(requirement.op);
        return fail(Error::bad_request(
            "operator \"" + std::string(op) + "\" in requirement \"" + requirement.to_string() +
            "\" cannot be used in a metric label selector echo: metav1.LabelSelector supports "
            "only =, ==, in, notin, exists (k) and does-not-exist (!k)"));
      }
    }
    boost::json::object expression;
    expression["key"] = requirement.key;
    expression["operator"] = op_name;
    std::vector<std::string_view> values(requirement.values.begin(), requirement.values.end());
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    if (!values.empty()) {
      boost::json::array json_values;
      json_values.reserve(values.size());
      for (const auto value : values) {
        json_values.emplace_back(value);
      }
      expression["values"] = std::move(json_values);
    }
    match_expressions.emplace_back(std::move(expression));
  }
  boost::json::object selector;
  if (!match_labels.empty()) {
    selector["matchLabels"] = std::move(match_labels);
  }
  if (!match_expressions.empty()) {
    selector["matchExpressions"] = std::move(match_expressions);
  }
  return boost::json::value(std::move(selector));
}

}  // namespace kscale::core

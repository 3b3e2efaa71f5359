#pragma once
// core::LabelSelector: apimachinery labels.Parse, String() and Matches, exactly
// (shared/specs/quantity-and-selectors.md, Part B), plus conversion to metav1.LabelSelector.

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "core/errors.h"
#include "core/labels.h"

namespace kscale::core {

/// Requirements are stored key-sorted. A LabelSelector is a value: const member functions may be
/// called concurrently. matches() does not allocate.
class LabelSelector {
 public:
  enum class Operator {
    Exists,
    DoesNotExist,
    Equals,
    DoubleEquals,
    NotEquals,
    In,
    NotIn,
    GreaterThan,
    LessThan
  };

  struct Requirement {
    std::string key;
    Operator op = Operator::Exists;
    std::vector<std::string> values;  // sorted, de-duplicated when parsed

    bool matches(const Labels& labels) const;
    std::string to_string() const;
  };

  /// The empty selector: matches everything, prints "".
  LabelSelector() = default;

  /// Upstream labels.Parse. Errors are BadRequest whose message is upstream's error text
  /// (e.g. "unable to parse requirement: ..." or "found 'X', expected: ...").
  [[nodiscard]] static Result<LabelSelector> parse(std::string_view text);
  /// labels.SelectorFromSet: k=v requirements sorted by key, no validation.
  static LabelSelector from_set(const Labels& set);

  bool matches(const Labels& labels) const;
  bool empty() const { return requirements_.empty(); }
  /// Canonical String(): key-sorted, comma-joined, no spaces.
  std::string to_string() const;
  const std::vector<Requirement>& requirements() const { return requirements_; }

  /// metav1.LabelSelector JSON object as the reference adapters echo metricLabelSelector:
  /// =/== → matchLabels; in/notin/exists/!exists → matchExpressions. Returns an error (400) for
  /// !=, > and < which cannot be expressed (the Go adapters answer 500 there; spec §4.5).
  [[nodiscard]] Result<boost::json::value> to_label_selector_json() const;

 private:
  std::vector<Requirement> requirements_;
};

/// Label key / value validation (§B5): empty string when valid, else upstream's message.
std::string validate_label_key(std::string_view key);
std::string validate_label_value(std::string_view value);

}  // namespace kscale::core

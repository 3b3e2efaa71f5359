// Label key and value validation with upstream's messages (validate_label_key,
// validate_label_value, declared in label_selector.h).

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/label_selector.h"

// Upstream: kubernetes/apimachinery pkg/api/validate/content/{kube,dns,errors}.go.

namespace kscale::core {
namespace {

// ---------------------------------------------------------------------------------------------
// Character classes. Label validation is ASCII-only and byte-based, as upstream's hand-written
// isValidLabelKeyName and the anchored regexes it replaced.

constexpr bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

constexpr bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// ---------------------------------------------------------------------------------------------
// Validation (content/kube.go IsLabelKey / IsLabelValue, content/dns.go IsDNS1123Subdomain). The
// messages are RegexError(...) spelled out, including its double space before " or ".

constexpr std::size_t kLabelNameMaxLength = 63;
constexpr std::size_t kDns1123SubdomainMaxLength = 253;

constexpr std::string_view kLabelKeyRegexError =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

constexpr std::string_view kLabelValueRegexError =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

constexpr std::string_view kDns1123SubdomainRegexError =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`, anchored at both ends (upstream
/// isValidLabelKeyName).
bool is_label_name(std::string_view s) {
  if (s.empty() || !is_alnum(s.front()) || !is_alnum(s.back())) {
    return false;
  }
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return is_alnum(c) || c == '-' || c == '_' || c == '.'; });
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*`, anchored: dot-separated
/// non-empty labels of [-a-z0-9] that begin and end with [a-z0-9].
bool is_dns1123_subdomain_syntax(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  std::size_t label_start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '.') {
      if (i == label_start || !is_lower_alnum(s[label_start]) || !is_lower_alnum(s[i - 1])) {
        return false;
      }
      label_start = i + 1;
    } else if (!is_lower_alnum(s[i]) && s[i] != '-') {
      return false;
    }
  }
  return true;
}

/// Adds one message to a "; "-joined list (upstream joins IsLabelKey's list that way).
void add_message(std::string& messages, std::string_view prefix, std::string_view message) {
  if (!messages.empty()) {
    messages += "; ";
  }
  messages.append(prefix).append(message);
}

/// strings.Join(content.IsLabelKey(key), "; "). Empty when valid; allocates only on failure.
std::string label_key_errors(std::string_view key) {
  std::string messages;
  std::string_view name = key;
  if (const auto slash = key.find('/'); slash != std::string_view::npos) {
    const std::string_view prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    if (name.find('/') != std::string_view::npos) {
      return "a valid label key " + std::string(kLabelKeyRegexError) +
             " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
    }
    if (prefix.empty()) {
      add_message(messages, "prefix part ", "must be non-empty");
    } else {
      if (prefix.size() > kDns1123SubdomainMaxLength) {
        add_message(messages, "prefix part ", "must be no more than 253 bytes");
      }
      if (!is_dns1123_subdomain_syntax(prefix)) {
        add_message(messages, "prefix part ", kDns1123SubdomainRegexError);
      }
    }
  }
  if (name.empty()) {
    add_message(messages, "name part ", "must be non-empty");
  } else if (name.size() > kLabelNameMaxLength) {
    add_message(messages, "name part ", "must be no more than 63 bytes");
  }
  if (!is_label_name(name)) {
    add_message(messages, "name part ", kLabelKeyRegexError);
  }
  return messages;
}

/// strings.Join(content.IsLabelValue(value), "; "). Empty when valid; allocates only on failure.
std::string label_value_errors(std::string_view value) {
  std::string messages;
  if (value.size() > kLabelNameMaxLength) {
    add_message(messages, "", "must be no more than 63 bytes");
  }
  if (!value.empty() && !is_label_name(value)) {
    add_message(messages, "", kLabelValueRegexError);
  }
  return messages;
}

}  // namespace

std::string validate_label_key(std::string_view key) { return label_key_errors(key); }

std::string validate_label_value(std::string_view value) { return label_value_errors(value); }

}  // namespace kscale::core

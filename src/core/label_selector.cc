#include "core/label_selector.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

// Upstream: kubernetes/apimachinery pkg/labels/selector.go (Lexer, Parser, NewRequirement,
// Requirement.Matches/String), pkg/api/validate/content/{kube,dns,errors}.go (label key and
// value rules and their messages), pkg/util/validation/field/errors.go (how an Invalid error
// prints) and pkg/apis/meta/v1/helpers.go ParseToLabelSelector (the metav1 echo).

namespace kscale::core {
namespace {

using Operator = LabelSelector::Operator;
using Requirement = LabelSelector::Requirement;

// ---------------------------------------------------------------------------------------------
// Character classes. Label validation is ASCII-only and byte-based, as upstream's hand-written
// isValidLabelKeyName and the anchored regexes it replaced.

constexpr bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

constexpr bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// Upstream isWhitespace: vertical tab and form feed are deliberately not whitespace.
constexpr bool is_whitespace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

constexpr bool is_special(char c) {
  switch (c) {
    case '=':
    case '!':
    case '(':
    case ')':
    case ',':
    case '>':
    case '<':
      return true;
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Go library behaviour the messages and matching depend on.

/// strconv.ParseInt(s, 10, 64): optional sign, then one or more ASCII digits, in int64 range.
/// No whitespace, no underscores (those need base 0), no prefixes.
std::optional<std::int64_t> parse_go_int64(std::string_view s) {
  std::size_t i = 0;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    i = 1;
  }
  if (i == s.size()) {
    return std::nullopt;
  }
  const std::uint64_t limit = negative ? std::uint64_t{1} << 63 : (std::uint64_t{1} << 63) - 1;
  std::uint64_t magnitude = 0;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (magnitude > (limit - digit) / 10) {
      return std::nullopt;
    }
    magnitude = magnitude * 10 + digit;
  }
  if (!negative) {
    return static_cast<std::int64_t>(magnitude);
  }
  // Two's complement negation of the magnitude; well defined for 2^63 as well.
  return static_cast<std::int64_t>(~magnitude + 1);
}

/// Decodes one UTF-8 sequence at s[i] the way Go's utf8.DecodeRuneInString does (no overlongs,
/// no surrogates, nothing above U+10FFFF). Returns the width, or 0 when the byte at s[i] does not
/// start a valid sequence.
std::size_t decode_utf8(std::string_view s, std::size_t i, char32_t& rune) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t width = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    width = 2;
    rune = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    width = 3;
    rune = b0 & 0x0F;
    lo = b0 == 0xE0 ? 0xA0 : 0x80;
    hi = b0 == 0xED ? 0x9F : 0xBF;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    width = 4;
    rune = b0 & 0x07;
    lo = b0 == 0xF0 ? 0x90 : 0x80;
    hi = b0 == 0xF4 ? 0x8F : 0xBF;
  } else {
    return 0;
  }
  if (i + width > s.size()) {
    return 0;
  }
  for (std::size_t k = 1; k < width; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    const unsigned char min = k == 1 ? lo : 0x80;
    const unsigned char max = k == 1 ? hi : 0xBF;
    if (b < min || b > max) {
      return 0;
    }
    rune = (rune << 6) | (b & 0x3F);
  }
  return width;
}

/// unicode.IsPrint for runes >= U+0080: false for controls (Cc), format characters (Cf), space
/// separators other than U+0020 (Zs), line/paragraph separators, private use (Co),
/// noncharacters and the unassigned planes 4–13.
/// NB: other unassigned code points inside assigned planes are treated as printable; Go escapes
/// them. That only changes how such a rune is shown inside an error message.
bool go_is_print_non_ascii(char32_t r) {
  struct Range {
    char32_t lo;
    char32_t hi;
  };
  static constexpr Range kNotPrint[] = {
      {0x0080, 0x00A0},   {0x00AD, 0x00AD},   {0x0600, 0x0605},   {0x061C, 0x061C},
      {0x06DD, 0x06DD},   {0x070F, 0x070F},   {0x0890, 0x0891},   {0x08E2, 0x08E2},
      {0x1680, 0x1680},   {0x180E, 0x180E},   {0x2000, 0x200F},   {0x2028, 0x202F},
      {0x205F, 0x206F},   {0x3000, 0x3000},   {0xD800, 0xF8FF},   {0xFDD0, 0xFDEF},
      {0xFEFF, 0xFEFF},   {0xFFF9, 0xFFFB},   {0x110BD, 0x110BD}, {0x110CD, 0x110CD},
      {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A}, {0x40000, 0xDFFFF},
      {0xE0000, 0xE00FF}, {0xE01F0, 0x10FFFF},
  };
  if ((r & 0xFFFE) == 0xFFFE) {
    return false;
  }
  for (const Range& range : kNotPrint) {
    if (r >= range.lo && r <= range.hi) {
      return false;
    }
  }
  return true;
}

/// Appends s quoted as Go's strconv.Quote (fmt %q) does: printable runes as they are, \" and \\,
/// C escapes for \a \b \f \n \r \t \v, \xNN for other ASCII controls and for invalid bytes,
/// \uNNNN / \UNNNNNNNN for non-printable runes.
void append_go_quoted(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto append_hex = [&out](char32_t v, int digits) {
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
      out += kHex[(v >> shift) & 0xF];
    }
  };
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const auto byte = static_cast<unsigned char>(s[i]);
    if (byte < 0x80) {
      ++i;
      switch (byte) {
        case '"': out += "\\\""; continue;
        case '\\': out += "\\\\"; continue;
        case '\a': out += "\\a"; continue;
        case '\b': out += "\\b"; continue;
        case '\f': out += "\\f"; continue;
        case '\n': out += "\\n"; continue;
        case '\r': out += "\\r"; continue;
        case '\t': out += "\\t"; continue;
        case '\v': out += "\\v"; continue;
        default: break;
      }
      if (byte >= 0x20 && byte < 0x7F) {
        out += static_cast<char>(byte);
      } else {
        out += "\\x";
        append_hex(byte, 2);
      }
      continue;
    }
    char32_t rune = 0;
    const std::size_t width = decode_utf8(s, i, rune);
    if (width == 0) {
      out += "\\x";
      append_hex(byte, 2);
      ++i;
      continue;
    }
    if (go_is_print_non_ascii(rune)) {
      out.append(s.substr(i, width));
    } else if (rune < 0x10000) {
      out += "\\u";
      append_hex(rune, 4);
    } else {
      out += "\\U";
      append_hex(rune, 8);
    }
    i += width;
  }
  out += '"';
}

/// field.Invalid(path, value, detail).Error(): `<path>: Invalid value: "<value>": <detail>`.
std::string invalid_value_error(std::string_view path, std::string_view value,
                                std::string_view detail) {
  std::string message;
  message.reserve(path.size() + value.size() + detail.size() + 20);
  message.append(path).append(": Invalid value: ");
  append_go_quoted(message, value);
  message.append(": ").append(detail);
  return message;
}

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

// ---------------------------------------------------------------------------------------------
// Lexer and parser: a token-for-token port of upstream's, lexing lazily with one token of
// lookahead instead of scanning the whole input first (the lexer never fails, so the result and
// every error are the same).

enum class Token : std::uint8_t {
  EndOfString,
  ClosedPar,
  Comma,
  DoesNotExist,
  DoubleEquals,
  Equals,
  GreaterThan,
  Identifier,
  In,
  LessThan,
  NotEquals,
  NotIn,
  OpenPar,
};

struct Item {
  Token token = Token::EndOfString;
  std::string_view literal;
};

class Lexer {
 public:
  explicit Lexer(std::string_view input) : input_(input) {}

  /// Upstream Lexer.Lex. Upstream's read() returns 0 both past the end and for a NUL byte, so a
  /// NUL where a token would start ends the input, and a NUL right after a token is swallowed as
  /// that token's terminator (lexing then resumes after it).
  Item next() {
    if (ended_) {
      return {};
    }
    while (pos_ < input_.size() && is_whitespace(input_[pos_])) {
      ++pos_;
    }
    if (pos_ == input_.size() || input_[pos_] == '\0') {
      ended_ = true;
      return {};
    }
    const std::size_t start = pos_;
    Item item;
    if (is_special(input_[pos_])) {
      // Longest match over ! != = == < > ( ) , — only "!=" and "==" are two bytes long.
      const char first = input_[pos_++];
      if ((first == '!' || first == '=') && pos_ < input_.size() && input_[pos_] == '=') {
        ++pos_;
        item.token = first == '!' ? Token::NotEquals : Token::DoubleEquals;
      } else {
        item.token = special_token(first);
      }
    } else {
      while (pos_ < input_.size() && input_[pos_] != '\0' && !is_special(input_[pos_]) &&
             !is_whitespace(input_[pos_])) {
        ++pos_;
      }
      item.token = Token::Identifier;
    }
    item.literal = input_.substr(start, pos_ - start);
    if (item.token == Token::Identifier) {
      if (item.literal == "in") {
        item.token = Token::In;
      } else if (item.literal == "notin") {
        item.token = Token::NotIn;
      }
    }
    if (pos_ < input_.size() && input_[pos_] == '\0') {
      ++pos_;
    }
    return item;
  }

 private:
  static Token special_token(char c) {
    switch (c) {
      case '!': return Token::DoesNotExist;
      case '=': return Token::Equals;
      case '<': return Token::LessThan;
      case '>': return Token::GreaterThan;
      case '(': return Token::OpenPar;
      case ')': return Token::ClosedPar;
      default: return Token::Comma;
    }
  }

  std::string_view input_;
  std::size_t pos_ = 0;
  bool ended_ = false;
};

/// Upstream ParserContext: where a key or value is expected, the keywords in/notin are plain
/// identifiers.
enum class Context { KeyAndOperator, Values };

class Parser {
 public:
  explicit Parser(std::string_view input) : input_(input), lexer_(input), next_(lexer_.next()) {}

  /// Upstream Parser.parse: the requirements in input order, or upstream's error text.
  bool parse(std::vector<Requirement>& requirements) {
    for (;;) {
      const Item item = lookahead(Context::Values);
      switch (item.token) {
        case Token::Identifier:
        case Token::DoesNotExist: {
          if (requirements.empty()) {
            requirements.reserve(1 + std::count(input_.begin(), input_.end(), ','));
          }
          Requirement& requirement = requirements.emplace_back();
          if (!parse_requirement(requirement)) {
            error_.insert(0, "unable to parse requirement: ");
            return false;
          }
          const Item after = consume(Context::Values);
          if (after.token == Token::EndOfString) {
            return true;
          }
          if (after.token == Token::Comma) {
            const Item next = lookahead(Context::Values);
            if (next.token != Token::Identifier && next.token != Token::DoesNotExist) {
              return found(next.literal, "expected: identifier after ','");
            }
            continue;
          }
          return found(after.literal, "expected: ',' or 'end of string'");
        }
        case Token::EndOfString:
          return true;
        default:
          return found(item.literal, "expected: !, identifier, or 'end of string'");
      }
    }
  }

  std::string& error() { return error_; }

 private:
  Item lookahead(Context context) const { return in_context(next_, context); }

  Item consume(Context context) {
    const Item item = next_;
    next_ = lexer_.next();
    return in_context(item, context);
  }

  static Item in_context(Item item, Context context) {
    if (context == Context::Values && (item.token == Token::In || item.token == Token::NotIn)) {
      item.token = Token::Identifier;
    }
    return item;
  }

  /// Sets error_ to upstream's "found '<literal>', <expectation>" and returns false.
  bool found(std::string_view literal, std::string_view expectation,
             std::string_view separator = ", ") {
    error_.clear();
    error_.append("found '").append(literal).append("'").append(separator).append(expectation);
    return false;
  }

  /// Upstream parseRequirement + parseKeyAndInferOperator + parseOperator + NewRequirement.
  bool parse_requirement(Requirement& requirement) {
    Item item = consume(Context::Values);
    const bool negated = item.token == Token::DoesNotExist;
    if (negated) {
      item = consume(Context::Values);
    }
    if (item.token != Token::Identifier) {
      return found(item.literal, "expected: identifier");
    }
    // The key is validated before the operator is read, so a bad key wins over a later syntax
    // error. The parser's field path is nil, which prints as "<nil>".
    if (std::string messages = label_key_errors(item.literal); !messages.empty()) {
      error_ = invalid_value_error("<nil>", item.literal, messages);
      return false;
    }
    requirement.key.assign(item.literal);
    if (negated) {
      // Whatever follows "!key" is left for the caller, which then wants ',' or the end.
      requirement.op = Operator::DoesNotExist;
      return true;
    }
    const Token after_key = lookahead(Context::Values).token;
    if (after_key == Token::EndOfString || after_key == Token::Comma) {
      requirement.op = Operator::Exists;
      return true;
    }
    const Item op = consume(Context::KeyAndOperator);
    switch (op.token) {
      case Token::In: requirement.op = Operator::In; break;
      case Token::NotIn: requirement.op = Operator::NotIn; break;
      case Token::Equals: requirement.op = Operator::Equals; break;
      case Token::DoubleEquals: requirement.op = Operator::DoubleEquals; break;
      case Token::NotEquals: requirement.op = Operator::NotEquals; break;
      case Token::GreaterThan: requirement.op = Operator::GreaterThan; break;
      case Token::LessThan: requirement.op = Operator::LessThan; break;
      default: return found(op.literal, "expected: in, notin, =, ==, !=, gt, lt");
    }
    const bool parsed = requirement.op == Operator::In || requirement.op == Operator::NotIn
                            ? parse_values(requirement.values)
                            : parse_exact_value(requirement.values);
    return parsed && check_values(requirement);
  }

  /// Upstream parseValues: "(" then a list, stored as a sorted set (sets.String.List()).
  bool parse_values(std::vector<std::string>& values) {
    const Item open = consume(Context::Values);
    if (open.token != Token::OpenPar) {
      return found(open.literal, "expected: '('", " ");
    }
    const Item first = lookahead(Context::Values);
    switch (first.token) {
      case Token::Identifier:
      case Token::Comma:
        if (!parse_identifiers_list(values)) {
          return false;
        }
        // parse_identifiers_list succeeds only with ')' next.
        consume(Context::Values);
        break;
      case Token::ClosedPar:
        consume(Context::Values);
        values.emplace_back();
        break;
      default:
        return found(first.literal, "expected: ',', ')' or identifier");
    }
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    return true;
  }

  /// Upstream parseIdentifiersList: every empty slot before, between or after commas adds "".
  /// NB: older upstream also consumed the second comma of ",,", which made "(a,,)" an error;
  /// current upstream (content-package era) does not, and neither does this.
  bool parse_identifiers_list(std::vector<std::string>& values) {
    for (;;) {
      const Item item = consume(Context::Values);
      switch (item.token) {
        case Token::Identifier: {
          values.emplace_back(item.literal);
          const Item next = lookahead(Context::Values);
          if (next.token == Token::Comma) {
            continue;
          }
          if (next.token == Token::ClosedPar) {
            return true;
          }
          return found(next.literal, "expected: ',' or ')'");
        }
        case Token::Comma: {
          if (values.empty()) {
            values.emplace_back();
          }
          const Token next = lookahead(Context::Values).token;
          if (next == Token::ClosedPar) {
            values.emplace_back();
            return true;
          }
          if (next == Token::Comma) {
            values.emplace_back();
          }
          continue;
        }
        default:
          return found(item.literal, "expected: ',', or identifier");
      }
    }
  }

  /// Upstream parseExactValue: ',' or the end right after the operator means the empty value.
  bool parse_exact_value(std::vector<std::string>& values) {
    const Token next = lookahead(Context::Values).token;
    if (next == Token::EndOfString || next == Token::Comma) {
      values.emplace_back();
      return true;
    }
    const Item item = consume(Context::Values);
    if (item.token != Token::Identifier) {
      return found(item.literal, "expected: identifier");
    }
    values.emplace_back(item.literal);
    return true;
  }

  /// The value checks of upstream NewRequirement for what the parser can produce (the key is
  /// already valid and the value count always fits the operator): Gt/Lt integers, then every
  /// value as a label value, aggregated as utilerrors.Aggregate prints them. The field paths
  /// differ per message, so upstream's de-duplication never applies.
  bool check_values(const Requirement& requirement) {
    std::vector<std::string> messages;
    const auto path = [](std::size_t index) { return "values[" + std::to_string(index) + "]"; };
    if (requirement.op == Operator::GreaterThan || requirement.op == Operator::LessThan) {
      for (std::size_t i = 0; i < requirement.values.size(); ++i) {
        if (!parse_go_int64(requirement.values[i])) {
          messages.push_back(invalid_value_error(
              path(i), requirement.values[i],
              "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      }
    }
    for (std::size_t i = 0; i < requirement.values.size(); ++i) {
      if (std::string detail = label_value_errors(requirement.values[i]); !detail.empty()) {
        messages.push_back(invalid_value_error(path(i) + "[" + requirement.key + "]",
                                               requirement.values[i], detail));
      }
    }
    if (messages.empty()) {
      return true;
    }
    if (messages.size() == 1) {
      error_ = std::move(messages.front());
      return false;
    }
    error_ = "[";
    for (std::size_t i = 0; i < messages.size(); ++i) {
      if (i > 0) {
        error_ += ", ";
      }
      error_ += messages[i];
    }
    error_ += "]";
    return false;
  }

  std::string_view input_;
  Lexer lexer_;
  Item next_;
  std::string error_;
};

// ---------------------------------------------------------------------------------------------
// String() and the metav1 echo.

std::string_view operator_text(Operator op) {
  switch (op) {
    case Operator::Exists: return "";
    case Operator::DoesNotExist: return "";
    case Operator::Equals: return "=";
    case Operator::DoubleEquals: return "==";
    case Operator::NotEquals: return "!=";
    case Operator::In: return " in ";
    case Operator::NotIn: return " notin ";
    case Operator::GreaterThan: return ">";
    case Operator::LessThan: return "<";
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

Result<LabelSelector> LabelSelector::parse(std::string_view text) {
  Parser parser(text);
  LabelSelector selector;
  if (!parser.parse(selector.requirements_)) {
    return fail(Error::bad_request(std::move(parser.error())));
  }
  // Upstream sort.Sort(ByKey): Go's pdqsort runs its insertion sort for up to 12 elements, which
  // is stable and allocation-free; this is that same loop. NB: above 12 requirements Go's
  // pdqsort may reorder equal keys; std::stable_sort keeps input order there.
  auto& requirements = selector.requirements_;
  constexpr std::size_t kGoMaxInsertion = 12;
  if (requirements.size() <= kGoMaxInsertion) {
    for (std::size_t i = 1; i < requirements.size(); ++i) {
      for (std::size_t j = i; j > 0 && requirements[j].key < requirements[j - 1].key; --j) {
        std::swap(requirements[j], requirements[j - 1]);
      }
    }
  } else {
    std::stable_sort(requirements.begin(), requirements.end(),
                     [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
  }
  return selector;
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
      case Operator::In: op_name = "In"; break;
      case Operator::NotIn: op_name = "NotIn"; break;
      case Operator::Exists: op_name = "Exists"; break;
      case Operator::DoesNotExist: op_name = "DoesNotExist"; break;
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

std::string validate_label_key(std::string_view key) { return label_key_errors(key); }

std::string validate_label_value(std::string_view value) { return label_value_errors(value); }

}  // namespace kscale::core

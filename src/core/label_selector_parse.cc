// LabelSelector::parse: upstream's selector lexer and parser, and the field errors it reports.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/detail/go_strconv.h"
#include "core/label_selector.h"

// Upstream: kubernetes/apimachinery pkg/labels/selector.go (Lexer, Parser, NewRequirement) and
// pkg/util/validation/field/errors.go (how an Invalid error prints).

namespace kscale::core {
namespace {

using detail::append_go_quoted;
using detail::parse_go_int64;
using Operator = LabelSelector::Operator;
using Requirement = LabelSelector::Requirement;

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
    if (std::string messages = validate_label_key(item.literal); !messages.empty()) {
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
      if (std::string detail = validate_label_value(requirement.values[i]); !detail.empty()) {
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

}  // namespace

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

}  // namespace kscale::core

// Quantity parsing: upstream's parseQuantityString scanner, suffix interpretation, the int64
// fast path and the decimal path of ParseQuantity, and the JSON form (UnmarshalJSON).

#include <algorithm>
#include <optional>
#include <string>

#include "core/detail/go_strconv.h"
#include "core/detail/quantity_math.h"
#include "core/quantity.h"

namespace kscale::core {
namespace {

using detail::compare_magnitude;
using detail::int64_multiply;
using detail::kMaxInt64Digits;
using detail::Product;
using detail::wrap_sub32;

// Upstream: apimachinery pkg/api/resource/quantity.go, ErrFormatWrong / ErrNumeric / ErrSuffix.
constexpr std::string_view kErrFormatWrong =
    "quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
constexpr std::string_view kErrNumeric = "unable to parse numeric part of quantity";
constexpr std::string_view kErrSuffix = "unable to parse quantity's suffix";

Error parse_error(std::string_view input, std::string_view what) {
  constexpr char kHex[] = "0123456789abcdef";
  std::string message = "quantity \"";
  message.reserve(message.size() + input.size() + what.size() + 4);
  for (const char ch : input) {
    const auto byte = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      message += '\\';
      message += ch;
    } else if (byte < 0x20 || byte == 0x7f) {
      message += "\\x";
      message += kHex[byte >> 4];
      message += kHex[byte & 0xf];
    } else {
      message += ch;
    }
  }
  message += "\": ";
  message += what;
  return Error::bad_request(std::move(message));
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

void strip_leading_zeros(std::string& digits) {
  const size_t first = digits.find_first_not_of('0');
  digits.erase(0, first == std::string::npos ? digits.size() : first);
}

// Removes trailing zeros and returns how many there were.
int64_t strip_trailing_zeros(std::string& digits) {
  const size_t last = digits.find_last_not_of('0');
  const size_t keep = last == std::string::npos ? 0 : last + 1;
  const auto removed = static_cast<int64_t>(digits.size() - keep);
  digits.resize(keep);
  return removed;
}

void multiply_digits(std::string& digits, uint32_t factor) {
  uint64_t carry = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    const uint64_t d = static_cast<uint64_t>(*it - '0') * factor + carry;
    *it = static_cast<char>('0' + d % 10);
    carry = d / 10;
  }
  while (carry != 0) {
    digits.insert(digits.begin(), static_cast<char>('0' + carry % 10));
    carry /= 10;
  }
}

void increment_digits(std::string& digits) {
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (*it != '9') {
      ++*it;
      return;
    }
    *it = '0';
  }
  digits.insert(digits.begin(), '1');
}

// Upstream: quantity.go, parseQuantityString, with the same early returns.
struct Scanned {
  bool positive = true;
  std::string_view value;  // what upstream hands to inf.Dec: sign, digits as written, '.'
  std::string_view num;    // integer digits without leading zeros, "0" when there are none
  std::string_view den;    // fraction digits as written
  std::string_view suffix;
};

bool in_suffix_set(char c) {
  switch (c) {
    case 'e':
    case 'E':
    case 'i':
    case 'n':
    case 'u':
    case 'm':
    case 'k':
    case 'K':
    case 'M':
    case 'G':
    case 'T':
    case 'P':
      return true;
    default:
      return false;
  }
}

bool scan_quantity(std::string_view str, Scanned& out) {
  size_t pos = 0;
  const size_t end = str.size();
  if (pos < end) {
    if (str[0] == '-') {
      out.positive = false;
      ++pos;
    } else if (str[0] == '+') {
      ++pos;
    }
  }
  while (true) {
    if (pos >= end) {
      out.num = "0";
      out.value = out.num;
      return true;
    }
    if (str[pos] != '0') {
      break;
    }
    ++pos;
  }
  size_t i = pos;
  while (i < end && is_digit(str[i])) {
    ++i;
  }
  if (i >= end) {
    out.num = str.substr(pos);
    out.value = str;
    return true;
  }
  out.num = i == pos ? std::string_view("0") : str.substr(pos, i - pos);
  pos = i;
  if (str[pos] == '.') {
    ++pos;
    i = pos;
    while (i < end && is_digit(str[i])) {
      ++i;
    }
    if (i >= end) {
      out.den = str.substr(pos);
      out.value = str;
      return true;
    }
    out.den = str.substr(pos, i - pos);
    pos = i;
  }
  out.value = str.substr(0, pos);
  const size_t suffix_start = pos;
  i = pos;
  while (i < end && in_suffix_set(str[i])) {
    ++i;
  }
  if (i >= end) {
    out.suffix = str.substr(suffix_start);
    return true;
  }
  pos = i;
  if (str[pos] == '-' || str[pos] == '+') {
    ++pos;
  }
  i = pos;
  while (i < end && is_digit(str[i])) {
    ++i;
  }
  if (i >= end) {
    out.suffix = str.substr(suffix_start);
    return true;
  }
  return false;
}

struct Suffix {
  int base = 10;
  int32_t exponent = 0;
  Quantity::Format format = Quantity::Format::DecimalSI;
};

// Upstream: suffix.go, suffixHandler.interpret. A lone "E" is exa; "e"/"E" followed by an integer
// is an exponent, parsed as int64 and truncated to int32.
bool interpret_suffix(std::string_view s, Suffix& out) {
  using Format = Quantity::Format;
  struct Entry {
    std::string_view text;
    int base;
    int32_t exponent;
    Format format;
  };
  static constexpr Entry kTable[] = {
      {"", 10, 0, Format::DecimalSI},   {"n", 10, -9, Format::DecimalSI},
      {"u", 10, -6, Format::DecimalSI}, {"m", 10, -3, Format::DecimalSI},
      {"k", 10, 3, Format::DecimalSI},  {"M", 10, 6, Format::DecimalSI},
      {"G", 10, 9, Format::DecimalSI},  {"T", 10, 12, Format::DecimalSI},
      {"P", 10, 15, Format::DecimalSI}, {"E", 10, 18, Format::DecimalSI},
      {"Ki", 2, 10, Format::BinarySI},  {"Mi", 2, 20, Format::BinarySI},
      {"Gi", 2, 30, Format::BinarySI},  {"Ti", 2, 40, Format::BinarySI},
      {"Pi", 2, 50, Format::BinarySI},  {"Ei", 2, 60, Format::BinarySI},
  };
  for (const Entry& e : kTable) {
    if (e.text == s) {
      out = {e.base, e.exponent, e.format};
      return true;
    }
  }
  if (s.size() > 1 && (s[0] == 'e' || s[0] == 'E')) {
    const std::optional<int64_t> parsed = detail::parse_go_int64(s.substr(1));
    if (!parsed) {
      return false;
    }
    out = {10, static_cast<int32_t>(*parsed), Format::DecimalExponent};
    return true;
  }
  return false;
}

// Go's unicode.IsSpace outside ASCII, as UTF-8: U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028,
// U+2029, U+202F, U+205F, U+3000. Each starts with a UTF-8 lead byte, so matching the bytes at
// either end decodes the same rune utf8.DecodeRune / DecodeLastRune would.
constexpr std::string_view kNonAsciiSpaces[] = {
    "\xC2\x85",     "\xC2\xA0",     "\xE1\x9A\x80", "\xE2\x80\x80", "\xE2\x80\x81",
    "\xE2\x80\x82", "\xE2\x80\x83", "\xE2\x80\x84", "\xE2\x80\x85", "\xE2\x80\x86",
    "\xE2\x80\x87", "\xE2\x80\x88", "\xE2\x80\x89", "\xE2\x80\x8A", "\xE2\x80\xA8",
    "\xE2\x80\xA9", "\xE2\x80\xAF", "\xE2\x81\x9F", "\xE3\x80\x80",
};

bool is_ascii_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// The byte length of the space rune s starts with, or 0.
size_t leading_space(std::string_view s) {
  if (!s.empty() && is_ascii_space(s.front())) {
    return 1;
  }
  for (const std::string_view space : kNonAsciiSpaces) {
    if (s.substr(0, space.size()) == space) {
      return space.size();
    }
  }
  return 0;
}

// The byte length of the space rune s ends with, or 0.
size_t trailing_space(std::string_view s) {
  if (!s.empty() && is_ascii_space(s.back())) {
    return 1;
  }
  for (const std::string_view space : kNonAsciiSpaces) {
    if (s.size() >= space.size() && s.substr(s.size() - space.size()) == space) {
      return space.size();
    }
  }
  return 0;
}

// Go's strings.TrimSpace.
std::string_view trim_go_space(std::string_view s) {
  for (size_t n = leading_space(s); n != 0; n = leading_space(s)) {
    s.remove_prefix(n);
  }
  for (size_t n = trailing_space(s); n != 0; n = trailing_space(s)) {
    s.remove_suffix(n);
  }
  return s;
}

// The int64 backing ParseQuantity's fast path gives, when it applies (§A4), and whether the
// input text is kept for String() (§A6). Upstream: quantity.go, ParseQuantity, copied exactly.
struct Int64Form {
  int64_t value = 0;
  int32_t scale = 0;
  bool keep_text = false;
};

// Whether the digit string num+den ends in "000".
bool digits_end_in_000(const Scanned& s) {
  const auto digit_from_end = [&s](size_t k) {
    return k < s.den.size() ? s.den[s.den.size() - 1 - k]
                            : s.num[s.num.size() - 1 - (k - s.den.size())];
  };
  return s.num.size() + s.den.size() >= 3 && digit_from_end(0) == '0' &&
         digit_from_end(1) == '0' && digit_from_end(2) == '0';
}

std::optional<Int64Form> int64_form(const Scanned& s, const Suffix& suffix) {
  using Format = Quantity::Format;
  const auto num_len = static_cast<int64_t>(s.num.size());
  const auto den_len = static_cast<int64_t>(s.den.size());
  int64_t precision = -1;
  int32_t scale = 0;
  int64_t mantissa = 1;
  if (suffix.format != Format::BinarySI) {
    scale = suffix.exponent;
    precision = 18 - (num_len + den_len);  // maxInt64Factors
  } else if (suffix.exponent >= 0 && s.den.empty()) {
    mantissa = int64_t{1} << suffix.exponent;
    // Upstream: 15 − len(num) − int32(float32(exponent)×3/10) − 1; exact for 10…60.
    precision = 14 - num_len - suffix.exponent * 3 / 10;
  }
  if (precision < 0) {
    return std::nullopt;
  }
  scale = wrap_sub32(scale, static_cast<int32_t>(den_len));
  if (scale < -9) {
    return std::nullopt;
  }
  // num + den has at most 18 digits here.
  int64_t shifted = 0;
  for (const char c : s.num) {
    shifted = shifted * 10 + (c - '0');
  }
  for (const char c : s.den) {
    shifted = shifted * 10 + (c - '0');
  }
  const Product product = int64_multiply(shifted, mantissa);
  if (!product.ok) {
    return std::nullopt;
  }
  Int64Form form;
  form.value = s.positive ? product.value : -product.value;
  form.scale = scale;
  if (suffix.format == Format::BinarySI) {
    form.keep_text = suffix.exponent % 10 == 0 && (shifted & 0x07) != 0;
  } else {
    // The digit string num+den must not end in "000" nor start with '0'.
    form.keep_text = scale % 3 == 0 && !digits_end_in_000(s) && s.num[0] != '0';
  }
  return form;
}

// The decimal backing (upstream's inf.Dec): ±digits × 10^exponent with inf.Dec scale inf_scale.
struct DecimalForm {
  std::string digits;  // short values stay in the small-string buffer
  int64_t exponent = 0;
  int64_t inf_scale = 0;
  Quantity::Format format = Quantity::Format::DecimalSI;
};

// Rounds to a multiple of 10^-9, away from zero (inf.RoundUp); the result has scale 9.
void round_to_nano(DecimalForm& d) {
  if (d.exponent < -9) {
    const int64_t drop = -9 - d.exponent;
    if (drop >= static_cast<int64_t>(d.digits.size())) {
      d.digits.assign("1");
    } else {
      d.digits.resize(d.digits.size() - static_cast<size_t>(drop));
      increment_digits(d.digits);
    }
    d.exponent = -9 + strip_trailing_zeros(d.digits);
  }
  d.inf_scale = 9;
}

// A BinarySI value is capped at maxAllowed (an inf.Dec with scale 0), and one below 1 in
// magnitude is DecimalSI.
void cap_binary(DecimalForm& d) {
  if (compare_magnitude({d.digits, d.exponent}, {kMaxInt64Digits, 0}) > 0) {
    d.digits.assign(kMaxInt64Digits);
    d.exponent = 0;
    d.inf_scale = 0;
  }
  if (static_cast<int64_t>(d.digits.size()) + d.exponent <= 0) {
    d.format = Quantity::Format::DecimalSI;  // 0 < |value| < 1
  }
}

DecimalForm decimal_form(const Scanned& s, const Suffix& suffix) {
  const auto den_len = static_cast<int64_t>(s.den.size());
  DecimalForm d;
  d.format = suffix.format;
  if (s.num != "0") {
    d.digits += s.num;
  }
  d.digits += s.den;
  strip_leading_zeros(d.digits);
  d.exponent = -den_len;
  d.inf_scale = den_len;
  if (suffix.base == 10) {
    d.exponent += suffix.exponent;
    d.inf_scale -= suffix.exponent;
  } else if (!d.digits.empty()) {
    for (int32_t e = 0; e < suffix.exponent; e += 10) {
      multiply_digits(d.digits, 1024);
    }
  }
  d.exponent += strip_trailing_zeros(d.digits);
  if (d.digits.empty()) {
    // A zero keeps the scale it was written with (only AsApproximateFloat64 can tell).
    return d;
  }
  round_to_nano(d);
  if (suffix.format == Quantity::Format::BinarySI) {
    cap_binary(d);
  }
  return d;
}

}  // namespace

// Upstream: quantity.go, ParseQuantity. The int64 fast path and its caching conditions are
// copied exactly (§A4, §A6); everything else takes the decimal path.
Result<Quantity> Quantity::parse(std::string_view text) {
  if (text.empty()) {
    return fail(parse_error(text, kErrFormatWrong));
  }
  if (text == "0") {
    Quantity zero;
    zero.cached_.assign(text);
    return zero;
  }
  Scanned s;
  if (!scan_quantity(text, s)) {
    return fail(parse_error(text, kErrFormatWrong));
  }
  Suffix suffix;
  if (!interpret_suffix(s.suffix, suffix)) {
    return fail(parse_error(text, kErrSuffix));
  }
  Quantity q;
  q.format_ = suffix.format;
  if (const std::optional<Int64Form> fast = int64_form(s, suffix)) {
    q.value_ = fast->value;
    q.scale_ = fast->scale;
    if (fast->keep_text) {
      q.cached_.assign(text);
    }
    return q;
  }
  // inf.Dec.SetString(value) needs at least one digit: "e-10", "-.e-10" and the like end here.
  if (std::none_of(s.value.begin(), s.value.end(), is_digit)) {
    return fail(parse_error(text, kErrNumeric));
  }
  DecimalForm d = decimal_form(s, suffix);
  q.decimal_ = true;
  q.format_ = d.format;
  q.inf_scale_ = d.inf_scale;
  if (d.digits.empty()) {
    return q;
  }
  q.negative_ = !s.positive;
  q.digits_ = std::move(d.digits);
  q.exponent_ = d.exponent;
  return q;
}

// Upstream: quantity.go, Quantity.UnmarshalJSON.
Result<Quantity> Quantity::parse_json_text(std::string_view json_text) {
  if (json_text == "null") {
    return Quantity();
  }
  if (json_text.size() >= 2 && json_text.front() == '"' && json_text.back() == '"') {
    json_text = json_text.substr(1, json_text.size() - 2);
  }
  return parse(trim_go_space(json_text));
}


}  // namespace kscale::core

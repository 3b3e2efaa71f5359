#include "core/quantity.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace kscale::core {
namespace {

constexpr int64_t kMostPositive = std::numeric_limits<int64_t>::max();
constexpr int64_t kMostNegative = std::numeric_limits<int64_t>::min();

// Magnitudes in the same normalised form as Quantity::magnitude (no leading or trailing zeros).
constexpr std::string_view kMaxInt64Digits = "9223372036854775807";
// The bound fits_milli() checks: the largest value whose milli form fits in int64, truncated.
constexpr std::string_view kMaxMilliDigits = "9223372036854775";
constexpr std::string_view kBinaryThresholdDigits = "1024";

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

// Go's int64 arithmetic wraps; C++20 defines the unsigned→signed conversion as modular.
int64_t wrap_mul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}
int64_t wrap_add(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
int64_t wrap_neg(int64_t a) { return static_cast<int64_t>(0 - static_cast<uint64_t>(a)); }
// Scale is an int32 in Go and subtracting scales wraps.
int32_t wrap_sub32(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) - static_cast<uint32_t>(b));
}

constexpr int64_t kPow10Int64[19] = {1,
                                     10,
                                     100,
                                     1000,
                                     10000,
                                     100000,
                                     1000000,
                                     10000000,
                                     100000000,
                                     1000000000,
                                     10000000000,
                                     100000000000,
                                     1000000000000,
                                     10000000000000,
                                     100000000000000,
                                     1000000000000000,
                                     10000000000000000,
                                     100000000000000000,
                                     1000000000000000000};

struct Product {
  int64_t value;
  bool ok;
};

// Upstream: pkg/api/resource/math.go, int64Multiply: the wrapped product and whether it is exact.
Product int64_multiply(int64_t a, int64_t b) {
  if (a == 0 || b == 0 || a == 1 || b == 1) {
    return {a * b, true};
  }
  if (a == kMostNegative || b == kMostNegative) {
    return {0, false};
  }
  const int64_t c = wrap_mul(a, b);
  return {c, c / b == a};
}

// Upstream: math.go, positiveScaleInt64: base × 10^scale. The listed scales return the wrapped
// product on overflow, the others 0; AsScaledInt64 passes either on.
Product positive_scale_int64(int64_t base, int32_t scale) {
  switch (scale) {
    case 0:
      return {base, true};
    case 1:
      return int64_multiply(base, 10);
    case 2:
      return int64_multiply(base, 100);
    case 3:
      return int64_multiply(base, 1000);
    case 6:
      return int64_multiply(base, 1000000);
    case 9:
      return int64_multiply(base, 1000000000);
    default:
      break;
  }
  if (base == 0) {
    return {0, true};  // upstream multiplies 0 by 10 `scale` times
  }
  int64_t value = base;
  for (int32_t i = 0; i < scale; ++i) {
    const Product p = int64_multiply(value, 10);
    if (!p.ok) {
      return {0, false};
    }
    value = p.value;
  }
  return {value, true};
}

// Upstream: math.go, negativeScaleInt64: base / 10^scale rounded away from zero.
Product negative_scale_int64(int64_t base, int32_t scale) {
  if (scale == 0) {
    return {base, true};
  }
  int64_t value = base;
  bool fraction = false;
  for (int32_t i = 0; i < scale; ++i) {
    if (!fraction && value % 10 != 0) {
      fraction = true;
    }
    value /= 10;
    if (value == 0) {
      if (fraction) {
        return {base > 0 ? 1 : -1, false};
      }
      return {0, true};
    }
  }
  if (fraction) {
    value += base > 0 ? 1 : -1;
  }
  return {value, !fraction};
}

// Upstream: amount.go, int64Amount.AsScaledInt64, whose overflow flag ScaledValue ignores.
int64_t as_scaled_int64(int64_t value, int32_t scale, int32_t target) {
  if (scale < target) {
    return negative_scale_int64(value, wrap_sub32(target, scale)).value;
  }
  return positive_scale_int64(value, wrap_sub32(scale, target)).value;
}

// Go's math.Pow10, table for table, so that AsApproximateFloat64 rounds as upstream does.
constexpr double kPow10Tab[32] = {1e00, 1e01, 1e02, 1e03, 1e04, 1e05, 1e06, 1e07, 1e08, 1e09, 1e10,
                                  1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21,
                                  1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28, 1e29, 1e30, 1e31};
constexpr double kPow10PosTab32[10] = {1e00,  1e32,  1e64,  1e96,  1e128,
                                       1e160, 1e192, 1e224, 1e256, 1e288};
constexpr double kPow10NegTab32[11] = {1e-00,  1e-32,  1e-64,  1e-96,  1e-128, 1e-160,
                                       1e-192, 1e-224, 1e-256, 1e-288, 1e-320};

double go_pow10(int64_t n) {
  if (n >= 0 && n <= 308) {
    return kPow10PosTab32[n / 32] * kPow10Tab[n % 32];
  }
  if (n >= -323 && n <= 0) {
    return kPow10NegTab32[-n / 32] / kPow10Tab[-n % 32];
  }
  if (n > 0) {
    return std::numeric_limits<double>::infinity();
  }
  return 0;
}

// A magnitude digits × 10^exponent; digits without leading or trailing zeros, empty for zero.
struct Magnitude {
  std::string_view digits;
  int64_t exponent = 0;
};

int compare_magnitude(Magnitude a, Magnitude b) {
  if (a.digits.empty() || b.digits.empty()) {
    return static_cast<int>(!a.digits.empty()) - static_cast<int>(!b.digits.empty());
  }
  const int64_t a_top = static_cast<int64_t>(a.digits.size()) + a.exponent;
  const int64_t b_top = static_cast<int64_t>(b.digits.size()) + b.exponent;
  if (a_top != b_top) {
    return a_top < b_top ? -1 : 1;
  }
  const size_t common = std::min(a.digits.size(), b.digits.size());
  const int c = a.digits.substr(0, common).compare(b.digits.substr(0, common));
  if (c != 0) {
    return c < 0 ? -1 : 1;
  }
  // Equal prefixes: the longer one has further non-zero digits.
  if (a.digits.size() == b.digits.size()) {
    return 0;
  }
  return a.digits.size() < b.digits.size() ? -1 : 1;
}

// The low 64 bits of 10^n.
uint64_t pow10_low64(int64_t n) {
  if (n >= 64) {
    return 0;  // 10^n = 2^n × 5^n
  }
  uint64_t result = 1;
  for (int64_t i = 0; i < n; ++i) {
    result *= 10;
  }
  return result;
}

// The low 64 bits of the integer the digits spell.
uint64_t digits_low64(std::string_view digits) {
  uint64_t result = 0;
  for (const char c : digits) {
    result = result * 10 + static_cast<uint64_t>(c - '0');
  }
  return result;
}

// Upstream: scale_int.go, scaledValue(unscaled, scale, newScale) on the decimal backing: the
// unscaled integer is ±digits × 10^zeros with inf.Dec scale k. big.Int.Int64 keeps the low 64
// bits of the magnitude and then applies the sign, which is where the garbage for large negative
// values comes from.
int64_t decimal_scaled_value(bool negative, std::string_view digits, int64_t zeros, int64_t k,
                             int32_t scale) {
  if (digits.empty()) {
    return 0;
  }
  const auto signed_low64 = [negative](uint64_t magnitude) {
    const auto v = static_cast<int64_t>(magnitude);
    return negative ? wrap_neg(v) : v;
  };
  const uint64_t unscaled_low64 = digits_low64(digits) * pow10_low64(zeros);
  const int64_t dif = k + static_cast<int64_t>(scale);  // scale − newScale, newScale = −scale
  if (dif == 0) {
    return signed_low64(unscaled_low64);
  }
  if (dif < 0) {
    // int64(math.Pow10(n)) for n > 18 is out of range; amd64 converts it to MinInt64.
    const int64_t factor = -dif <= 18 ? kPow10Int64[-dif] : kMostNegative;
    return wrap_mul(signed_low64(unscaled_low64), factor);
  }
  const bool below_max_int64 =
      negative || compare_magnitude({digits, zeros}, {kMaxInt64Digits, 0}) < 0;
  if (below_max_int64 && dif < 19) {
    const int64_t v = signed_low64(unscaled_low64);
    const int64_t divide = kPow10Int64[dif];
    const int64_t result = v / divide;
    return v % divide != 0 ? result + 1 : result;
  }
  // big.Int.DivMod is Euclidean: the quotient is floor(|u| / 10^dif) for u ≥ 0 and
  // −ceil(|u| / 10^dif) for u < 0, and the remainder is non-zero when digits were cut off.
  uint64_t truncated = 0;
  bool remainder = false;
  if (dif <= zeros) {
    truncated = digits_low64(digits) * pow10_low64(zeros - dif);
  } else {
    const int64_t drop = dif - zeros;
    if (drop < static_cast<int64_t>(digits.size())) {
      truncated = digits_low64(digits.substr(0, digits.size() - static_cast<size_t>(drop)));
    }
    remainder = true;  // digits has no trailing zeros, so a non-zero digit was cut off
  }
  if (!negative) {
    const auto result = static_cast<int64_t>(truncated);
    return remainder ? wrap_add(result, 1) : result;
  }
  const uint64_t quotient_magnitude = remainder ? truncated + 1 : truncated;
  const int64_t result = wrap_neg(static_cast<int64_t>(quotient_magnitude));
  return remainder ? wrap_add(result, 1) : result;
}

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

// Go's strconv.ParseInt(s, 10, 64): optional sign, at least one digit, range-checked.
bool parse_go_int64(std::string_view s, int64_t& out) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) {
    return false;
  }
  const uint64_t limit = negative ? uint64_t{1} << 63 : static_cast<uint64_t>(kMostPositive);
  uint64_t magnitude = 0;
  for (const char c : s) {
    if (!is_digit(c)) {
      return false;
    }
    const auto d = static_cast<uint64_t>(c - '0');
    if (magnitude > (limit - d) / 10) {
      return false;
    }
    magnitude = magnitude * 10 + d;
  }
  out = negative ? wrap_neg(static_cast<int64_t>(magnitude)) : static_cast<int64_t>(magnitude);
  return true;
}

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
    int64_t parsed = 0;
    if (!parse_go_int64(s.substr(1), parsed)) {
      return false;
    }
    out = {10, static_cast<int32_t>(parsed), Format::DecimalExponent};
    return true;
  }
  return false;
}

// Appends the DecimalSI or DecimalExponent canonical form of ±digits × 10^exponent.
// Upstream: amount.go AsCanonicalBytes moves the exponent down to a multiple of 3;
// quantity.go CanonicalizeBytes falls back to exponent notation when DecimalSI has no suffix.
void append_decimal(std::string& out, bool negative, Magnitude m, Quantity::Format format) {
  static constexpr std::string_view kDecimalSuffixes[] = {"n", "u", "m", "",  "k",
                                                          "M", "G", "T", "P", "E"};
  const int64_t rem = ((m.exponent % 3) + 3) % 3;
  const int64_t exponent = m.exponent - rem;
  char suffix[24];
  size_t suffix_len = 0;
  if (format == Quantity::Format::DecimalSI && exponent >= -9 && exponent <= 18) {
    const std::string_view s = kDecimalSuffixes[(exponent + 9) / 3];
    std::copy(s.begin(), s.end(), suffix);
    suffix_len = s.size();
  } else if (exponent != 0) {
    suffix[0] = 'e';
    const auto r = std::to_chars(suffix + 1, suffix + sizeof(suffix), exponent);
    suffix_len = static_cast<size_t>(r.ptr - suffix);
  }
  out.reserve(out.size() + 1 + m.digits.size() + 2 + suffix_len);
  if (negative) {
    out += '-';
  }
  out += m.digits;
  out.append(static_cast<size_t>(rem), '0');
  out.append(suffix, suffix_len);
}

// Correctly rounded double of digits × 10^zeros (big.Float.SetInt at 53 bits, then Float64).
double integer_to_double(std::string_view digits, int64_t zeros) {
  if (digits.empty()) {
    return 0;
  }
  if (static_cast<int64_t>(digits.size()) + zeros > 330) {
    return std::numeric_limits<double>::infinity();
  }
  // "<digits>e<zeros>", on the stack unless the digits are long.
  char stack[64];
  std::string heap;
  char* text = stack;
  const size_t capacity = digits.size() + 24;
  if (capacity > sizeof(stack)) {
    heap.resize(capacity);
    text = heap.data();
  }
  char* end = std::copy(digits.begin(), digits.end(), text);
  *end++ = 'e';
  end = std::to_chars(end, text + capacity, zeros).ptr;
  double result = 0;
  const auto parsed = std::from_chars(text, end, result);
  if (parsed.ec == std::errc::result_out_of_range) {
    return std::numeric_limits<double>::infinity();
  }
  return result;
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

}  // namespace

Quantity::Quantity() = default;

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

  if (precision >= 0) {
    scale = wrap_sub32(scale, static_cast<int32_t>(den_len));
    if (scale >= -9) {
      // num + den has at most 18 digits here.
      int64_t shifted = 0;
      for (const char c : s.num) {
        shifted = shifted * 10 + (c - '0');
      }
      for (const char c : s.den) {
        shifted = shifted * 10 + (c - '0');
      }
      const Product product = int64_multiply(shifted, mantissa);
      if (product.ok) {
        Quantity q;
        q.value_ = s.positive ? product.value : -product.value;
        q.scale_ = scale;
        q.format_ = suffix.format;
        bool keep_text = false;
        if (suffix.format == Format::BinarySI) {
          keep_text = suffix.exponent % 10 == 0 && (shifted & 0x07) != 0;
        } else {
          // The digit string num+den must not end in "000" nor start with '0'.
          const auto digit_from_end = [&s](size_t k) {
            return k < s.den.size() ? s.den[s.den.size() - 1 - k]
                                    : s.num[s.num.size() - 1 - (k - s.den.size())];
          };
          const bool ends_in_000 = s.num.size() + s.den.size() >= 3 && digit_from_end(0) == '0' &&
                                   digit_from_end(1) == '0' && digit_from_end(2) == '0';
          keep_text = scale % 3 == 0 && !ends_in_000 && s.num[0] != '0';
        }
        if (keep_text) {
          q.cached_.assign(text);
        }
        return q;
      }
    }
  }

  // inf.Dec.SetString(value) needs at least one digit: "e-10", "-.e-10" and the like end here.
  if (std::none_of(s.value.begin(), s.value.end(), is_digit)) {
    return fail(parse_error(text, kErrNumeric));
  }

  Quantity q;
  q.decimal_ = true;
  q.format_ = suffix.format;
  std::string digits;  // short values stay in the small-string buffer
  if (s.num != "0") {
    digits += s.num;
  }
  digits += s.den;
  strip_leading_zeros(digits);
  int64_t exponent = -den_len;
  int64_t inf_scale = den_len;
  if (suffix.base == 10) {
    exponent += suffix.exponent;
    inf_scale -= suffix.exponent;
  } else if (!digits.empty()) {
    for (int32_t e = 0; e < suffix.exponent; e += 10) {
      multiply_digits(digits, 1024);
    }
  }
  exponent += strip_trailing_zeros(digits);
  if (digits.empty()) {
    // A zero keeps the scale it was written with (only AsApproximateFloat64 can tell).
    q.inf_scale_ = inf_scale;
    return q;
  }

  // Round to a multiple of 10^-9, away from zero (inf.RoundUp); the result has scale 9.
  if (exponent < -9) {
    const int64_t drop = -9 - exponent;
    if (drop >= static_cast<int64_t>(digits.size())) {
      digits.assign("1");
    } else {
      digits.resize(digits.size() - static_cast<size_t>(drop));
      increment_digits(digits);
    }
    exponent = -9 + strip_trailing_zeros(digits);
  }
  inf_scale = 9;

  if (suffix.format == Format::BinarySI) {
    if (compare_magnitude({digits, exponent}, {kMaxInt64Digits, 0}) > 0) {
      // The cap is maxAllowed, an inf.Dec with scale 0.
      digits.assign(kMaxInt64Digits);
      exponent = 0;
      inf_scale = 0;
    }
    if (static_cast<int64_t>(digits.size()) + exponent <= 0) {
      q.format_ = Format::DecimalSI;  // 0 < |value| < 1
    }
  }
  q.negative_ = !s.positive;
  q.digits_ = std::move(digits);
  q.exponent_ = exponent;
  q.inf_scale_ = inf_scale;
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

Quantity Quantity::from_int(int64_t value, Format format) {
  Quantity q;
  q.value_ = value;
  q.format_ = format;
  return q;
}

Quantity Quantity::from_milli(int64_t milli, Format format) {
  Quantity q;
  q.value_ = milli;
  q.scale_ = -3;
  q.format_ = format;
  return q;
}

Quantity Quantity::from_scaled(int64_t value, int32_t scale) {
  Quantity q;
  q.value_ = value;
  q.scale_ = scale;
  return q;
}

std::optional<Quantity> Quantity::from_double_milli(double v) {
  if (std::isnan(v)) {
    v = 0;
  }
  if (std::isinf(v)) {
    return std::nullopt;
  }
  const double milli = v * 1000.0;
  // [−2^63, 2^63): where truncation toward zero yields an int64.
  if (!(milli >= -9223372036854775808.0 && milli < 9223372036854775808.0)) {
    return std::nullopt;
  }
  return from_milli(static_cast<int64_t>(milli), Format::DecimalSI);
}

std::string Quantity::to_string() const {
  if (!cached_.empty()) {
    return cached_;
  }
  return canonical();
}

// Upstream: quantity.go, CanonicalizeBytes.
std::string Quantity::canonical() const {
  char buf[20];
  int64_t exponent = 0;
  const std::string_view digits = magnitude(buf, exponent);
  if (digits.empty()) {
    return "0";
  }
  const Magnitude m{digits, exponent};
  const bool negative = sign() < 0;
  Format format = format_;
  std::string out;
  if (format == Format::BinarySI) {
    if (compare_magnitude(m, {kBinaryThresholdDigits, 0}) < 0 || m.exponent < 0) {
      // Below 1024, or not an integer: printing in base 1024 would round, so DecimalSI.
      format = Format::DecimalSI;
    } else if (!decimal_ && value_ == kMostNegative && scale_ == 0) {
      // removeInt64Factors negates MinInt64 to itself and finds no factor of 1024.
      return "-9223372036854775808";
    } else if (static_cast<int64_t>(m.digits.size()) + m.exponent <= 19) {
      // BinarySI values are parsed capped at 2^63−1 or built from an int64, so they fit here.
      uint64_t n = digits_low64(m.digits) * pow10_low64(m.exponent);
      int times = 0;
      while (n >= 1024 && n % 1024 == 0 && times < 6) {
        n /= 1024;
        ++times;
      }
      static constexpr std::string_view kBinarySuffixes[] = {"",   "Ki", "Mi", "Gi",
                                                             "Ti", "Pi", "Ei"};
      char number[24];
      const auto r = std::to_chars(number, number + sizeof(number), n);
      const std::string_view suffix = kBinarySuffixes[times];
      out.reserve(1 + static_cast<size_t>(r.ptr - number) + suffix.size());
      if (negative) {
        out += '-';
      }
      out.append(number, r.ptr);
      out += suffix;
      return out;
    } else {
      format = Format::DecimalSI;
    }
  }
  append_decimal(out, negative, m, format);
  return out;
}

std::string_view Quantity::magnitude(char (&buf)[20], int64_t& exponent) const {
  if (decimal_) {
    exponent = exponent_;
    return digits_;
  }
  uint64_t m = value_ < 0 ? 0 - static_cast<uint64_t>(value_) : static_cast<uint64_t>(value_);
  exponent = scale_;
  if (m == 0) {
    return {};
  }
  while (m % 10 == 0) {
    m /= 10;
    ++exponent;
  }
  const auto r = std::to_chars(buf, buf + sizeof(buf), m);
  return {buf, static_cast<size_t>(r.ptr - buf)};
}

// Upstream: quantity.go, ScaledValue; int64Amount.AsScaledInt64 for the int64 backing and
// scale_int.go scaledValue for the decimal backing.
int64_t Quantity::scaled_value(int32_t scale) const {
  if (!decimal_) {
    return as_scaled_int64(value_, scale_, scale);
  }
  return decimal_scaled_value(negative_, digits_, exponent_ + inf_scale_, inf_scale_, scale);
}

int64_t Quantity::milli_value() const { return scaled_value(-3); }

int64_t Quantity::value() const { return scaled_value(0); }

bool Quantity::fits_milli() const {
  char buf[20];
  int64_t exponent = 0;
  const std::string_view digits = magnitude(buf, exponent);
  return compare_magnitude({digits, exponent}, {kMaxMilliDigits, 0}) <= 0;
}

// Upstream: quantity.go, AsApproximateFloat64: one conversion, one multiplication by Pow10.
double Quantity::as_approximate_double() const {
  double base = 0;
  int64_t exponent = 0;
  if (decimal_) {
    base = integer_to_double(digits_, exponent_ + inf_scale_);
    if (negative_) {
      base = -base;
    }
    exponent = -inf_scale_;
  } else {
    base = static_cast<double>(value_);
    exponent = scale_;
  }
  if (exponent == 0) {
    return base;
  }
  return base * go_pow10(exponent);
}

Quantity::Format Quantity::format() const { return format_; }

bool Quantity::is_zero() const { return sign() == 0; }

int Quantity::sign() const {
  if (decimal_) {
    if (digits_.empty()) {
      return 0;
    }
    return negative_ ? -1 : 1;
  }
  return (value_ > 0) - (value_ < 0);
}

int Quantity::compare(const Quantity& other) const {
  if (!decimal_ && !other.decimal_ && scale_ == other.scale_) {
    return (value_ > other.value_) - (value_ < other.value_);
  }
  const int a_sign = sign();
  const int b_sign = other.sign();
  if (a_sign != b_sign) {
    return a_sign < b_sign ? -1 : 1;
  }
  if (a_sign == 0) {
    return 0;
  }
  char a_buf[20];
  char b_buf[20];
  int64_t a_exponent = 0;
  int64_t b_exponent = 0;
  const std::string_view a_digits = magnitude(a_buf, a_exponent);
  const std::string_view b_digits = other.magnitude(b_buf, b_exponent);
  const int c = compare_magnitude({a_digits, a_exponent}, {b_digits, b_exponent});
  return a_sign < 0 ? -c : c;
}

}  // namespace kscale::core

#include "sources/exposition_parser.h"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <system_error>

namespace kscale::sources {

namespace {

// ---------------------------------------------------------------------------------------------
// Character classes. Upstream: promlex.l / openmetricslex.l, M = [a-zA-Z_:], L = [a-zA-Z_],
// D = [0-9].

constexpr std::uint8_t kMetricStart = 1 << 0;  // {M}
constexpr std::uint8_t kMetricChar = 1 << 1;   // {M}|{D}
constexpr std::uint8_t kLabelStart = 1 << 2;   // {L}
constexpr std::uint8_t kLabelChar = 1 << 3;    // {L}|{D}
constexpr std::uint8_t kDigit = 1 << 4;        // {D}
// Ends a 0.0.4 value token: promlex `<sValue>[^{ \t\n]+`. NUL too: golex treats it as end of
// input, so upstream never puts it in a value.
constexpr std::uint8_t kPromValueStop = 1 << 5;
// Ends the plain run inside a quoted string: the quote, a backslash, a raw newline.
constexpr std::uint8_t kQuotedStop = 1 << 6;
// Ends an OpenMetrics value or timestamp token: openmetricslex `[^ \n]+`.
constexpr std::uint8_t kOmTokenStop = 1 << 7;

constexpr std::array<std::uint8_t, 256> kCharClass = [] {
  std::array<std::uint8_t, 256> table{};
  for (int c = 0; c < 256; ++c) {
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    std::uint8_t bits = 0;
    if (alpha || c == ':') {
      bits |= kMetricStart | kMetricChar;
    }
    if (digit) {
      bits |= kMetricChar | kLabelChar | kDigit;
    }
    if (alpha) {
      bits |= kLabelStart | kLabelChar;
    }
    if (c == '{' || c == ' ' || c == '\t' || c == '\n' || c == '\0') {
      bits |= kPromValueStop;
    }
    if (c == '"' || c == '\\' || c == '\n') {
      bits |= kQuotedStop;
    }
    if (c == ' ' || c == '\n') {
      bits |= kOmTokenStop;
    }
    table[static_cast<std::size_t>(c)] = bits;
  }
  return table;
}();

inline bool has_class(char c, std::uint8_t cls) {
  return (kCharClass[static_cast<unsigned char>(c)] & cls) != 0;
}

// Upstream: model/value NormalNaN, the NaN every parsed NaN is replaced with, so that it is
// never mistaken for the staleness marker.
const double kNormalNaN = std::bit_cast<double>(std::uint64_t{0x7ff8000000000001});

// ---------------------------------------------------------------------------------------------
// Numbers.

enum class FloatStatus { Ok, Invalid, Unsupported, OutOfRange };

bool iequals_ascii(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
    if (c != lower[i]) {
      return false;
    }
  }
  return true;
}

// Whether a decimal literal that from_chars found out of range is too large (true) or too small
// (false): the sign of the position of its leading significant digit, exponent included.
bool decimal_overflows(std::string_view s) {
  std::int64_t magnitude = 0;
  std::size_t i = 0;
  bool seen_significant = false;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    if (s[i] != '0' || seen_significant) {
      seen_significant = true;
      ++magnitude;
    }
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      if (seen_significant) {
        continue;
      }
      if (s[i] != '0') {
        seen_significant = true;
      } else {
        --magnitude;
      }
    }
  }
  std::int64_t exponent = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      negative = s[i] == '-';
      ++i;
    }
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      if (exponent < 1'000'000'000) {
        exponent = exponent * 10 + (s[i] - '0');
      }
    }
    if (negative) {
      exponent = -exponent;
    }
  }
  return magnitude + exponent > 0;
}

// Go's strconv.ParseFloat(s, 64) after upstream's parseFloat rejects 'p', 'P' and '_'
// (promparse.go, parseFloat: "Keep to pre-Go 1.13 float formats"). Accepts an optional sign,
// decimal literals with exponent, "inf"/"infinity" in any case with optional sign, and "nan" in
// any case without sign. Overflow is an error (ErrRange); underflow gives a signed zero.
FloatStatus parse_go_float(std::string_view s, double& out) {
  if (s.empty()) {
    return FloatStatus::Invalid;
  }
  // Fast path: up to 15 decimal digits are exact in a double.
  if (s.size() <= 15 && has_class(s[0], kDigit)) {
    std::uint64_t n = 0;
    std::size_t i = 0;
    for (; i < s.size() && has_class(s[i], kDigit); ++i) {
      n = n * 10 + static_cast<std::uint64_t>(s[i] - '0');
    }
    if (i == s.size()) {
      out = static_cast<double>(n);
      return FloatStatus::Ok;
    }
  }
  for (char c : s) {
    if (c == 'p' || c == 'P' || c == '_') {
      return FloatStatus::Unsupported;
    }
  }
  bool negative = false;
  std::string_view rest = s;
  if (rest[0] == '+' || rest[0] == '-') {
    negative = rest[0] == '-';
    rest.remove_prefix(1);
  }
  if (rest.empty()) {
    return FloatStatus::Invalid;
  }
  const char first = rest[0];
  if (first == 'i' || first == 'I') {
    if (iequals_ascii(rest, "inf") || iequals_ascii(rest, "infinity")) {
      out = negative ? -std::numeric_limits<double>::infinity()
                     : std::numeric_limits<double>::infinity();
      return FloatStatus::Ok;
    }
    return FloatStatus::Invalid;
  }
  if (first == 'n' || first == 'N') {
    if (rest.size() == s.size() && iequals_ascii(rest, "nan")) {
      out = kNormalNaN;
      return FloatStatus::Ok;
    }
    return FloatStatus::Invalid;
  }
  if (!has_class(first, kDigit) && first != '.') {
    return FloatStatus::Invalid;
  }
  double value = 0;
  const char* last = rest.data() + rest.size();
  const auto [ptr, ec] = std::from_chars(rest.data(), last, value, std::chars_format::general);
  if (ptr != last || ec == std::errc::invalid_argument) {
    return FloatStatus::Invalid;
  }
  if (ec == std::errc::result_out_of_range) {
    if (decimal_overflows(rest)) {
      return FloatStatus::OutOfRange;
    }
    value = 0;
  }
  out = negative ? -value : value;
  return FloatStatus::Ok;
}

// ---------------------------------------------------------------------------------------------
// Strings.

// Go's utf8.Valid: rejects overlong forms, surrogates and code points above U+10FFFF.
bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    if (end - p >= 8) {
      std::uint64_t word = 0;
      std::memcpy(&word, p, sizeof word);
      if ((word & 0x8080808080808080ULL) == 0) {
        p += 8;
        continue;
      }
    }
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    std::ptrdiff_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) {
        low = 0xA0;
      } else if (c == 0xED) {
        high = 0x9F;
      }
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) {
        low = 0x90;
      } else if (c == 0xF4) {
        high = 0x8F;
      }
    } else {
      return false;
    }
    if (end - p < length || p[1] < low || p[1] > high) {
      return false;
    }
    for (std::ptrdiff_t i = 2; i < length; ++i) {
      if (p[i] < 0x80 || p[i] > 0xBF) {
        return false;
      }
    }
    p += length;
  }
  return true;
}

// Upstream lvalReplacer (promparse.go): `\\` → `\`, `\"` → `"`, `\n` → newline, applied to label
// values and quoted names in both formats and to OpenMetrics HELP text; helpReplacer, for 0.0.4
// HELP text, leaves `\"` alone. Any other escape is kept as written, backslash included.
void append_unescaped(std::string_view raw, bool unescape_quote, std::string& out) {
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '\\' && i + 1 < raw.size()) {
      const char next = raw[i + 1];
      if (next == '\\' || next == 'n' || (next == '"' && unescape_quote)) {
        out.push_back(next == 'n' ? '\n' : next);
        ++i;
        continue;
      }
    }
    out.push_back(c);
  }
}

bool starts_with_at(const char* p, const char* end, std::string_view word) {
  return static_cast<std::size_t>(end - p) >= word.size() &&
         std::memcmp(p, word.data(), word.size()) == 0;
}

// Renders the bytes at `pos`, up to the end of their line and at most a few, for an error
// message, escaped so that it prints on one line.
std::string describe_token(const char* pos, const char* end) {
  if (pos >= end) {
    return "end of input";
  }
  constexpr std::ptrdiff_t kMaxBytes = 24;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  const char* q = pos;
  bool reached_newline = false;
  while (q < end && q - pos < kMaxBytes) {
    const auto c = static_cast<unsigned char>(*q++);
    if (c == '\n') {
      out += "\\n";
      reached_newline = true;
      break;
    }
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c >= 0x7F) {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  if (!reached_newline && q < end && *q != '\n') {
    out += "...";
  }
  out.push_back('"');
  return out;
}

std::string quoted_for_message(std::string_view s) {
  return describe_token(s.data(), s.data() + s.size());
}

bool ends_with_suffix(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Whether a sample belongs to the family its metadata describes, and which part of it it is.
// Upstream: model/textparse/family.go, isSeriesPartOfFamily; `_created` added for OpenMetrics
// counters, histograms and summaries, as the OpenMetrics 1.0 spec defines them.
bool family_member(std::string_view sample, const FamilyView& family, bool open_metrics,
                   SampleRole& role) {
  std::string_view base = family.name;
  if (family.type == MetricType::Counter && ends_with_suffix(base, "_total")) {
    base.remove_suffix(6);
  } else if (family.type == MetricType::Info && ends_with_suffix(base, "_info")) {
    base.remove_suffix(5);
  }
  if (sample.size() < base.size() || sample.substr(0, base.size()) != base) {
    return false;
  }
  const std::string_view rest = sample.substr(base.size());
  if (rest.empty()) {
    role = SampleRole::Value;
    return true;
  }
  const bool created = open_metrics && rest == "_created";
  switch (family.type) {
    case MetricType::Counter:
      if (rest == "_total") {
        role = SampleRole::Total;
        return true;
      }
      if (created) {
        role = SampleRole::Created;
        return true;
      }
      return false;
    case MetricType::Histogram:
    case MetricType::Summary:
      if (rest == "_bucket" && family.type == MetricType::Histogram) {
        role = SampleRole::Bucket;
        return true;
      }
      if (rest == "_count") {
        role = SampleRole::Count;
        return true;
      }
      if (rest == "_sum") {
        role = SampleRole::Sum;
        return true;
      }
      if (created) {
        role = SampleRole::Created;
        return true;
      }
      return false;
    case MetricType::GaugeHistogram:
      if (rest == "_bucket") {
        role = SampleRole::Bucket;
        return true;
      }
      if (rest == "_gcount") {
        role = SampleRole::GCount;
        return true;
      }
      if (rest == "_gsum") {
        role = SampleRole::GSum;
        return true;
      }
      return false;
    case MetricType::Info:
      if (rest == "_info") {
        role = SampleRole::Info;
        return true;
      }
      return false;
    case MetricType::Unknown:
    case MetricType::Gauge:
    case MetricType::StateSet:
      return false;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// The scanner. One instance per parse; buffers are reused from sample to sample, so a parse
// allocates only while they grow to the largest line's needs.

enum class MetaKind { Help, Type, Unit };

std::string_view meta_kind_name(MetaKind kind) {
  switch (kind) {
    case MetaKind::Help: return "HELP";
    case MetaKind::Type: return "TYPE";
    case MetaKind::Unit: return "UNIT";
  }
  return "";
}

class Scanner {
 public:
  Scanner(std::string_view text, ExpositionFormat format, const detail::ParseCallbacks& callbacks)
      : begin_(text.data()),
        p_(text.data()),
        end_(text.data() + text.size()),
        open_metrics_(format == ExpositionFormat::OpenMetrics),
        callbacks_(callbacks) {
    labels_.reserve(16);
    exemplar_labels_.reserve(4);
  }

  core::Result<ParseStats> run() {
    const bool ok = open_metrics_ ? parse_open_metrics() : parse_prometheus_text();
    if (!ok) {
      return core::fail(core::Error::bad_request(error_message()));
    }
    if (meta_active_ && !meta_announced_) {
      announce(meta_view_);
    }
    return stats_;
  }

 private:
  // Which string a deferred unescape writes back to.
  enum class Slot : std::uint8_t { MetricName, LabelName, LabelValue, ExemplarName, ExemplarValue };
  struct Escaped {
    Slot slot;
    std::uint32_t index;
    bool unescape_quote;
  };
  enum class Current : std::uint8_t { None, Meta, Implicit };

  // ----- errors -----

  bool fail(const char* pos, std::string_view expected) {
    error_pos_ = pos;
    error_text_.assign(expected);
    error_show_token_ = true;
    return false;
  }

  bool fail_message(const char* pos, std::string message) {
    error_pos_ = pos;
    error_text_ = std::move(message);
    error_show_token_ = false;
    return false;
  }

  std::string error_message() const {
    const char* pos = std::clamp(error_pos_, begin_, end_);
    const std::size_t line = 1 + static_cast<std::size_t>(std::count(begin_, pos, '\n'));
    const char* line_start = pos;
    while (line_start > begin_ && line_start[-1] != '\n') {
      --line_start;
    }
    std::string message = "line " + std::to_string(line) + ", column " +
                          std::to_string(pos - line_start + 1) + ": " + error_text_;
    if (error_show_token_) {
      message += ", got " + describe_token(pos, end_);
    }
    return message;
  }

  // ----- small scanners -----

  void skip_blanks() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t')) {
      ++p_;
    }
  }

  std::string_view scan_while(std::uint8_t cls) {
    const char* start = p_;
    while (p_ < end_ && has_class(*p_, cls)) {
      ++p_;
    }
    return {start, static_cast<std::size_t>(p_ - start)};
  }

  // A quoted string at p_ (which is '"'): upstream `\"(\\.|[^\\"])*\"`, or with `\n` excluded
  // from the plain characters when !allow_newline. An escape is a backslash and any character
  // but a newline. On success p_ is past the closing quote and `inner` holds the raw contents.
  bool scan_quoted(bool allow_newline, std::string_view& inner, bool& escaped) {
    const char* start = ++p_;
    unsigned char high_bits = 0;
    escaped = false;
    while (p_ < end_) {
      while (p_ < end_ && !has_class(*p_, kQuotedStop)) {
        high_bits |= static_cast<unsigned char>(*p_);
        ++p_;
      }
      if (p_ == end_) {
        break;
      }
      const char c = *p_;
      if (c == '"') {
        inner = {start, static_cast<std::size_t>(p_ - start)};
        ++p_;
        if ((high_bits & 0x80) != 0 && !valid_utf8(inner)) {
          invalid_utf8_ = true;
        }
        return true;
      }
      if (c == '\\') {
        if (p_ + 1 >= end_ || p_[1] == '\n') {
          return false;
        }
        high_bits |= static_cast<unsigned char>(p_[1]);
        escaped = true;
        p_ += 2;
        continue;
      }
      // A raw newline.
      if (!allow_newline) {
        return false;
      }
      ++p_;
    }
    return false;
  }

  // A quoted string as a name (metric or label): scanned, checked for UTF-8 and emptiness.
  bool scan_quoted_name(bool allow_newline, const char* error_pos, std::string_view expected,
                        std::string_view& inner, bool& escaped) {
    invalid_utf8_ = false;
    if (!scan_quoted(allow_newline, inner, escaped)) {
      return fail(error_pos, expected);
    }
    if (invalid_utf8_) {
      return fail_message(error_pos, "invalid UTF-8 name: " + quoted_for_message(inner));
    }
    if (inner.empty()) {
      return fail(error_pos, "empty name");
    }
    return true;
  }

  void defer_unescape(Slot slot, std::size_t index, bool unescape_quote, std::string_view raw) {
    escaped_.push_back(Escaped{slot, static_cast<std::uint32_t>(index), unescape_quote});
    escaped_bytes_ += raw.size();
  }

  // Rewrites the escaped strings of the current line into scratch_. Reserving the raw total
  // first means scratch_ never reallocates here, so earlier views into it stay valid.
  void resolve_escapes() {
    scratch_.clear();
    scratch_.reserve(escaped_bytes_);
    for (const Escaped& e : escaped_) {
      std::string_view* target = nullptr;
      switch (e.slot) {
        case Slot::MetricName: target = &name_; break;
        case Slot::LabelName: target = &labels_[e.index].name; break;
        case Slot::LabelValue: target = &labels_[e.index].value; break;
        case Slot::ExemplarName: target = &exemplar_labels_[e.index].name; break;
        case Slot::ExemplarValue: target = &exemplar_labels_[e.index].value; break;
      }
      const std::size_t offset = scratch_.size();
      append_unescaped(*target, e.unescape_quote, scratch_);
      *target = std::string_view(scratch_.data() + offset, scratch_.size() - offset);
    }
  }

  bool check_duplicate_names(const std::vector<LabelView>& labels, const char* line_start) {
    const std::size_t n = labels.size();
    if (n < 2) {
      return true;
    }
    if (n <= 16) {
      for (std::size_t i = 1; i < n; ++i) {
        for (std::size_t j = 0; j < i; ++j) {
          if (labels[i].name == labels[j].name) {
            return fail_message(line_start,
                                "duplicate label name " + quoted_for_message(labels[i].name));
          }
        }
      }
      return true;
    }
    sorted_names_.clear();
    for (const LabelView& label : labels) {
      sorted_names_.push_back(label.name);
    }
    std::sort(sorted_names_.begin(), sorted_names_.end());
    const auto dup = std::adjacent_find(sorted_names_.begin(), sorted_names_.end());
    if (dup != sorted_names_.end()) {
      return fail_message(line_start, "duplicate label name " + quoted_for_message(*dup));
    }
    return true;
  }

  void start_line() {
    labels_.clear();
    exemplar_labels_.clear();
    escaped_.clear();
    escaped_bytes_ = 0;
    name_ = {};
  }

  // ----- families -----

  void announce(const FamilyView& family) {
    ++stats_.families;
    if (callbacks_.on_family != nullptr) {
      callbacks_.on_family(callbacks_.context, family);
    }
  }

  // A HELP, TYPE or UNIT line for `name`. Lines for the same name before any of its samples
  // describe one family; anything else starts a new one.
  void begin_metadata(std::string_view name) {
    if (meta_active_ && !meta_announced_ && meta_view_.name == name) {
      return;
    }
    if (meta_active_ && !meta_announced_) {
      announce(meta_view_);
    }
    meta_name_.assign(name);
    meta_view_ = FamilyView{meta_name_, MetricType::Unknown, {}, {}};
    meta_active_ = true;
    meta_announced_ = false;
    current_ = Current::None;
  }

  bool emit_sample(const char* line_start, double value, std::optional<Timestamp> timestamp,
                   bool has_exemplar, double exemplar_value,
                   std::optional<Timestamp> exemplar_timestamp) {
    if (!escaped_.empty()) {
      resolve_escapes();
    }
    if (!check_duplicate_names(labels_, line_start) ||
        !check_duplicate_names(exemplar_labels_, line_start)) {
      return false;
    }
    SampleRole role = SampleRole::Value;
    const FamilyView* family = nullptr;
    if (meta_active_ && family_member(name_, meta_view_, open_metrics_, role)) {
      family = &meta_view_;
      if (current_ != Current::Meta) {
        announce(meta_view_);
        meta_announced_ = true;
        current_ = Current::Meta;
      }
    } else {
      role = SampleRole::Value;
      if (meta_active_ && !meta_announced_) {
        announce(meta_view_);
        meta_announced_ = true;
        current_ = Current::Meta;
      }
      if (current_ != Current::Implicit || implicit_name_ != name_) {
        implicit_name_.assign(name_);
        implicit_view_ = FamilyView{implicit_name_, MetricType::Unknown, {}, {}};
        announce(implicit_view_);
        current_ = Current::Implicit;
      }
      family = &implicit_view_;
    }
    SampleView sample;
    sample.family = family;
    sample.name = name_;
    sample.role = role;
    sample.labels = labels_;
    sample.value = value;
    sample.timestamp = timestamp;
    if (has_exemplar) {
      sample.exemplar = ExemplarView{exemplar_labels_, exemplar_value, exemplar_timestamp};
    }
    ++stats_.samples;
    callbacks_.on_sample(callbacks_.context, sample);
    return true;
  }

  bool parse_value(const char* token_start, const char* token_end, double& out) {
    const std::string_view token(token_start, static_cast<std::size_t>(token_end - token_start));
    switch (parse_go_float(token, out)) {
      case FloatStatus::Ok: return true;
      case FloatStatus::Unsupported:
        return fail_message(token_start,
                            "unsupported character in float " + quoted_for_message(token));
      case FloatStatus::OutOfRange:
        return fail_message(token_start, "value out of range " + quoted_for_message(token));
      case FloatStatus::Invalid: break;
    }
    return fail_message(token_start, "invalid float " + quoted_for_message(token));
  }

  // OpenMetrics timestamps are seconds as a float; upstream keeps int64(ts * 1000) ms.
  bool parse_seconds_timestamp(const char* token_start, const char* token_end,
                               std::string_view what, std::optional<Timestamp>& out) {
    double seconds = 0;
    if (!parse_value(token_start, token_end, seconds)) {
      return false;
    }
    const std::string_view token(token_start, static_cast<std::size_t>(token_end - token_start));
    if (!std::isfinite(seconds)) {
      return fail_message(token_start, std::string(what) + " " + quoted_for_message(token));
    }
    const double millis = seconds * 1000.0;
    // 2^63 is exactly representable; anything at or beyond it does not fit an int64.
    if (!(millis > -9223372036854775808.0 && millis < 9223372036854775808.0)) {
      return fail_message(token_start, "timestamp out of range " + quoted_for_message(token));
    }
    out = Timestamp(std::chrono::milliseconds(static_cast<std::int64_t>(millis)));
    return true;
  }

  // ================================ Prometheus text 0.0.4 ================================
  // Upstream: model/textparse/promlex.l and promparse.go. Blanks ([ \t]+) may separate any two
  // tokens; blank lines and `#` comments are allowed anywhere; the last line needs no newline.

  bool parse_prometheus_text() {
    while (true) {
      skip_blanks();
      if (p_ == end_) {
        return true;
      }
      const char c = *p_;
      if (c == '\n') {
        ++p_;
        continue;
      }
      if (c == '#') {
        if (!prom_comment()) {
          return false;
        }
        continue;
      }
      if (has_class(c, kMetricStart) || c == '{') {
        if (!prom_series()) {
          return false;
        }
        continue;
      }
      return fail(p_, "expected a valid start token");
    }
  }

  void skip_line() {
    const void* nl = std::memchr(p_, '\n', static_cast<std::size_t>(end_ - p_));
    p_ = nl == nullptr ? end_ : static_cast<const char*>(nl) + 1;
  }

  // `#[ \t]+(HELP|TYPE)[ \t]+` starts metadata; any other line starting with `#` is a comment.
  bool prom_comment() {
    ++p_;
    if (p_ < end_ && (*p_ == ' ' || *p_ == '\t')) {
      skip_blanks();
      std::optional<MetaKind> kind;
      if (starts_with_at(p_, end_, "HELP")) {
        kind = MetaKind::Help;
      } else if (starts_with_at(p_, end_, "TYPE")) {
        kind = MetaKind::Type;
      }
      if (kind && p_ + 4 < end_ && (p_[4] == ' ' || p_[4] == '\t')) {
        p_ += 4;
        skip_blanks();
        return prom_metadata(*kind);
      }
    }
    skip_line();
    return true;
  }

  bool prom_metadata(MetaKind kind) {
    const std::string expected = "expected metric name after " + std::string(meta_kind_name(kind));
    start_line();
    if (!scan_metadata_name(expected, /*allow_newline=*/true)) {
      return false;
    }
    const char* text_start = p_;
    const void* nl = std::memchr(p_, '\n', static_cast<std::size_t>(end_ - p_));
    const char* eol = nl == nullptr ? end_ : static_cast<const char*>(nl);
    std::string_view text(text_start, static_cast<std::size_t>(eol - text_start));
    p_ = nl == nullptr ? end_ : eol + 1;
    // promlex `<sMeta2>{C}*` keeps the separator, which promparse drops as the first byte
    // (buf()[1:]); when the rest is only blanks, the earlier `<*>[ \t]+` rule wins the tie and
    // the text is empty.
    if (text.find_first_not_of(" \t") == std::string_view::npos) {
      text = {};
    } else {
      text.remove_prefix(1);
      ++text_start;
    }
    return apply_metadata(kind, text, text_start, /*unescape_quote=*/false);
  }

  // The metric name of a metadata line at p_: `{M}({M}|{D})*` or a quoted string.
  bool scan_metadata_name(const std::string& expected, bool allow_newline) {
    const char* tok = p_;
    if (p_ < end_ && has_class(*p_, kMetricStart)) {
      name_ = scan_while(kMetricChar);
    } else if (p_ < end_ && *p_ == '"') {
      bool escaped = false;
      if (!scan_quoted_name(allow_newline, tok, expected, name_, escaped)) {
        return false;
      }
      if (escaped) {
        defer_unescape(Slot::MetricName, 0, true, name_);
        resolve_escapes();
      }
    } else {
      return fail(tok, expected);
    }
    return true;
  }

  bool apply_metadata(MetaKind kind, std::string_view text, const char* text_start,
                      bool unescape_quote) {
    switch (kind) {
      case MetaKind::Type: {
        std::optional<MetricType> type = metric_type_from_word(text);
        if (!type) {
          return fail_message(text_start, "invalid metric type " + quoted_for_message(text));
        }
        begin_metadata(name_);
        meta_view_.type = *type;
        return true;
      }
      case MetaKind::Help: {
        if (!valid_utf8(text)) {
          return fail_message(text_start, "help text is not valid UTF-8");
        }
        begin_metadata(name_);
        if (text.find('\\') == std::string_view::npos) {
          meta_view_.help = text;
        } else {
          help_.clear();
          append_unescaped(text, unescape_quote, help_);
          meta_view_.help = help_;
        }
        return true;
      }
      case MetaKind::Unit: {
        // Upstream openmetricsparse.go: a non-empty unit must be a `_`-separated suffix of the
        // metric name.
        if (!text.empty() &&
            !(name_.size() > text.size() && ends_with_suffix(name_, text) &&
              name_[name_.size() - text.size() - 1] == '_')) {
          return fail_message(text_start, "unit " + quoted_for_message(text) +
                                              " not a suffix of metric " +
                                              quoted_for_message(name_));
        }
        begin_metadata(name_);
        meta_view_.unit = text;
        return true;
      }
    }
    return false;
  }

  std::optional<MetricType> metric_type_from_word(std::string_view word) const {
    if (word == "counter") {
      return MetricType::Counter;
    }
    if (word == "gauge") {
      return MetricType::Gauge;
    }
    if (word == "histogram") {
      return MetricType::Histogram;
    }
    if (word == "summary") {
      return MetricType::Summary;
    }
    if (open_metrics_) {
      if (word == "gaugehistogram") {
        return MetricType::GaugeHistogram;
      }
      if (word == "info") {
        return MetricType::Info;
      }
      if (word == "stateset") {
        return MetricType::StateSet;
      }
      if (word == "unknown") {
        return MetricType::Unknown;
      }
    } else if (word == "untyped") {
      return MetricType::Unknown;
    }
    return std::nullopt;
  }

  bool prom_series() {
    const char* line_start = p_;
    start_line();
    bool have_name = false;
    if (has_class(*p_, kMetricStart)) {
      name_ = scan_while(kMetricChar);
      have_name = true;
      skip_blanks();
    }
    if (p_ < end_ && *p_ == '{') {
      if (!prom_labels(have_name)) {
        return false;
      }
      skip_blanks();
    }
    if (!have_name) {
      return fail_message(line_start, "metric name not set");
    }
    const char* value_start = p_;
    while (p_ < end_ && !has_class(*p_, kPromValueStop)) {
      ++p_;
    }
    if (p_ == value_start) {
      return fail(value_start, "expected value after metric");
    }
    double value = 0;
    if (!parse_value(value_start, p_, value)) {
      return false;
    }
    skip_blanks();
    std::optional<Timestamp> timestamp;
    if (p_ < end_ && has_class(*p_, kDigit)) {
      // promlex `<sTimestamp>{D}+`: milliseconds, digits only.
      const char* ts_start = p_;
      scan_while(kDigit);
      std::int64_t millis = 0;
      const auto [ptr, ec] = std::from_chars(ts_start, p_, millis);
      if (ec != std::errc() || ptr != p_) {
        const std::string_view token(ts_start, static_cast<std::size_t>(p_ - ts_start));
        return fail_message(ts_start, "timestamp out of range " + quoted_for_message(token));
      }
      timestamp = Timestamp(std::chrono::milliseconds(millis));
      skip_blanks();
      if (p_ < end_ && *p_ != '\n') {
        return fail(p_, "expected next entry after timestamp");
      }
    } else if (p_ < end_ && *p_ != '\n') {
      return fail(p_, "expected timestamp or new record");
    }
    if (p_ < end_) {
      ++p_;
    }
    return emit_sample(line_start, value, timestamp, false, 0, std::nullopt);
  }

  // Inside `{...}`: label pairs, optionally comma-separated (promparse accepts a missing comma
  // and a trailing one), and in the UTF-8 syntax a quoted metric name standing alone.
  bool prom_labels(bool& have_name) {
    ++p_;
    while (true) {
      skip_blanks();
      const char* tok = p_;
      if (p_ == end_) {
        return fail(tok, "expected label name");
      }
      if (*p_ == '}') {
        ++p_;
        return true;
      }
      std::string_view label_name;
      bool quoted = false;
      bool name_escaped = false;
      if (has_class(*p_, kLabelStart)) {
        label_name = scan_while(kLabelChar);
      } else if (*p_ == '"') {
        if (!scan_quoted_name(true, tok, "expected label name", label_name, name_escaped)) {
          return false;
        }
        quoted = true;
      } else {
        return fail(tok, "expected label name");
      }
      skip_blanks();
      if (quoted && p_ < end_ && (*p_ == ',' || *p_ == '}')) {
        if (have_name) {
          return fail_message(tok, "metric name already set");
        }
        name_ = label_name;
        have_name = true;
        if (name_escaped) {
          defer_unescape(Slot::MetricName, 0, true, label_name);
        }
        if (*p_++ == '}') {
          return true;
        }
        continue;
      }
      if (p_ == end_ || *p_ != '=') {
        return fail(p_, "expected equal");
      }
      ++p_;
      skip_blanks();
      if (!scan_label_value(/*allow_newline=*/true, /*exemplar=*/false, label_name, name_escaped,
                            labels_, Slot::LabelName, Slot::LabelValue)) {
        return false;
      }
      skip_blanks();
      if (p_ < end_ && *p_ == ',') {
        ++p_;
      }
    }
  }

  // `"value"` at p_, appended with its name to `out`. In exemplars a NUL byte is refused:
  // upstream's lexer lets NUL through only in sample label values, HELP text and comments.
  bool scan_label_value(bool allow_newline, bool exemplar, std::string_view label_name,
                        bool name_escaped, std::vector<LabelView>& out, Slot name_slot,
                        Slot value_slot) {
    const char* tok = p_;
    if (p_ == end_ || *p_ != '"') {
      return fail(tok, "expected label value");
    }
    invalid_utf8_ = false;
    std::string_view value;
    bool value_escaped = false;
    if (!scan_quoted(allow_newline, value, value_escaped) ||
        (exemplar && value.find('\0') != std::string_view::npos)) {
      return fail(tok, "expected label value");
    }
    if (invalid_utf8_) {
      return fail_message(tok, "invalid UTF-8 label value " + quoted_for_message(value));
    }
    const std::size_t index = out.size();
    out.push_back(LabelView{label_name, value});
    if (name_escaped) {
      defer_unescape(name_slot, index, true, label_name);
    }
    if (value_escaped) {
      defer_unescape(value_slot, index, true, value);
    }
    return true;
  }

  // ===================================== OpenMetrics 1.0 =====================================
  // Upstream: model/textparse/openmetricslex.l and openmetricsparse.go. Exactly one space
  // separates tokens, no blanks inside braces, no blank lines, no comments other than
  // HELP/TYPE/UNIT, and the input ends with `# EOF` and an optional newline.

  bool parse_open_metrics() {
    while (true) {
      if (p_ == end_) {
        return fail_message(p_, "data does not end with # EOF");
      }
      const char c = *p_;
      if (c == '#') {
        if (p_ + 1 < end_ && p_[1] == ' ') {
          const char* word = p_ + 2;
          std::optional<MetaKind> kind;
          if (starts_with_at(word, end_, "HELP ")) {
            kind = MetaKind::Help;
          } else if (starts_with_at(word, end_, "TYPE ")) {
            kind = MetaKind::Type;
          } else if (starts_with_at(word, end_, "UNIT ")) {
            kind = MetaKind::Unit;
          } else if (starts_with_at(word, end_, "EOF")) {
            p_ = word + 3;
            if (p_ < end_ && *p_ == '\n') {
              ++p_;
            }
            if (p_ != end_) {
              return fail(p_, "unexpected data after # EOF");
            }
            return true;
          }
          if (kind) {
            p_ = word + 5;
            if (!om_metadata(*kind)) {
              return false;
            }
            continue;
          }
        }
        return fail(p_, "expected a valid start token");
      }
      if (has_class(c, kMetricStart) || c == '{') {
        if (!om_series()) {
          return false;
        }
        continue;
      }
      return fail(p_, "expected a valid start token");
    }
  }

  bool om_metadata(MetaKind kind) {
    const std::string kind_name(meta_kind_name(kind));
    start_line();
    if (!scan_metadata_name("expected metric name after " + kind_name, true)) {
      return false;
    }
    // openmetricslex `<sMeta2>{S}{C}*\n`: one space, the text, a newline.
    const void* nl = p_ < end_ ? std::memchr(p_, '\n', static_cast<std::size_t>(end_ - p_))
                               : nullptr;
    if (p_ == end_ || *p_ != ' ' || nl == nullptr) {
      return fail(p_, "expected text in " + kind_name);
    }
    const char* text_start = p_ + 1;
    const char* eol = static_cast<const char*>(nl);
    p_ = eol + 1;
    return apply_metadata(kind, {text_start, static_cast<std::size_t>(eol - text_start)},
                          text_start, /*unescape_quote=*/true);
  }

  bool om_series() {
    const char* line_start = p_;
    start_line();
    bool have_name = false;
    if (has_class(*p_, kMetricStart)) {
      name_ = scan_while(kMetricChar);
      have_name = true;
    }
    if (p_ < end_ && *p_ == '{') {
      if (!om_labels(have_name, /*exemplar=*/false)) {
        return false;
      }
    }
    if (!have_name) {
      return fail_message(line_start, "metric name not set");
    }
    double value = 0;
    if (!om_value("expected value after metric", value)) {
      return false;
    }
    std::optional<Timestamp> timestamp;
    bool has_exemplar = false;
    double exemplar_value = 0;
    std::optional<Timestamp> exemplar_timestamp;
    if (p_ == end_) {
      return fail_message(p_, "data does not end with # EOF");
    }
    if (*p_ == ' ' && !at_exemplar_start()) {
      const char* ts_start = p_ + 1;
      // openmetricslex `<sTimestamp>{S}[^c \n][^ \n]*`.
      if (ts_start == end_ || has_class(*ts_start, kOmTokenStop) || *ts_start == 'c') {
        return fail(p_, "expected timestamp or exemplar");
      }
      p_ = ts_start;
      while (p_ < end_ && !has_class(*p_, kOmTokenStop)) {
        ++p_;
      }
      if (!parse_seconds_timestamp(ts_start, p_, "invalid timestamp", timestamp)) {
        return false;
      }
      if (p_ == end_) {
        return fail_message(p_, "data does not end with # EOF");
      }
      if (*p_ == ' ' && !at_exemplar_start()) {
        return fail(p_, "expected next entry after timestamp");
      }
    }
    if (*p_ == ' ') {
      p_ += 3;  // " # ", leaving p_ at '{'
      if (!om_exemplar(exemplar_value, exemplar_timestamp)) {
        return false;
      }
      has_exemplar = true;
    } else {
      ++p_;  // the newline
    }
    return emit_sample(line_start, value, timestamp, has_exemplar, exemplar_value,
                       exemplar_timestamp);
  }

  bool at_exemplar_start() const { return starts_with_at(p_, end_, " # {"); }

  // `{S}[^ \n]+` at p_, parsed as a float.
  bool om_value(std::string_view expected, double& out) {
    if (p_ == end_ || *p_ != ' ' || p_ + 1 == end_ || has_class(p_[1], kOmTokenStop)) {
      return fail(p_, expected);
    }
    const char* start = ++p_;
    while (p_ < end_ && !has_class(*p_, kOmTokenStop)) {
      ++p_;
    }
    return parse_value(start, p_, out);
  }

  // After ` # ` at '{': labels, a value, an optional timestamp, then the newline.
  bool om_exemplar(double& value, std::optional<Timestamp>& timestamp) {
    bool no_name = false;
    if (!om_labels(no_name, /*exemplar=*/true)) {
      return false;
    }
    if (!om_value("expected value after exemplar labels", value)) {
      return false;
    }
    if (p_ == end_) {
      return fail_message(p_, "data does not end with # EOF");
    }
    if (*p_ == ' ') {
      if (p_ + 1 == end_ || has_class(p_[1], kOmTokenStop)) {
        return fail(p_, "expected timestamp or new record after exemplar value");
      }
      const char* ts_start = ++p_;
      while (p_ < end_ && !has_class(*p_, kOmTokenStop)) {
        ++p_;
      }
      if (!parse_seconds_timestamp(ts_start, p_, "invalid exemplar timestamp", timestamp)) {
        return false;
      }
      if (p_ == end_) {
        return fail_message(p_, "data does not end with # EOF");
      }
      if (*p_ != '\n') {
        return fail(p_, "expected next entry after exemplar timestamp");
      }
    }
    ++p_;
    return true;
  }

  // Inside `{...}`, strictly: `name="value"` pairs separated by single commas, a trailing comma
  // allowed, no blanks; a quoted metric name standing alone outside exemplars.
  bool om_labels(bool& have_name, bool exemplar) {
    ++p_;
    std::vector<LabelView>& out = exemplar ? exemplar_labels_ : labels_;
    const Slot name_slot = exemplar ? Slot::ExemplarName : Slot::LabelName;
    const Slot value_slot = exemplar ? Slot::ExemplarValue : Slot::LabelValue;
    while (true) {
      const char* tok = p_;
      if (p_ == end_) {
        return fail(tok, "expected label name");
      }
      if (*p_ == '}') {
        ++p_;
        return true;
      }
      std::string_view label_name;
      bool quoted = false;
      bool name_escaped = false;
      if (has_class(*p_, kLabelStart)) {
        label_name = scan_while(kLabelChar);
      } else if (*p_ == '"') {
        // openmetricslex: `<sLabels>\"(\\.|[^\\"])*\"`, `<sExemplar>\"(\\.|[^\\"\n])*\"`.
        if (!scan_quoted_name(!exemplar, tok, "expected label name", label_name, name_escaped)) {
          return false;
        }
        quoted = true;
      } else {
        return fail(tok, "expected label name");
      }
      if (quoted && p_ < end_ && (*p_ == ',' || *p_ == '}')) {
        if (exemplar) {
          return fail(tok, "expected label name");
        }
        if (have_name) {
          return fail_message(tok, "metric name already set");
        }
        name_ = label_name;
        have_name = true;
        if (name_escaped) {
          defer_unescape(Slot::MetricName, 0, true, label_name);
        }
        if (*p_++ == '}') {
          return true;
        }
        continue;
      }
      if (p_ == end_ || *p_ != '=') {
        return fail(p_, "expected equal");
      }
      ++p_;
      if (!scan_label_value(/*allow_newline=*/false, exemplar, label_name, name_escaped, out,
                            name_slot, value_slot)) {
        return false;
      }
      if (p_ < end_ && *p_ == ',') {
        ++p_;
        continue;
      }
      if (p_ < end_ && *p_ == '}') {
        ++p_;
        return true;
      }
      return fail(p_, "expected comma or brace close");
    }
  }

  // ----- state -----

  const char* const begin_;
  const char* p_;
  const char* const end_;
  const bool open_metrics_;
  const detail::ParseCallbacks& callbacks_;
  ParseStats stats_;

  // The current line.
  std::string_view name_;
  std::vector<LabelView> labels_;
  std::vector<LabelView> exemplar_labels_;
  std::vector<Escaped> escaped_;
  std::size_t escaped_bytes_ = 0;
  std::string scratch_;
  std::vector<std::string_view> sorted_names_;
  bool invalid_utf8_ = false;

  // The family the last metadata lines describe, and the one samples last belonged to.
  bool meta_active_ = false;
  bool meta_announced_ = false;
  std::string meta_name_;
  std::string help_;
  FamilyView meta_view_;
  std::string implicit_name_;
  FamilyView implicit_view_;
  Current current_ = Current::None;

  const char* error_pos_ = nullptr;
  std::string error_text_;
  bool error_show_token_ = false;
};

// ---------------------------------------------------------------------------------------------
// Content-Type.

bool is_token_char(char c) {
  // RFC 2045 token: printable ASCII except space and tspecials.
  if (c <= ' ' || c >= 0x7F) {
    return false;
  }
  return std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_token_char);
}

std::string_view trim_blanks(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

std::string to_lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

// Go's mime.ParseMediaType, as far as deciding validity: `type/subtype` tokens, then
// `; key=value` parameters (token or quoted-string values, distinct keys), trailing `;` allowed.
std::optional<std::string> parse_media_type(std::string_view content_type) {
  const auto semicolon = content_type.find(';');
  const std::string media = to_lower_ascii(trim_blanks(content_type.substr(0, semicolon)));
  const auto slash = media.find('/');
  if (slash == std::string::npos || !is_token(std::string_view(media).substr(0, slash)) ||
      !is_token(std::string_view(media).substr(slash + 1))) {
    return std::nullopt;
  }
  std::vector<std::string> keys;
  std::string_view rest =
      semicolon == std::string_view::npos ? std::string_view() : content_type.substr(semicolon);
  while (!rest.empty()) {
    rest = trim_blanks(rest);
    if (rest.empty()) {
      break;
    }
    if (rest.front() != ';') {
      return std::nullopt;
    }
    rest.remove_prefix(1);
    rest = trim_blanks(rest);
    if (rest.empty()) {
      break;
    }
    const auto eq = rest.find('=');
    if (eq == std::string_view::npos || !is_token(trim_blanks(rest.substr(0, eq)))) {
      return std::nullopt;
    }
    std::string key = to_lower_ascii(trim_blanks(rest.substr(0, eq)));
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) {
      return std::nullopt;
    }
    keys.push_back(std::move(key));
    rest = rest.substr(eq + 1);
    rest.remove_prefix(std::min(rest.size(), rest.find_first_not_of(" \t")));
    if (!rest.empty() && rest.front() == '"') {
      std::size_t i = 1;
      while (i < rest.size() && rest[i] != '"') {
        i += rest[i] == '\\' ? 2 : 1;
      }
      if (i >= rest.size()) {
        return std::nullopt;
      }
      rest.remove_prefix(i + 1);
    } else {
      std::size_t i = 0;
      while (i < rest.size() && is_token_char(rest[i])) {
        ++i;
      }
      if (i == 0) {
        return std::nullopt;
      }
      rest.remove_prefix(i);
    }
  }
  return media;
}

}  // namespace

std::string_view metric_type_name(MetricType type) {
  switch (type) {
    case MetricType::Unknown: return "unknown";
    case MetricType::Counter: return "counter";
    case MetricType::Gauge: return "gauge";
    case MetricType::Histogram: return "histogram";
    case MetricType::GaugeHistogram: return "gaugehistogram";
    case MetricType::Summary: return "summary";
    case MetricType::Info: return "info";
    case MetricType::StateSet: return "stateset";
  }
  return "unknown";
}

core::Result<ExpositionFormat> format_from_content_type(std::string_view content_type,
                                                        std::optional<ExpositionFormat> fallback) {
  const auto unsupported = [&](std::string problem) -> core::Result<ExpositionFormat> {
    if (fallback) {
      return *fallback;
    }
    return core::fail(core::Error::unsupported_media_type(
        problem + " and no fallback protocol is configured; expected text/plain; version=0.0.4 "
                  "or application/openmetrics-text; version=1.0.0"));
  };
  if (trim_blanks(content_type).empty()) {
    return unsupported("non-compliant scrape target sending blank Content-Type");
  }
  const std::optional<std::string> media = parse_media_type(content_type);
  if (!media) {
    return unsupported("cannot parse Content-Type " + quoted_for_message(content_type));
  }
  if (*media == "application/openmetrics-text") {
    return ExpositionFormat::OpenMetrics;
  }
  if (*media == "text/plain") {
    return ExpositionFormat::PrometheusText;
  }
  return unsupported("received unsupported Content-Type " + quoted_for_message(content_type));
}

namespace detail {

core::Result<ParseStats> parse_exposition(std::string_view text, ExpositionFormat format,
                                          const ParseCallbacks& callbacks) {
  Scanner scanner(text, format, callbacks);
  return scanner.run();
}

}  // namespace detail

core::Result<std::vector<MetricFamily>> parse_metric_families(std::string_view text,
                                                              ExpositionFormat format) {
  std::vector<MetricFamily> families;
  const auto to_labels = [](std::span<const LabelView> views) {
    core::Labels labels;
    for (const LabelView& view : views) {
      labels.emplace(std::string(view.name), std::string(view.value));
    }
    return labels;
  };
  auto parsed = parse_exposition(
      text, format,
      [&](const SampleView& view) {
        Sample sample;
        sample.name.assign(view.name);
        sample.role = view.role;
        sample.labels = to_labels(view.labels);
        sample.value = view.value;
        sample.timestamp = view.timestamp;
        if (view.exemplar) {
          sample.exemplar =
              Exemplar{to_labels(view.exemplar->labels), view.exemplar->value,
                       view.exemplar->timestamp};
        }
        families.back().samples.push_back(std::move(sample));
      },
      [&](const FamilyView& view) {
        families.push_back(MetricFamily{std::string(view.name), view.type,
                                        std::string(view.help), std::string(view.unit), {}});
      });
  if (!parsed) {
    return core::fail(std::move(parsed.error()));
  }
  return families;
}

}  // namespace kscale::sources

#include "sources/detail/prometheus_text_parser.h"

#include <charconv>
#include <cstring>
#include <system_error>

#include "sources/detail/exposition_scanner.h"

namespace kscale::sources::detail {
namespace {

class PrometheusTextParser : private ExpositionScanner {
 public:
  PrometheusTextParser(std::string_view text, const ParseCallbacks& callbacks)
      : ExpositionScanner(text, /*open_metrics=*/false, callbacks) {}

  [[nodiscard]] core::Result<ParseStats> run() { return finish(parse_lines()); }

 private:
  bool parse_lines();
  bool comment();
  bool metadata(MetaKind kind);
  bool series();
  bool labels(bool& have_name);
  bool timestamp(std::optional<Timestamp>& out);
};

// Blanks ([ \t]+) may separate any two tokens; blank lines and `#` comments are allowed
// anywhere; the last line needs no newline.
bool PrometheusTextParser::parse_lines() {
  for (skip_blanks(); p_ != end_; skip_blanks()) {
    bool ok = true;
    if (*p_ == '\n') {
      ++p_;
    } else if (*p_ == '#') {
      ok = comment();
    } else if (at_series_start()) {
      ok = series();
    } else {
      ok = fail(p_, "expected a valid start token");
    }
    if (!ok) {
      return false;
    }
  }
  return true;
}

// `#[ \t]+(HELP|TYPE)[ \t]+` starts metadata; any other line starting with `#` is a comment.
bool PrometheusTextParser::comment() {
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
      return metadata(*kind);
    }
  }
  skip_line();
  return true;
}

bool PrometheusTextParser::metadata(MetaKind kind) {
  start_line();
  if (!scan_metadata_name(kind, /*allow_newline=*/true)) {
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

bool PrometheusTextParser::series() {
  const char* line_start = p_;
  start_line();
  bool have_name = scan_bare_metric_name();
  skip_blanks();
  if (p_ < end_ && *p_ == '{') {
    if (!labels(have_name)) {
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
  std::optional<Timestamp> ts;
  if (!timestamp(ts)) {
    return false;
  }
  if (p_ < end_) {
    ++p_;
  }
  return emit_sample(line_start, value, ts, false, 0, std::nullopt);
}

// An optional timestamp after the value, then the end of the line: promlex
// `<sTimestamp>{D}+`, milliseconds, digits only. Leaves p_ at the newline or the end.
bool PrometheusTextParser::timestamp(std::optional<Timestamp>& out) {
  if (p_ < end_ && has_class(*p_, kDigit)) {
    const char* ts_start = p_;
    scan_while(kDigit);
    std::int64_t millis = 0;
    const auto [ptr, ec] = std::from_chars(ts_start, p_, millis);
    if (ec != std::errc() || ptr != p_) {
      const std::string_view token(ts_start, static_cast<std::size_t>(p_ - ts_start));
      return fail_message(ts_start, "timestamp out of range " + quoted_for_message(token));
    }
    out = Timestamp(std::chrono::milliseconds(millis));
    skip_blanks();
    if (p_ < end_ && *p_ != '\n') {
      return fail(p_, "expected next entry after timestamp");
    }
  } else if (p_ < end_ && *p_ != '\n') {
    return fail(p_, "expected timestamp or new record");
  }
  return true;
}

// Inside `{...}`: label pairs, optionally comma-separated (promparse accepts a missing comma
// and a trailing one), and in the UTF-8 syntax a quoted metric name standing alone.
bool PrometheusTextParser::labels(bool& have_name) {
  ++p_;
  while (true) {
    skip_blanks();
    const LabelItem item = scan_label_item(/*exemplar=*/false, have_name);
    if (item != LabelItem::Item) {
      return item == LabelItem::Closed;
    }
    skip_blanks();
    if (p_ < end_ && *p_ == ',') {
      ++p_;
    }
  }
}

}  // namespace

core::Result<ParseStats> parse_prometheus_text(std::string_view text,
                                               const ParseCallbacks& callbacks) {
  return PrometheusTextParser(text, callbacks).run();
}

}  // namespace kscale::sources::detail

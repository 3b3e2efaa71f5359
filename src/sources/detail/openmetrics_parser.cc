#include "sources/detail/openmetrics_parser.h"

#include <cstring>

#include "sources/detail/exposition_scanner.h"

namespace kscale::sources::detail {
namespace {

class OpenMetricsParser : private ExpositionScanner {
 public:
  OpenMetricsParser(std::string_view text, const ParseCallbacks& callbacks)
      : ExpositionScanner(text, /*open_metrics=*/true, callbacks) {}

  [[nodiscard]] core::Result<ParseStats> run() { return finish(parse_lines()); }

 private:
  bool parse_lines();
  bool end_of_input();
  bool comment_line();
  bool metadata(MetaKind kind);
  bool series();
  bool sample_timestamp(std::optional<Timestamp>& out);
  bool at_exemplar_start() const { return starts_with_at(p_, end_, " # {"); }
  bool value(std::string_view expected, double& out);
  bool token_timestamp(std::string_view what, std::optional<Timestamp>& out);
  bool exemplar(double& value, std::optional<Timestamp>& timestamp);
  bool labels(bool& have_name, bool exemplar);
  bool fail_no_eof();
};

// Exactly one space separates tokens, no blanks inside braces, no blank lines, no comments other
// than HELP/TYPE/UNIT, and the input ends with `# EOF` and an optional newline.
bool OpenMetricsParser::parse_lines() {
  while (true) {
    if (p_ == end_) {
      return fail_no_eof();
    }
    if (*p_ == '#') {
      if (starts_with_at(p_, end_, "# EOF")) {
        return end_of_input();
      }
      if (!comment_line()) {
        return false;
      }
      continue;
    }
    if (!at_series_start()) {
      return fail(p_, "expected a valid start token");
    }
    if (!series()) {
      return false;
    }
  }
}

// `# EOF` at p_: an optional newline may follow, nothing else.
bool OpenMetricsParser::end_of_input() {
  p_ += 5;
  if (p_ < end_ && *p_ == '\n') {
    ++p_;
  }
  if (p_ != end_) {
    return fail(p_, "unexpected data after # EOF");
  }
  return true;
}

bool OpenMetricsParser::fail_no_eof() { return fail_message(p_, "data does not end with # EOF"); }

// `# HELP `, `# TYPE ` or `# UNIT ` at p_; any other `#` line is an error.
bool OpenMetricsParser::comment_line() {
  const char* word = p_ + 2;
  std::optional<MetaKind> kind;
  if (starts_with_at(p_, end_, "# HELP ")) {
    kind = MetaKind::Help;
  } else if (starts_with_at(p_, end_, "# TYPE ")) {
    kind = MetaKind::Type;
  } else if (starts_with_at(p_, end_, "# UNIT ")) {
    kind = MetaKind::Unit;
  }
  if (!kind) {
    return fail(p_, "expected a valid start token");
  }
  p_ = word + 5;
  return metadata(*kind);
}

bool OpenMetricsParser::metadata(MetaKind kind) {
  start_line();
  if (!scan_metadata_name(kind, /*allow_newline=*/true)) {
    return false;
  }
  // openmetricslex `<sMeta2>{S}{C}*\n`: one space, the text, a newline.
  const void* nl = p_ < end_ ? std::memchr(p_, '\n', static_cast<std::size_t>(end_ - p_))
                             : nullptr;
  if (p_ == end_ || *p_ != ' ' || nl == nullptr) {
    return fail(p_, "expected text in " + std::string(meta_kind_name(kind)));
  }
  const char* text_start = p_ + 1;
  const char* eol = static_cast<const char*>(nl);
  p_ = eol + 1;
  return apply_metadata(kind, {text_start, static_cast<std::size_t>(eol - text_start)},
                        text_start, /*unescape_quote=*/true);
}

bool OpenMetricsParser::series() {
  const char* line_start = p_;
  start_line();
  bool have_name = scan_bare_metric_name();
  if (p_ < end_ && *p_ == '{') {
    if (!labels(have_name, /*exemplar=*/false)) {
      return false;
    }
  }
  if (!have_name) {
    return fail_message(line_start, "metric name not set");
  }
  double sample_value = 0;
  if (!value("expected value after metric", sample_value)) {
    return false;
  }
  std::optional<Timestamp> timestamp;
  if (!sample_timestamp(timestamp)) {
    return false;
  }
  bool has_exemplar = false;
  double exemplar_value = 0;
  std::optional<Timestamp> exemplar_timestamp;
  if (*p_ == ' ') {
    p_ += 3;  // " # ", leaving p_ at '{'
    if (!exemplar(exemplar_value, exemplar_timestamp)) {
      return false;
    }
    has_exemplar = true;
  } else {
    ++p_;  // the newline
  }
  return emit_sample(line_start, sample_value, timestamp, has_exemplar, exemplar_value,
                     exemplar_timestamp);
}

// The optional timestamp after a sample's value. Leaves p_ at the newline or at the " # {" of an
// exemplar (never at the end).
bool OpenMetricsParser::sample_timestamp(std::optional<Timestamp>& out) {
  if (p_ == end_) {
    return fail_no_eof();
  }
  if (*p_ != ' ' || at_exemplar_start()) {
    return true;
  }
  // openmetricslex `<sTimestamp>{S}[^c \n][^ \n]*`.
  const char* ts_start = p_ + 1;
  if (ts_start == end_ || has_class(*ts_start, kOmTokenStop) || *ts_start == 'c') {
    return fail(p_, "expected timestamp or exemplar");
  }
  ++p_;
  if (!token_timestamp("invalid timestamp", out)) {
    return false;
  }
  if (p_ == end_) {
    return fail_no_eof();
  }
  if (*p_ == ' ' && !at_exemplar_start()) {
    return fail(p_, "expected next entry after timestamp");
  }
  return true;
}

// `{S}[^ \n]+` at p_, parsed as a float.
bool OpenMetricsParser::value(std::string_view expected, double& out) {
  if (p_ == end_ || *p_ != ' ' || p_ + 1 == end_ || has_class(p_[1], kOmTokenStop)) {
    return fail(p_, expected);
  }
  const char* start = ++p_;
  while (p_ < end_ && !has_class(*p_, kOmTokenStop)) {
    ++p_;
  }
  return parse_value(start, p_, out);
}

// `[^ \n]+` at p_ (known not to be empty), parsed as seconds.
bool OpenMetricsParser::token_timestamp(std::string_view what, std::optional<Timestamp>& out) {
  const char* start = p_;
  while (p_ < end_ && !has_class(*p_, kOmTokenStop)) {
    ++p_;
  }
  return parse_seconds_timestamp(start, p_, what, out);
}

// After ` # ` at '{': labels, a value, an optional timestamp, then the newline.
bool OpenMetricsParser::exemplar(double& exemplar_value, std::optional<Timestamp>& timestamp) {
  bool no_name = false;
  if (!labels(no_name, /*exemplar=*/true)) {
    return false;
  }
  if (!value("expected value after exemplar labels", exemplar_value)) {
    return false;
  }
  if (p_ == end_) {
    return fail_no_eof();
  }
  if (*p_ == ' ') {
    if (p_ + 1 == end_ || has_class(p_[1], kOmTokenStop)) {
      return fail(p_, "expected timestamp or new record after exemplar value");
    }
    ++p_;
    if (!token_timestamp("invalid exemplar timestamp", timestamp)) {
      return false;
    }
    if (p_ == end_) {
      return fail_no_eof();
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
bool OpenMetricsParser::labels(bool& have_name, bool exemplar) {
  ++p_;
  while (true) {
    const LabelItem item = scan_label_item(exemplar, have_name);
    if (item != LabelItem::Item) {
      return item == LabelItem::Closed;
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

}  // namespace

core::Result<ParseStats> parse_openmetrics(std::string_view text, const ParseCallbacks& callbacks) {
  return OpenMetricsParser(text, callbacks).run();
}

}  // namespace kscale::sources::detail

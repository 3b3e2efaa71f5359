#pragma once
// ExpositionScanner: what both exposition formats' parsers share — the cursor, quoted strings and
// escapes, labels, values, families and the delivery of samples, and error positions. The
// per-byte and per-label helpers are inline here, as they run for every sample.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/errors.h"
#include "sources/detail/exposition_chars.h"
#include "sources/detail/exposition_strings.h"
#include "sources/detail/go_float.h"
#include "sources/exposition_parser.h"

namespace kscale::sources::detail {

enum class MetaKind { Help, Type, Unit };

[[nodiscard]] std::string_view meta_kind_name(MetaKind kind);

/// One instance per parse; buffers are reused from sample to sample, so a parse allocates only
/// while they grow to the largest line's needs.
class ExpositionScanner {
 protected:
  ExpositionScanner(std::string_view text, bool open_metrics, const ParseCallbacks& callbacks);

  // Which string a deferred unescape writes back to.
  enum class Slot : std::uint8_t { MetricName, LabelName, LabelValue, ExemplarName, ExemplarValue };

  /// The end of a parse: the error at the recorded position, or the statistics after announcing
  /// a family whose metadata had no samples.
  [[nodiscard]] core::Result<ParseStats> finish(bool ok);

  // ----- errors: each records the position and returns false -----

  bool fail(const char* pos, std::string_view expected);    // "expected ..., got <token>"
  bool fail_message(const char* pos, std::string message);  // the message alone

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

  // Whether a sample line starts at p_ (not the end): a metric name or the UTF-8 syntax's brace.
  bool at_series_start() const { return has_class(*p_, kMetricStart) || *p_ == '{'; }

  // A metric name `{M}({M}|{D})*` at p_, if there is one, into name_.
  bool scan_bare_metric_name() {
    if (!has_class(*p_, kMetricStart)) {
      return false;
    }
    name_ = scan_while(kMetricChar);
    return true;
  }

  // Past the next newline, or to the end.
  void skip_line();

  // A quoted string at p_ (which is '"'): upstream `\"(\\.|[^\\"])*\"`, or with `\n` excluded
  // from the plain characters when !allow_newline. An escape is a backslash and any character
  // but a newline. On success p_ is past the closing quote and `inner` holds the raw contents;
  // invalid_utf8_ is set when they are not valid UTF-8.
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
                        std::string_view& inner, bool& escaped);

  // A scanned quoted name's checks: valid UTF-8 (invalid_utf8_ unset) and not empty.
  bool check_quoted_name(const char* error_pos, std::string_view inner);

  // A label name at p_ inside braces: `{L}({L}|{D})*` or a quoted name; `quoted` says which.
  bool scan_label_name(bool allow_newline, std::string_view& name, bool& quoted,
                       bool& escaped) {
    const char* tok = p_;
    quoted = false;
    escaped = false;
    if (p_ < end_ && has_class(*p_, kLabelStart)) {
      name = scan_while(kLabelChar);
      return true;
    }
    if (p_ < end_ && *p_ == '"') {
      quoted = true;
      return scan_quoted_name(allow_newline, tok, "expected label name", name, escaped);
    }
    return fail(tok, "expected label name");
  }

  enum class LabelItem : std::uint8_t { Failed, Closed, Item };

  // The next item inside braces at p_: the closing brace (consumed: Closed), or (Item) a
  // `name="value"` pair or, outside exemplars, the UTF-8 syntax's quoted metric name standing
  // alone, which leaves p_ at the ',' or '}' after it. 0.0.4 allows blanks around the name and
  // the '=', and newlines in quoted strings.
  LabelItem scan_label_item(bool exemplar, bool& have_name) {
    const char* tok = p_;
    if (p_ == end_) {
      fail(tok, "expected label name");
      return LabelItem::Failed;
    }
    if (*p_ == '}') {
      ++p_;
      return LabelItem::Closed;
    }
    const bool blanks = !open_metrics_;
    std::string_view label_name;
    bool quoted = false;
    bool name_escaped = false;
    // openmetricslex: `<sLabels>\"(\\.|[^\\"])*\"`, `<sExemplar>\"(\\.|[^\\"\n])*\"`.
    if (!scan_label_name(/*allow_newline=*/!exemplar, label_name, quoted, name_escaped)) {
      return LabelItem::Failed;
    }
    if (blanks) {
      skip_blanks();
    }
    if (quoted && p_ < end_ && (*p_ == ',' || *p_ == '}')) {
      const bool ok = exemplar ? fail(tok, "expected label name")
                               : take_quoted_metric_name(tok, label_name, name_escaped, have_name);
      return ok ? LabelItem::Item : LabelItem::Failed;
    }
    if (p_ == end_ || *p_ != '=') {
      fail(p_, "expected equal");
      return LabelItem::Failed;
    }
    ++p_;
    if (blanks) {
      skip_blanks();
    }
    const bool ok =
        exemplar ? scan_label_value(blanks, true, label_name, name_escaped, exemplar_labels_,
                                    Slot::ExemplarName, Slot::ExemplarValue)
                 : scan_label_value(blanks, false, label_name, name_escaped, labels_,
                                    Slot::LabelName, Slot::LabelValue);
    return ok ? LabelItem::Item : LabelItem::Failed;
  }

  // The UTF-8 syntax's metric name, a quoted string standing alone inside braces (`{"a.b"}`).
  bool take_quoted_metric_name(const char* tok, std::string_view name, bool escaped,
                               bool& have_name);

  void defer_unescape(Slot slot, std::size_t index, bool unescape_quote, std::string_view raw) {
    escaped_.push_back(Escaped{slot, static_cast<std::uint32_t>(index), unescape_quote});
    escaped_bytes_ += raw.size();
  }

  // Rewrites the escaped strings of the current line into scratch_.
  void resolve_escapes();

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

  bool parse_value(const char* token_start, const char* token_end, double& out) {
    const std::string_view token(token_start, static_cast<std::size_t>(token_end - token_start));
    const FloatStatus status = parse_go_float(token, out);
    return status == FloatStatus::Ok || fail_float(token_start, token, status);
  }

  // OpenMetrics timestamps are seconds as a float; upstream keeps int64(ts * 1000) ms.
  bool parse_seconds_timestamp(const char* token_start, const char* token_end,
                               std::string_view what, std::optional<Timestamp>& out);

  void start_line() {
    labels_.clear();
    exemplar_labels_.clear();
    escaped_.clear();
    escaped_bytes_ = 0;
    name_ = {};
  }

  // ----- metadata and samples -----

  // The metric name of a metadata line at p_: `{M}({M}|{D})*` or a quoted string.
  bool scan_metadata_name(MetaKind kind, bool allow_newline);

  // A HELP, TYPE or UNIT line's text for name_.
  bool apply_metadata(MetaKind kind, std::string_view text, const char* text_start,
                      bool unescape_quote);

  // Delivers the current line's sample, announcing its family first when it starts one.
  bool emit_sample(const char* line_start, double value, std::optional<Timestamp> timestamp,
                   bool has_exemplar, double exemplar_value,
                   std::optional<Timestamp> exemplar_timestamp);

  // ----- state -----

  const char* const begin_;
  const char* p_;
  const char* const end_;

  // The current line.
  std::string_view name_;
  std::vector<LabelView> labels_;
  std::vector<LabelView> exemplar_labels_;

 private:
  struct Escaped {
    Slot slot;
    std::uint32_t index;
    bool unescape_quote;
  };
  enum class Current : std::uint8_t { None, Meta, Implicit };

  bool fail_float(const char* token_start, std::string_view token, FloatStatus status);
  [[nodiscard]] std::string error_message() const;
  bool check_duplicate_names(const std::vector<LabelView>& labels, const char* line_start);
  [[nodiscard]] const FamilyView& family_of_sample(SampleRole& role);
  [[nodiscard]] std::optional<MetricType> metric_type_from_word(std::string_view word) const;
  bool check_unit(std::string_view unit, const char* text_start);
  void announce(const FamilyView& family);
  void begin_metadata(std::string_view name);

  const bool open_metrics_;
  const ParseCallbacks& callbacks_;
  ParseStats stats_;

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

}  // namespace kscale::sources::detail

#include "sources/detail/exposition_scanner.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

namespace kscale::sources::detail {

namespace {

bool ends_with_suffix(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The role of a sample whose name is the family's base name plus `rest` (not empty), for a
// family of the given type; nullopt when the suffix is not one of the type's.
std::optional<SampleRole> role_of_suffix(MetricType type, std::string_view rest,
                                         bool open_metrics) {
  const bool created = open_metrics && rest == "_created";
  switch (type) {
    case MetricType::Counter:
      if (rest == "_total") {
        return SampleRole::Total;
      }
      return created ? std::optional(SampleRole::Created) : std::nullopt;
    case MetricType::Histogram:
    case MetricType::Summary:
      if (rest == "_bucket" && type == MetricType::Histogram) {
        return SampleRole::Bucket;
      }
      if (rest == "_count") {
        return SampleRole::Count;
      }
      if (rest == "_sum") {
        return SampleRole::Sum;
      }
      return created ? std::optional(SampleRole::Created) : std::nullopt;
    case MetricType::GaugeHistogram:
      if (rest == "_bucket") {
        return SampleRole::Bucket;
      }
      if (rest == "_gcount") {
        return SampleRole::GCount;
      }
      if (rest == "_gsum") {
        return SampleRole::GSum;
      }
      return std::nullopt;
    case MetricType::Info:
      return rest == "_info" ? std::optional(SampleRole::Info) : std::nullopt;
    case MetricType::Unknown:
    case MetricType::Gauge:
    case MetricType::StateSet:
      return std::nullopt;
  }
  return std::nullopt;
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
  const std::optional<SampleRole> suffix_role = role_of_suffix(family.type, rest, open_metrics);
  if (suffix_role) {
    role = *suffix_role;
  }
  return suffix_role.has_value();
}

}  // namespace

std::string_view meta_kind_name(MetaKind kind) {
  switch (kind) {
    case MetaKind::Help: return "HELP";
    case MetaKind::Type: return "TYPE";
    case MetaKind::Unit: return "UNIT";
  }
  return "";
}

ExpositionScanner::ExpositionScanner(std::string_view text, bool open_metrics,
                                     const ParseCallbacks& callbacks)
    : begin_(text.data()),
      p_(text.data()),
      end_(text.data() + text.size()),
      open_metrics_(open_metrics),
      callbacks_(callbacks) {
  labels_.reserve(16);
  exemplar_labels_.reserve(4);
}

core::Result<ParseStats> ExpositionScanner::finish(bool ok) {
  if (!ok) {
    return core::fail(core::Error::bad_request(error_message()));
  }
  if (meta_active_ && !meta_announced_) {
    announce(meta_view_);
  }
  return stats_;
}

// ----- errors -----

bool ExpositionScanner::fail(const char* pos, std::string_view expected) {
  error_pos_ = pos;
  error_text_.assign(expected);
  error_show_token_ = true;
  return false;
}

bool ExpositionScanner::fail_message(const char* pos, std::string message) {
  error_pos_ = pos;
  error_text_ = std::move(message);
  error_show_token_ = false;
  return false;
}

bool ExpositionScanner::fail_float(const char* token_start, std::string_view token,
                                   FloatStatus status) {
  switch (status) {
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

std::string ExpositionScanner::error_message() const {
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

// ----- scanning -----

void ExpositionScanner::skip_line() {
  const void* nl = std::memchr(p_, '\n', static_cast<std::size_t>(end_ - p_));
  p_ = nl == nullptr ? end_ : static_cast<const char*>(nl) + 1;
}

bool ExpositionScanner::scan_quoted_name(bool allow_newline, const char* error_pos,
                                         std::string_view expected, std::string_view& inner,
                                         bool& escaped) {
  invalid_utf8_ = false;
  if (!scan_quoted(allow_newline, inner, escaped)) {
    return fail(error_pos, expected);
  }
  return check_quoted_name(error_pos, inner);
}

bool ExpositionScanner::check_quoted_name(const char* error_pos, std::string_view inner) {
  if (invalid_utf8_) {
    return fail_message(error_pos, "invalid UTF-8 name: " + quoted_for_message(inner));
  }
  if (inner.empty()) {
    return fail(error_pos, "empty name");
  }
  return true;
}

bool ExpositionScanner::take_quoted_metric_name(const char* tok, std::string_view name,
                                                bool escaped, bool& have_name) {
  if (have_name) {
    return fail_message(tok, "metric name already set");
  }
  name_ = name;
  have_name = true;
  if (escaped) {
    defer_unescape(Slot::MetricName, 0, true, name);
  }
  return true;
}

// Reserving the raw total first means scratch_ never reallocates here, so earlier views into it
// stay valid.
void ExpositionScanner::resolve_escapes() {
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

bool ExpositionScanner::check_duplicate_names(const std::vector<LabelView>& labels,
                                              const char* line_start) {
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

bool ExpositionScanner::parse_seconds_timestamp(const char* token_start, const char* token_end,
                                                std::string_view what,
                                                std::optional<Timestamp>& out) {
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

// ----- metadata -----

// The error message is built only on failure: metadata lines are frequent.
bool ExpositionScanner::scan_metadata_name(MetaKind kind, bool allow_newline) {
  const char* tok = p_;
  const auto expected = [kind] {
    return "expected metric name after " + std::string(meta_kind_name(kind));
  };
  if (p_ < end_ && has_class(*p_, kMetricStart)) {
    name_ = scan_while(kMetricChar);
  } else if (p_ < end_ && *p_ == '"') {
    bool escaped = false;
    std::string_view inner;
    invalid_utf8_ = false;
    if (!scan_quoted(allow_newline, inner, escaped)) {
      return fail(tok, expected());
    }
    if (!check_quoted_name(tok, inner)) {
      return false;
    }
    name_ = inner;
    if (escaped) {
      defer_unescape(Slot::MetricName, 0, true, name_);
      resolve_escapes();
    }
  } else {
    return fail(tok, expected());
  }
  return true;
}

std::optional<MetricType> ExpositionScanner::metric_type_from_word(std::string_view word) const {
  static constexpr std::pair<std::string_view, MetricType> kBoth[] = {
      {"counter", MetricType::Counter},
      {"gauge", MetricType::Gauge},
      {"histogram", MetricType::Histogram},
      {"summary", MetricType::Summary},
  };
  static constexpr std::pair<std::string_view, MetricType> kOpenMetricsOnly[] = {
      {"gaugehistogram", MetricType::GaugeHistogram},
      {"info", MetricType::Info},
      {"stateset", MetricType::StateSet},
      {"unknown", MetricType::Unknown},
  };
  for (const auto& [name, type] : kBoth) {
    if (word == name) {
      return type;
    }
  }
  if (!open_metrics_) {
    return word == "untyped" ? std::optional(MetricType::Unknown) : std::nullopt;
  }
  for (const auto& [name, type] : kOpenMetricsOnly) {
    if (word == name) {
      return type;
    }
  }
  return std::nullopt;
}

// Upstream openmetricsparse.go: a non-empty unit must be a `_`-separated suffix of the metric
// name.
bool ExpositionScanner::check_unit(std::string_view unit, const char* text_start) {
  if (unit.empty() || (name_.size() > unit.size() && ends_with_suffix(name_, unit) &&
                       name_[name_.size() - unit.size() - 1] == '_')) {
    return true;
  }
  return fail_message(text_start, "unit " + quoted_for_message(unit) +
                                      " not a suffix of metric " + quoted_for_message(name_));
}

bool ExpositionScanner::apply_metadata(MetaKind kind, std::string_view text,
                                       const char* text_start, bool unescape_quote) {
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
      if (!check_unit(text, text_start)) {
        return false;
      }
      begin_metadata(name_);
      meta_view_.unit = text;
      return true;
    }
  }
  return false;
}

// ----- families and samples -----

void ExpositionScanner::announce(const FamilyView& family) {
  ++stats_.families;
  if (callbacks_.on_family != nullptr) {
    callbacks_.on_family(callbacks_.context, family);
  }
}

// A HELP, TYPE or UNIT line for `name`. Lines for the same name before any of its samples
// describe one family; anything else starts a new one.
void ExpositionScanner::begin_metadata(std::string_view name) {
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

// The family of the sample named name_: the one the metadata describes when the name is one of
// its members, else an implicit family of that name; announced when it starts here.
const FamilyView& ExpositionScanner::family_of_sample(SampleRole& role) {
  if (meta_active_ && family_member(name_, meta_view_, open_metrics_, role)) {
    if (current_ != Current::Meta) {
      announce(meta_view_);
      meta_announced_ = true;
      current_ = Current::Meta;
    }
    return meta_view_;
  }
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
  return implicit_view_;
}

bool ExpositionScanner::emit_sample(const char* line_start, double value,
                                    std::optional<Timestamp> timestamp, bool has_exemplar,
                                    double exemplar_value,
                                    std::optional<Timestamp> exemplar_timestamp) {
  if (!escaped_.empty()) {
    resolve_escapes();
  }
  // Fewer than two labels cannot repeat a name: the common case stays out of the call.
  if ((labels_.size() > 1 && !check_duplicate_names(labels_, line_start)) ||
      (exemplar_labels_.size() > 1 && !check_duplicate_names(exemplar_labels_, line_start))) {
    return false;
  }
  SampleView sample;
  sample.family = &family_of_sample(sample.role);
  sample.name = name_;
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

}  // namespace kscale::sources::detail

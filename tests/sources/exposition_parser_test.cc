#include "sources/exposition_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace kscale::sources {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr auto kProm = ExpositionFormat::PrometheusText;
constexpr auto kOm = ExpositionFormat::OpenMetrics;

// A string literal with its embedded NUL bytes kept.
template <std::size_t N>
std::string bytes(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

std::string read_testdata(const std::string& file) {
  std::ifstream in(std::string(KSCALE_SOURCES_TESTDATA) + "/" + file, std::ios::binary);
  EXPECT_TRUE(in) << "missing test data " << file;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::int64_t millis(const std::optional<Timestamp>& ts) { return ts->time_since_epoch().count(); }

// One expected sample: name, labels, value and optional timestamp in ms.
struct Want {
  std::string name;
  core::Labels labels;
  double value = 0;
  std::optional<std::int64_t> ts_ms;
};

std::vector<const Sample*> flatten(const std::vector<MetricFamily>& families) {
  std::vector<const Sample*> out;
  for (const MetricFamily& family : families) {
    for (const Sample& sample : family.samples) {
      out.push_back(&sample);
    }
  }
  return out;
}

void expect_samples(const std::vector<MetricFamily>& families, const std::vector<Want>& want) {
  const auto got = flatten(families);
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("sample " + std::to_string(i) + " " + want[i].name);
    EXPECT_EQ(got[i]->name, want[i].name);
    EXPECT_EQ(got[i]->labels, want[i].labels);
    if (std::isnan(want[i].value)) {
      EXPECT_TRUE(std::isnan(got[i]->value));
    } else {
      EXPECT_DOUBLE_EQ(got[i]->value, want[i].value);
    }
    ASSERT_EQ(got[i]->timestamp.has_value(), want[i].ts_ms.has_value());
    if (want[i].ts_ms) {
      EXPECT_EQ(millis(got[i]->timestamp), *want[i].ts_ms);
    }
  }
}

const MetricFamily* find_family(const std::vector<MetricFamily>& families, std::string_view name) {
  for (const MetricFamily& family : families) {
    if (family.name == name) {
      return &family;
    }
  }
  return nullptr;
}

const Sample* find_sample(const std::vector<MetricFamily>& families, std::string_view name,
                          const core::Labels& labels) {
  for (const MetricFamily& family : families) {
    for (const Sample& sample : family.samples) {
      if (sample.name == name && sample.labels == labels) {
        return &sample;
      }
    }
  }
  return nullptr;
}

// ================================== format_from_content_type ==================================
// Upstream: model/textparse/interface.go extractMediaType and interface_test.go.

TEST(FormatFromContentTypeTest, PicksParserByMediaType) {
  struct Case {
    std::string_view name;
    std::string_view content_type;
    std::optional<ExpositionFormat> want;  // nullopt: UnsupportedMediaType
  };
  const Case cases[] = {
      {"node exporter", "text/plain; version=0.0.4; charset=utf-8", kProm},
      {"bare text", "text/plain", kProm},
      {"openmetrics 1.0.0", "application/openmetrics-text; version=1.0.0; charset=utf-8", kOm},
      {"openmetrics 0.0.1", "application/openmetrics-text; version=0.0.1; charset=utf-8", kOm},
      {"media type case-insensitive", "Application/OpenMetrics-Text;Version=1.0.0", kOm},
      {"quoted parameter", "text/plain; charset=\"utf-8\"", kProm},
      {"trailing semicolon", "text/plain;", kProm},
      {"utf-8 escaping parameter", "text/plain; version=1.0.0; escaping=allow-utf-8", kProm},
      {"blank", "", std::nullopt},
      {"spaces only", "   ", std::nullopt},
      {"protobuf is not parsed here",
       "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; "
       "encoding=delimited",
       std::nullopt},
      {"html", "text/html; charset=utf-8", std::nullopt},
      {"json", "application/json", std::nullopt},
      {"no subtype", "text", std::nullopt},
      {"parameter without value", "text/plain; version", std::nullopt},
      {"duplicate parameter", "text/plain; version=0.0.4; version=0.0.4", std::nullopt},
      {"unterminated quote", "text/plain; charset=\"utf-8", std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const auto got = format_from_content_type(c.content_type);
    if (c.want) {
      ASSERT_TRUE(got.has_value()) << got.error().message;
      EXPECT_EQ(*got, *c.want);
    } else {
      ASSERT_FALSE(got.has_value());
      EXPECT_EQ(got.error().reason, core::StatusReason::UnsupportedMediaType);
      EXPECT_EQ(got.error().code, 415);
      // With a fallback protocol the same input is accepted.
      const auto fallback = format_from_content_type(c.content_type, kOm);
      ASSERT_TRUE(fallback.has_value());
      EXPECT_EQ(*fallback, kOm);
    }
  }
}

TEST(FormatFromContentTypeTest, ErrorSaysWhatWasReceived) {
  const auto got = format_from_content_type("text/html");
  ASSERT_FALSE(got.has_value());
  EXPECT_THAT(got.error().message, HasSubstr("unsupported Content-Type \"text/html\""));
  EXPECT_THAT(format_from_content_type("").error().message, HasSubstr("blank Content-Type"));
}

TEST(ExpositionFormatTest, AcceptHeaderPrefersOpenMetrics) {
  EXPECT_THAT(std::string(kScrapeAcceptHeader),
              StartsWith("application/openmetrics-text;version=1.0.0"));
  EXPECT_THAT(std::string(kScrapeAcceptHeader), HasSubstr("text/plain;version=0.0.4"));
}

// ==================================== Prometheus text 0.0.4 ====================================

// Upstream: model/textparse/promparse_test.go, TestPromParse (input and expectations). Upstream
// Prometheus 3 also rewrites `le`/`quantile` values to canonical floats when storing; the parser
// reports label values as exposed.
TEST(PromTextTest, UpstreamPromParseVector) {
  std::string input = R"(# HELP go_gc_duration_seconds A summary of the GC invocation durations.
# 	TYPE go_gc_duration_seconds summary
go_gc_duration_seconds{quantile="0"} 4.9351e-05
go_gc_duration_seconds{quantile="0.25",} 7.424100000000001e-05
go_gc_duration_seconds{quantile="0.5",a="b"} 8.3835e-05
go_gc_duration_seconds{quantile="0.8", a="b"} 8.3835e-05
go_gc_duration_seconds{ quantile="0.9", a="b"} 8.3835e-05
# Hrandom comment starting with prefix of HELP
#
wind_speed{A="2",c="3"} 12345
# comment with escaped \n newline
# comment with escaped \ escape character
# HELP nohelp1
# HELP nohelp2 
go_gc_duration_seconds{ quantile="1.0", a="b" } 8.3835e-05
go_gc_duration_seconds { quantile="1.0", a="b" } 8.3835e-05
go_gc_duration_seconds { quantile= "1.0", a= "b", } 8.3835e-05
go_gc_duration_seconds { quantile = "1.0", a = "b" } 8.3835e-05
go_gc_duration_seconds { quantile = "2.0" a = "b" } 8.3835e-05
go_gc_duration_seconds_count 99
some:aggregate:rate5m{a_b="c"}	1
# HELP go_goroutines Number of goroutines that currently exist.
# TYPE go_goroutines gauge
go_goroutines 33  	123123
_metric_starting_with_underscore 1
testmetric{_label_starting_with_underscore="foo"} 1
testmetric{label="\"bar\""} 1)";
  input += bytes(
      "\n# HELP metric foo\0"
      "bar");
  input += bytes("\nnull_byte_metric{a=\"abc\0\"} 1");

  const auto families = parse_metric_families(input, kProm);
  ASSERT_TRUE(families.has_value()) << families.error().message;
  const std::string gc = "go_gc_duration_seconds";
  expect_samples(*families,
                 {
                     {gc, {{"quantile", "0"}}, 4.9351e-05},
                     {gc, {{"quantile", "0.25"}}, 7.424100000000001e-05},
                     {gc, {{"quantile", "0.5"}, {"a", "b"}}, 8.3835e-05},
                     {gc, {{"quantile", "0.8"}, {"a", "b"}}, 8.3835e-05},
                     {gc, {{"quantile", "0.9"}, {"a", "b"}}, 8.3835e-05},
                     {"wind_speed", {{"A", "2"}, {"c", "3"}}, 12345},
                     {gc, {{"quantile", "1.0"}, {"a", "b"}}, 8.3835e-05},
                     {gc, {{"quantile", "1.0"}, {"a", "b"}}, 8.3835e-05},
                     {gc, {{"quantile", "1.0"}, {"a", "b"}}, 8.3835e-05},
                     {gc, {{"quantile", "1.0"}, {"a", "b"}}, 8.3835e-05},
                     // Upstream NOTE: unlike OpenMetrics, promparse allows a missing comma.
                     {gc, {{"quantile", "2.0"}, {"a", "b"}}, 8.3835e-05},
                     {"go_gc_duration_seconds_count", {}, 99},
                     {"some:aggregate:rate5m", {{"a_b", "c"}}, 1},
                     {"go_goroutines", {}, 33, 123123},
                     {"_metric_starting_with_underscore", {}, 1},
                     {"testmetric", {{"_label_starting_with_underscore", "foo"}}, 1},
                     {"testmetric", {{"label", "\"bar\""}}, 1},
                     {"null_byte_metric", {{"a", bytes("abc\0")}}, 1},
                 });

  const MetricFamily* summary = find_family(*families, gc);
  ASSERT_NE(summary, nullptr);
  EXPECT_EQ(summary->type, MetricType::Summary);
  EXPECT_EQ(summary->help, "A summary of the GC invocation durations.");
  EXPECT_EQ(summary->samples.size(), 5u);
  const MetricFamily* nohelp1 = find_family(*families, "nohelp1");
  ASSERT_NE(nohelp1, nullptr);
  EXPECT_EQ(nohelp1->help, "");
  EXPECT_TRUE(nohelp1->samples.empty());
  ASSERT_NE(find_family(*families, "nohelp2"), nullptr);
  EXPECT_EQ(find_family(*families, "nohelp2")->help, "");
  const MetricFamily* goroutines = find_family(*families, "go_goroutines");
  ASSERT_NE(goroutines, nullptr);
  EXPECT_EQ(goroutines->type, MetricType::Gauge);
  EXPECT_EQ(goroutines->help, "Number of goroutines that currently exist.");
  ASSERT_NE(find_family(*families, "metric"), nullptr);
  EXPECT_EQ(find_family(*families, "metric")->help, bytes("foo\0"
                                                          "bar"));
}

// Upstream: model/textparse/promparse_test.go, TestUTF8PromParse.
TEST(PromTextTest, UpstreamUtf8QuotedNames) {
  const std::string input =
      R"EOS(# HELP "go.gc_duration_seconds" A summary of the GC invocation durations.
# 	TYPE "go.gc_duration_seconds" summary
{"go.gc_duration_seconds",quantile="0"} 4.9351e-05
{"go.gc_duration_seconds",quantile="0.25",} 7.424100000000001e-05
{"go.gc_duration_seconds",quantile="0.5",a="b"} 8.3835e-05
{"go.gc_duration_seconds",quantile="0.8", a="b"} 8.3835e-05
{"go.gc_duration_seconds", quantile="0.9", a="b"} 8.3835e-05
{"go.gc_duration_seconds", quantile="1.0", a="b" } 8.3835e-05
{ "go.gc_duration_seconds", quantile="1.0", a="b" } 8.3835e-05
{ "go.gc_duration_seconds", quantile= "1.0", a= "b", } 8.3835e-05
{ "go.gc_duration_seconds", quantile = "1.0", a = "b" } 8.3835e-05
{"go.gc_duration_seconds_count"} 99
{"Heizölrückstoßabdämpfung 10€ metric with \"interesting\" {character\nchoices}","strange©™\n'quoted' \"name\""="6"} 10.0)EOS";
  const auto families = parse_metric_families(input, kProm);
  ASSERT_TRUE(families.has_value()) << families.error().message;
  const std::string gc = "go.gc_duration_seconds";
  const core::Labels q1ab{{"quantile", "1.0"}, {"a", "b"}};
  expect_samples(
      *families,
      {
          {gc, {{"quantile", "0"}}, 4.9351e-05},
          {gc, {{"quantile", "0.25"}}, 7.424100000000001e-05},
          {gc, {{"quantile", "0.5"}, {"a", "b"}}, 8.3835e-05},
          {gc, {{"quantile", "0.8"}, {"a", "b"}}, 8.3835e-05},
          {gc, {{"quantile", "0.9"}, {"a", "b"}}, 8.3835e-05},
          {gc, q1ab, 8.3835e-05},
          {gc, q1ab, 8.3835e-05},
          {gc, q1ab, 8.3835e-05},
          {gc, q1ab, 8.3835e-05},
          {"go.gc_duration_seconds_count", {}, 99},
          {"Heizölrückstoßabdämpfung 10€ metric with \"interesting\" {character\nchoices}",
           {{"strange©™\n'quoted' \"name\"", "6"}},
           10},
      });
  const MetricFamily* family = find_family(*families, gc);
  ASSERT_NE(family, nullptr);
  EXPECT_EQ(family->type, MetricType::Summary);
  EXPECT_EQ(family->help, "A summary of the GC invocation durations.");
  // The summary's _count belongs to the family.
  EXPECT_EQ(family->samples.size(), 10u);
  EXPECT_EQ(family->samples.back().role, SampleRole::Count);
}

struct ErrorCase {
  std::string name;
  std::string input;
  std::size_t line;
  std::string message;  // a part of the message after "line N, column M: "
};

void expect_errors(ExpositionFormat format, const std::vector<ErrorCase>& cases) {
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.name);
    const auto got = parse_metric_families(c.input, format);
    if (c.message.empty()) {
      EXPECT_TRUE(got.has_value()) << got.error().message;
      continue;
    }
    ASSERT_FALSE(got.has_value()) << "accepted: " << c.input;
    EXPECT_EQ(got.error().reason, core::StatusReason::BadRequest);
    EXPECT_THAT(got.error().message, StartsWith("line " + std::to_string(c.line) + ", column "));
    EXPECT_THAT(got.error().message, HasSubstr(c.message));
  }
}

// Upstream: model/textparse/promparse_test.go, TestPromParseErrors and TestPromNullByteHandling
// (same inputs; messages keep upstream's wording, not its Go-specific decoration).
TEST(PromTextTest, UpstreamParseErrors) {
  expect_errors(
      kProm,
      {
          {"name only", "a", 1, "expected value after metric"},
          {"single quotes", "a{b='c'} 1\n", 1, "expected label value, got \"'c'} 1\\n\""},
          {"newline for value", "a{b=\n", 1, "expected label value"},
          {"non-ascii label name", "a{\xff=\"foo\"} 1\n", 1, "expected label name"},
          {"invalid utf-8 value", "a{b=\"\xff\"} 1\n", 1, "invalid UTF-8 label value"},
          {"quoted name without equal", R"({"a", "b = "c"})", 1, "expected equal"},
          {"backslash in label name", R"({"a",b\nc="d"} 1)", 1, "expected equal"},
          {"boolean value", "a true\n", 1, "invalid float \"true\""},
          {"unterminated value", "something_weird{problem=\"", 1, "expected label value"},
          {"empty label name", "empty_label_name{=\"\"} 0", 1, "expected label name"},
          {"underscore in float", "foo 1_2\n", 1, "unsupported character in float"},
          {"hex float", "foo 0x1p-3\n", 1, "unsupported character in float"},
          {"hex float upper", "foo 0x1P-3\n", 1, "unsupported character in float"},
          {"underscore in timestamp", "foo 0 1_2\n", 1, "expected next entry after timestamp"},
          {"no metric name", R"({a="ok"} 1)", 1, "metric name not set"},
          {"hash as TYPE name", "# TYPE #\n#EOF\n", 1, "expected metric name after TYPE"},
          {"hash as HELP name", "# HELP #\n#EOF\n", 1, "expected metric name after HELP"},
          // TestPromNullByteHandling.
          {"nul at end of value", bytes("null_byte_metric{a=\"abc\0\"} 1"), 0, ""},
          {"nul at start of value", bytes("a{b=\"\0ss\"} 1\n"), 0, ""},
          {"nul value", bytes("a{b=\"\0\"} 1\n"), 0, ""},
          {"nul before quote", bytes("a{b=\0\"ssss\"} 1\n"), 1, "expected label value"},
          {"nul unterminated", bytes("a{b=\"\0"), 1, "expected label value"},
          {"nul in label name", bytes("a{b\0=\"hiih\"}\t1"), 1, "expected equal"},
          {"nul after metric name", bytes("a\0{b=\"ddd\"} 1"), 1, "expected value after metric"},
          {"nul after timestamp", bytes("a 0 1\0"), 1, "expected next entry after timestamp"},
      });
}

// One rule of promlex.l / promparse.go per case.
TEST(PromTextTest, FormatRules) {
  struct Case {
    std::string name;
    std::string input;
    std::vector<Want> want;
  };
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<Case> cases = {
      {"last line needs no newline", "a 1", {{"a", {}, 1}}},
      {"blank lines and blank-only lines", "\n\n  \t\na 1\n\n", {{"a", {}, 1}}},
      {"leading blanks", "  \ta 1\n", {{"a", {}, 1}}},
      {"tabs separate tokens", "a\t{b=\"c\"}\t2\t3\n", {{"a", {{"b", "c"}}, 2, 3}}},
      {"trailing blanks", "a 1 2 \t\n", {{"a", {}, 1, 2}}},
      {"empty braces", "a{} 1\n", {{"a", {}, 1}}},
      {"value right after braces", "a{b=\"c\"}1\n", {{"a", {{"b", "c"}}, 1}}},
      {"colons in names", "a:b:c 1\n", {{"a:b:c", {}, 1}}},
      {"NaN", "a NaN\n", {{"a", {}, nan}}},
      {"nan any case", "a nAn\n", {{"a", {}, nan}}},
      {"+Inf", "a +Inf\n", {{"a", {}, inf}}},
      {"-Inf", "a -Inf\n", {{"a", {}, -inf}}},
      {"Inf without sign", "a Inf\n", {{"a", {}, inf}}},
      {"infinity spelled out", "a -infinity\n", {{"a", {}, -inf}}},
      {"exponent", "a 1.5e3\n", {{"a", {}, 1500}}},
      {"negative exponent", "a -2.5E-3\n", {{"a", {}, -0.0025}}},
      {"explicit plus", "a +7\n", {{"a", {}, 7}}},
      {"leading dot", "a .5\n", {{"a", {}, 0.5}}},
      {"trailing dot", "a 5.\n", {{"a", {}, 5}}},
      {"leading zeros", "a 007\n", {{"a", {}, 7}}},
      {"underflow is zero", "a 1e-400\n", {{"a", {}, 0}}},
      {"subnormal", "a 4e-320\n", {{"a", {}, 4e-320}}},
      {"large integer",
       "a 123456789012345678901234567890\n",
       {{"a", {}, 123456789012345678901234567890.0}}},
      {"timestamp in ms", "a 1 1520879607789\n", {{"a", {}, 1, 1520879607789}}},
      {"zero timestamp", "a 1 0\n", {{"a", {}, 1, 0}}},
      {"value sticks to name", "a-1\n", {{"a", {}, -1}}},
      {"label value escapes", R"(a{b="q\"b\\n\n"} 1)", {{"a", {{"b", "q\"b\\n\n"}}, 1}}},
      {"unknown escapes kept literally", R"(a{b="\t\x\a"} 1)", {{"a", {{"b", R"(\t\x\a)"}}, 1}}},
      {"raw newline inside a value", "a{b=\"x\ny\"} 1\n", {{"a", {{"b", "x\ny"}}, 1}}},
      {"utf-8 value",
       "a{b=\"\xc3\xa9t\xc3\xa9 \xe2\x82\xac\"} 1\n",
       {{"a", {{"b", "\xc3\xa9t\xc3\xa9 \xe2\x82\xac"}}, 1}}},
      {"comment without blank", "#comment\na 1\n", {{"a", {}, 1}}},
      {"HELP without text is a comment", "# HELP\na 1\n", {{"a", {}, 1}}},
      {"HELPER is a comment", "# HELPER foo\na 1\n", {{"a", {}, 1}}},
      {"comment with anything",
       bytes("# {\"\xff\0\n"
             "a 1\n"),
       {{"a", {}, 1}}},
      {"quoted label name", R"(a{"b.c"="d"} 1)", {{"a", {{"b.c", "d"}}, 1}}},
      {"quoted name with escapes", R"({"a\"b"} 1)", {{"a\"b", {}, 1}}},
      {"quoted name after labels", R"({b="c","a"} 1)", {{"a", {{"b", "c"}}, 1}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const auto families = parse_metric_families(c.input, kProm);
    ASSERT_TRUE(families.has_value()) << families.error().message;
    expect_samples(*families, c.want);
  }
}

TEST(PromTextTest, MalformedInputNamesLineAndColumn) {
  expect_errors(
      kProm,
      {
          {"bad value on line 3", "a 1\nb 2\nc{x=\"y\"} z\n", 3, "invalid float \"z\""},
          {"column points at the token", "a 1\n  b{x=\"y\" ! } 1\n", 2,
           "column 11: expected label name, got \"! } 1\\n\""},
          {"unterminated value spanning lines", "a 1\nb{x=\"y\n\n", 2, "expected label value"},
          {"error after a raw newline in a value", "a{b=\"x\ny\"} 1\nc 1 2 3\n", 3,
           "expected next entry after timestamp, got \"3\\n\""},
          {"negative timestamp", "a 1 -5\n", 1, "expected timestamp or new record"},
          {"timestamp overflow", "a 1 99999999999999999999\n", 1, "timestamp out of range"},
          {"value overflow", "a 1e400\n", 1, "value out of range"},
          {"signed NaN", "a -NaN\n", 1, "invalid float"},
          {"hex without exponent", "a 0x10\n", 1, "invalid float"},
          {"lone sign", "a -\n", 1, "invalid float"},
          {"lone dot", "a .\n", 1, "invalid float"},
          {"exponent without digits", "a 1e\n", 1, "invalid float"},
          {"infin", "a infin\n", 1, "invalid float"},
          {"carriage return", "a 1\r\n", 1, "invalid float \"1\\r\""},
          {"invalid TYPE", "# TYPE a gaugee\n", 1, "invalid metric type \"gaugee\""},
          {"OpenMetrics type in 0.0.4", "# TYPE a stateset\n", 1, "invalid metric type"},
          {"TYPE with trailing blank", "# TYPE a counter \n", 1,
           "invalid metric type \"counter \""},
          {"invalid utf-8 HELP", "# HELP a \xff\n", 1, "help text is not valid UTF-8"},
          {"overlong utf-8", "a{b=\"\xc0\xaf\"} 1\n", 1, "invalid UTF-8"},
          {"surrogate utf-8", "a{b=\"\xed\xa0\x80\"} 1\n", 1, "invalid UTF-8"},
          {"truncated utf-8", "a{b=\"\xe2\x82\"} 1\n", 1, "invalid UTF-8"},
          {"double comma", "a{b=\"c\",,d=\"e\"} 1\n", 1, "expected label name"},
          {"duplicate label", "a{b=\"c\",b=\"d\"} 1\n", 1, "duplicate label name \"b\""},
          {"two metric names", R"(a{"b"} 1)", 1, "metric name already set"},
          {"empty quoted name", R"({""} 1)", 1, "empty name"},
          {"backslash before newline", "a{b=\"x\\\ny\"} 1\n", 1, "expected label value"},
          {"nul at line start", bytes("a 1\n\0b 2\n"), 2, "expected a valid start token"},
          {"brace after value", "a 1{\n", 1, "expected timestamp or new record"},
          {"digit at line start", "1a 1\n", 1, "expected a valid start token"},
      });
}

TEST(PromTextTest, HelpEscapesFollowHelpReplacer) {
  // 0.0.4 HELP unescapes only `\\` and `\n` (promparse.go helpReplacer).
  const auto families = parse_metric_families("# HELP a x\\\\y\\nz \\\"q\\\" \\t\na 1\n", kProm);
  ASSERT_TRUE(families.has_value()) << families.error().message;
  ASSERT_EQ(families->size(), 1u);
  EXPECT_EQ(families->front().help, "x\\y\nz \\\"q\\\" \\t");
}

TEST(PromTextTest, HelpTextSeparator) {
  struct Case {
    std::string input;
    std::string help;
  };
  // promlex: the text after the name keeps its separator, which promparse drops as one byte;
  // a blank-only rest is empty text.
  const Case cases[] = {
      {"# HELP a text\n", "text"},    {"# HELP a\ttext\n", "text"}, {"# HELP a  two\n", " two"},
      {"# HELP a   \n", ""},          {"# HELP a\n", ""},           {"# HELP a", ""},
      {"#\t HELP \t a text", "text"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.input);
    const auto families = parse_metric_families(c.input, kProm);
    ASSERT_TRUE(families.has_value()) << families.error().message;
    ASSERT_EQ(families->size(), 1u);
    EXPECT_EQ(families->front().name, "a");
    EXPECT_EQ(families->front().help, c.help);
  }
}

// ======================================== OpenMetrics 1.0 ========================================

// Upstream: model/textparse/openmetricsparse_test.go, TestOpenMetricsParse.
TEST(OpenMetricsTest, UpstreamOpenMetricsParseVector) {
  std::string input = R"EOS(# HELP go_gc_duration_seconds A summary of the GC invocation durations.
# TYPE go_gc_duration_seconds summary
# UNIT go_gc_duration_seconds seconds
go_gc_duration_seconds{quantile="0"} 4.9351e-05
go_gc_duration_seconds{quantile="0.25"} 7.424100000000001e-05
go_gc_duration_seconds{quantile="0.5",a="b"} 8.3835e-05
# HELP nohelp1 
# HELP help2 escape \ \n \\ \" \x chars
# UNIT nounit 
go_gc_duration_seconds{quantile="1.0",a="b"} 8.3835e-05
go_gc_duration_seconds_count 99
some:aggregate:rate5m{a_b="c"} 1
# HELP go_goroutines Number of goroutines that currently exist.
# TYPE go_goroutines gauge
go_goroutines 33 123.123
# TYPE hh histogram
hh_bucket{le="+Inf"} 1
# TYPE gh gaugehistogram
gh_bucket{le="+Inf"} 1
# TYPE hhh histogram
hhh_bucket{le="+Inf"} 1 # {id="histogram-bucket-test"} 4
hhh_count 1 # {id="histogram-count-test"} 4
# TYPE ggh gaugehistogram
ggh_bucket{le="+Inf"} 1 # {id="gaugehistogram-bucket-test",xx="yy"} 4 123.123
ggh_count 1 # {id="gaugehistogram-count-test",xx="yy"} 4 123.123
# TYPE smr_seconds summary
smr_seconds_count 2.0 # {id="summary-count-test"} 1 123.321
smr_seconds_sum 42.0 # {id="summary-sum-test"} 1 123.321
# TYPE ii info
ii{foo="bar"} 1
# TYPE ss stateset
ss{ss="foo"} 1
ss{ss="bar"} 0
ss{A="a"} 0
# TYPE un unknown
_metric_starting_with_underscore 1
testmetric{_label_starting_with_underscore="foo"} 1
testmetric{label="\"bar\""} 1
# HELP foo Counter with and without labels to certify CT is parsed for both cases
# TYPE foo counter
foo_total 17.0 1520879607.789 # {id="counter-test"} 5
foo_created 1520872607.123
foo_total{a="b"} 17.0 1520879607.789 # {id="counter-test"} 5
foo_created{a="b"} 1520872607.123
foo_total{le="c"} 21.0
foo_created{le="c"} 1520872621.123
foo_total{le="1"} 10.0
# HELP bar Summary with CT at the end, making sure we find CT even if it's multiple lines a far
# TYPE bar summary
bar_count 17.0
bar_sum 324789.3
bar{quantile="0.95"} 123.7
bar{quantile="0.99"} 150.0
bar_created 1520872608.124
# HELP baz Histogram with the same objective as above's summary
# TYPE baz histogram
baz_bucket{le="0.0"} 0
baz_bucket{le="+Inf"} 17
baz_count 17
baz_sum 324789.3
baz_created 1520872609.125
# HELP fizz_created Gauge which shouldn't be parsed as CT
# TYPE fizz_created gauge
fizz_created 17.0
# HELP something Histogram with _created between buckets and summary
# TYPE something histogram
something_count 18
something_sum 324789.4
something_created 1520430001
something_bucket{le="0.0"} 1
something_bucket{le="1"} 2
something_bucket{le="+Inf"} 18
# HELP yum Summary with _created between sum and quantiles
# TYPE yum summary
yum_count 20
yum_sum 324789.5
yum_created 1520430003
yum{quantile="0.95"} 123.7
yum{quantile="0.99"} 150.0
# HELP foobar Summary with _created as the first line
# TYPE foobar summary
foobar_count 21
foobar_created 1520430004
foobar_sum 324789.6
foobar{quantile="0.95"} 123.8
foobar{quantile="0.99"} 150.1)EOS";
  input += bytes(
      "\n# HELP metric foo\0"
      "bar");
  input += bytes("\nnull_byte_metric{a=\"abc\0\"} 1");
  input += "\n# EOF\n";

  const auto families = parse_metric_families(input, kOm);
  ASSERT_TRUE(families.has_value()) << families.error().message;
  const std::string gc = "go_gc_duration_seconds";
  expect_samples(*families, {
                                {gc, {{"quantile", "0"}}, 4.9351e-05},
                                {gc, {{"quantile", "0.25"}}, 7.424100000000001e-05},
                                {gc, {{"quantile", "0.5"}, {"a", "b"}}, 8.3835e-05},
                                {gc, {{"quantile", "1.0"}, {"a", "b"}}, 8.3835e-05},
                                {"go_gc_duration_seconds_count", {}, 99},
                                {"some:aggregate:rate5m", {{"a_b", "c"}}, 1},
                                {"go_goroutines", {}, 33, 123123},
                                {"hh_bucket", {{"le", "+Inf"}}, 1},
                                {"gh_bucket", {{"le", "+Inf"}}, 1},
                                {"hhh_bucket", {{"le", "+Inf"}}, 1},
                                {"hhh_count", {}, 1},
                                {"ggh_bucket", {{"le", "+Inf"}}, 1},
                                {"ggh_count", {}, 1},
                                {"smr_seconds_count", {}, 2},
                                {"smr_seconds_sum", {}, 42},
                                {"ii", {{"foo", "bar"}}, 1},
                                {"ss", {{"ss", "foo"}}, 1},
                                {"ss", {{"ss", "bar"}}, 0},
                                {"ss", {{"A", "a"}}, 0},
                                {"_metric_starting_with_underscore", {}, 1},
                                {"testmetric", {{"_label_starting_with_underscore", "foo"}}, 1},
                                {"testmetric", {{"label", "\"bar\""}}, 1},
                                {"foo_total", {}, 17, 1520879607789},
                                {"foo_created", {}, 1520872607.123},
                                {"foo_total", {{"a", "b"}}, 17, 1520879607789},
                                {"foo_created", {{"a", "b"}}, 1520872607.123},
                                {"foo_total", {{"le", "c"}}, 21},
                                {"foo_created", {{"le", "c"}}, 1520872621.123},
                                {"foo_total", {{"le", "1"}}, 10},
                                {"bar_count", {}, 17},
                                {"bar_sum", {}, 324789.3},
                                {"bar", {{"quantile", "0.95"}}, 123.7},
                                {"bar", {{"quantile", "0.99"}}, 150},
                                {"bar_created", {}, 1520872608.124},
                                {"baz_bucket", {{"le", "0.0"}}, 0},
                                {"baz_bucket", {{"le", "+Inf"}}, 17},
                                {"baz_count", {}, 17},
                                {"baz_sum", {}, 324789.3},
                                {"baz_created", {}, 1520872609.125},
                                {"fizz_created", {}, 17},
                                {"something_count", {}, 18},
                                {"something_sum", {}, 324789.4},
                                {"something_created", {}, 1520430001},
                                {"something_bucket", {{"le", "0.0"}}, 1},
                                {"something_bucket", {{"le", "1"}}, 2},
                                {"something_bucket", {{"le", "+Inf"}}, 18},
                                {"yum_count", {}, 20},
                                {"yum_sum", {}, 324789.5},
                                {"yum_created", {}, 1520430003},
                                {"yum", {{"quantile", "0.95"}}, 123.7},
                                {"yum", {{"quantile", "0.99"}}, 150},
                                {"foobar_count", {}, 21},
                                {"foobar_created", {}, 1520430004},
                                {"foobar_sum", {}, 324789.6},
                                {"foobar", {{"quantile", "0.95"}}, 123.8},
                                {"foobar", {{"quantile", "0.99"}}, 150.1},
                                {"null_byte_metric", {{"a", bytes("abc\0")}}, 1},
                            });

  const auto* summary = find_family(*families, gc);
  ASSERT_NE(summary, nullptr);
  EXPECT_EQ(summary->type, MetricType::Summary);
  EXPECT_EQ(summary->unit, "seconds");
  ASSERT_NE(find_family(*families, "help2"), nullptr);
  // OpenMetrics HELP uses the label-value escapes, `\"` included; `\x` stays as written.
  EXPECT_EQ(find_family(*families, "help2")->help, "escape \\ \n \\ \" \\x chars");
  ASSERT_NE(find_family(*families, "nounit"), nullptr);
  EXPECT_EQ(find_family(*families, "nounit")->unit, "");
  EXPECT_EQ(find_family(*families, "gh")->type, MetricType::GaugeHistogram);
  EXPECT_EQ(find_family(*families, "ii")->type, MetricType::Info);
  EXPECT_EQ(find_family(*families, "ss")->type, MetricType::StateSet);
  EXPECT_EQ(find_family(*families, "ss")->samples.size(), 3u);
  EXPECT_EQ(find_family(*families, "un")->type, MetricType::Unknown);
  EXPECT_EQ(find_family(*families, "metric")->help, bytes("foo\0"
                                                          "bar"));

  const auto* foo = find_family(*families, "foo");
  ASSERT_NE(foo, nullptr);
  EXPECT_EQ(foo->type, MetricType::Counter);
  ASSERT_EQ(foo->samples.size(), 7u);
  EXPECT_EQ(foo->samples[0].role, SampleRole::Total);
  EXPECT_EQ(foo->samples[1].role, SampleRole::Created);
  ASSERT_TRUE(foo->samples[0].exemplar.has_value());
  EXPECT_EQ(foo->samples[0].exemplar->labels, (core::Labels{{"id", "counter-test"}}));
  EXPECT_EQ(foo->samples[0].exemplar->value, 5);
  EXPECT_FALSE(foo->samples[0].exemplar->timestamp.has_value());
  EXPECT_FALSE(foo->samples[6].exemplar.has_value());

  const auto* ggh = find_family(*families, "ggh");
  ASSERT_NE(ggh, nullptr);
  ASSERT_EQ(ggh->samples.size(), 1u);  // ggh_count is not a gauge histogram sample
  ASSERT_TRUE(ggh->samples[0].exemplar.has_value());
  EXPECT_EQ(ggh->samples[0].exemplar->labels,
            (core::Labels{{"id", "gaugehistogram-bucket-test"}, {"xx", "yy"}}));
  EXPECT_EQ(millis(ggh->samples[0].exemplar->timestamp), 123123);

  const auto* something = find_family(*families, "something");
  ASSERT_NE(something, nullptr);
  ASSERT_EQ(something->samples.size(), 6u);
  EXPECT_EQ(something->samples[0].role, SampleRole::Count);
  EXPECT_EQ(something->samples[1].role, SampleRole::Sum);
  EXPECT_EQ(something->samples[2].role, SampleRole::Created);
  EXPECT_EQ(something->samples[3].role, SampleRole::Bucket);

  // _created of a gauge is just a gauge.
  const auto* fizz = find_family(*families, "fizz_created");
  ASSERT_NE(fizz, nullptr);
  ASSERT_EQ(fizz->samples.size(), 1u);
  EXPECT_EQ(fizz->samples[0].role, SampleRole::Value);
}

// Upstream: model/textparse/openmetricsparse_test.go, TestUTF8OpenMetricsParse.
TEST(OpenMetricsTest, UpstreamUtf8QuotedNames) {
  const std::string input =
      R"EOS(# HELP "go.gc_duration_seconds" A summary of the GC invocation durations.
# TYPE "go.gc_duration_seconds" summary
# UNIT "go.gc_duration_seconds" seconds
{"go.gc_duration_seconds",quantile="0"} 4.9351e-05
{"go.gc_duration_seconds",quantile="0.25"} 7.424100000000001e-05
{"go.gc_duration_seconds_created"} 1520872607.123
{"go.gc_duration_seconds",quantile="0.5",a="b"} 8.3835e-05
{"http.status",q="0.9",a="b"} 8.3835e-05
{"http.status",q="0.9",a="b"} 8.3835e-05
{q="0.9","http.status",a="b"} 8.3835e-05
{"go.gc_duration_seconds_sum"} 0.004304266
{"Heizölrückstoßabdämpfung 10€ metric with \"interesting\" {character\nchoices}","strange©™\n'quoted' \"name\""="6"} 10.0
quotedexemplar_count 1 # {"id.thing"="histogram-count-test"} 4
quotedexemplar2_count 1 # {"id.thing"="histogram-count-test",other="hello"} 4
# EOF
)EOS";
  const auto families = parse_metric_families(input, kOm);
  ASSERT_TRUE(families.has_value()) << families.error().message;
  const std::string gc = "go.gc_duration_seconds";
  const core::Labels status{{"q", "0.9"}, {"a", "b"}};
  expect_samples(
      *families,
      {
          {gc, {{"quantile", "0"}}, 4.9351e-05},
          {gc, {{"quantile", "0.25"}}, 7.424100000000001e-05},
          {"go.gc_duration_seconds_created", {}, 1520872607.123},
          {gc, {{"quantile", "0.5"}, {"a", "b"}}, 8.3835e-05},
          {"http.status", status, 8.3835e-05},
          {"http.status", status, 8.3835e-05},
          {"http.status", status, 8.3835e-05},
          {"go.gc_duration_seconds_sum", {}, 0.004304266},
          {"Heizölrückstoßabdämpfung 10€ metric with \"interesting\" {character\nchoices}",
           {{"strange©™\n'quoted' \"name\"", "6"}},
           10},
          {"quotedexemplar_count", {}, 1},
          {"quotedexemplar2_count", {}, 1},
      });
  const auto* family = find_family(*families, gc);
  ASSERT_NE(family, nullptr);
  EXPECT_EQ(family->unit, "seconds");
  const Sample* exemplar_sample = find_sample(*families, "quotedexemplar2_count", {});
  ASSERT_NE(exemplar_sample, nullptr);
  ASSERT_TRUE(exemplar_sample->exemplar.has_value());
  EXPECT_EQ(exemplar_sample->exemplar->labels,
            (core::Labels{{"id.thing", "histogram-count-test"}, {"other", "hello"}}));
}

// Upstream: model/textparse/openmetricsparse_test.go, TestOpenMetricsParseErrors and
// TestOMNullByteHandling. Where upstream's message comes from a lexer quirk the case keeps the
// input and checks the message this parser gives (noted per case).
TEST(OpenMetricsTest, UpstreamParseErrors) {
  expect_errors(
      kOm,
      {
          {"only EOF", "# EOF", 0, ""},
          {"only EOF and newline", "# EOF\n", 0, ""},
          {"empty", "", 1, "data does not end with # EOF"},
          {"blank line", "\n", 1, "expected a valid start token"},
          {"name only", "metric", 1, "expected value after metric"},
          {"no EOF", "metric 1", 1, "data does not end with # EOF"},
          {"no EOF after newline", "metric 1\n", 2, "data does not end with # EOF"},
          {"no EOF after exemplar", "metric_total 1 # {aa=\"bb\"} 4", 1,
           "data does not end with # EOF"},
          {"name and newline", "a\n#EOF\n", 1, "expected value after metric"},
          {"blank lines", "\n\n#EOF\n", 1, "expected a valid start token"},
          {"leading blank", " a 1\n#EOF\n", 1, "expected a valid start token"},
          {"digit start", "9\n#EOF\n", 1, "expected a valid start token"},
          {"untyped is 0.0.4 only", "# TYPE u untyped\n#EOF\n", 1,
           "invalid metric type \"untyped\""},
          {"TYPE trailing blank", "# TYPE c counter \n#EOF\n", 1,
           "invalid metric type \"counter \""},
          {"two blanks after hash", "#  TYPE c counter\n#EOF\n", 1, "expected a valid start token"},
          {"TYPE without name", "# TYPE \n#EOF\n", 1, "expected metric name after TYPE"},
          {"TYPE without text", "# TYPE m\n#EOF\n", 1, "expected text in TYPE"},
          {"unit not a suffix", "# UNIT metric suffix\n#EOF\n", 1,
           "unit \"suffix\" not a suffix of metric \"metric\""},
          {"unit suffix without underscore", "# UNIT metricsuffix suffix\n#EOF\n", 1,
           "unit \"suffix\" not a suffix of metric \"metricsuffix\""},
          {"unit longer than name", "# UNIT m suffix\n#EOF\n", 1,
           "unit \"suffix\" not a suffix of metric \"m\""},
          {"UNIT without name", "# UNIT \n#EOF\n", 1, "expected metric name after UNIT"},
          {"UNIT without text", "# UNIT m\n#EOF\n", 1, "expected text in UNIT"},
          {"HELP without name", "# HELP \n#EOF\n", 1, "expected metric name after HELP"},
          {"HELP without text", "# HELP m\n#EOF\n", 1, "expected text in HELP"},
          {"tab separator", "a\t1\n#EOF\n", 1, "expected value after metric"},
          {"tab inside value", "a 1\t2\n#EOF\n", 1, "invalid float \"1\\t2\""},
          {"blank after timestamp", "a 1 2 \n#EOF\n", 1, "expected next entry after timestamp"},
          {"hash after timestamp", "a 1 2 #\n#EOF\n", 1, "expected next entry after timestamp"},
          {"bad timestamp", "a 1 1z\n#EOF\n", 1, "invalid float \"1z\""},
          {"blank before EOF", " # EOF\n", 1, "expected a valid start token"},
          {"sample after EOF", "# EOF\na 1", 2, "unexpected data after # EOF"},
          {"blank line after EOF", "# EOF\n\n", 2, "unexpected data after # EOF"},
          {"text glued to EOF", "# EOFa 1", 1, "unexpected data after # EOF"},
          {"tab after hash", "#\tTYPE c counter\n", 1, "expected a valid start token"},
          {"two blanks before type", "# TYPE c  counter\n", 1, "invalid metric type \" counter\""},
          {"two timestamps", "a 1 1 1\n# EOF\n", 1, "expected next entry after timestamp"},
          {"single quotes", "a{b='c'} 1\n# EOF\n", 1, "expected label value"},
          {"leading comma", "a{,b=\"c\"} 1\n# EOF\n", 1, "expected label name"},
          {"missing comma", "a{b=\"c\"d=\"e\"} 1\n# EOF\n", 1, "expected comma or brace close"},
          {"double comma", "a{b=\"c\",,d=\"e\"} 1\n# EOF\n", 1, "expected label name"},
          {"newline for value", "a{b=\n# EOF\n", 1, "expected label value"},
          {"non-ascii label name", "a{\xff=\"foo\"} 1\n# EOF\n", 1, "expected label name"},
          {"invalid utf-8 value", "a{b=\"\xff\"} 1\n# EOF\n", 1, "invalid UTF-8 label value"},
          {"quoted name without equal", "{\"a\",\"b = \"c\"}\n# EOF\n", 1, "expected equal"},
          {"backslash in label name", "{\"a\",b\\nc=\"d\"} 1\n# EOF\n", 1, "expected equal"},
          {"boolean value", "a true\n", 1, "invalid float \"true\""},
          {"raw newline in value", "something_weird{problem=\"\n# EOF\n", 1,
           "expected label value"},
          {"empty label name", "empty_label_name{=\"\"} 0\n# EOF\n", 1, "expected label name"},
          {"underscore in float", "foo 1_2\n\n# EOF\n", 1, "unsupported character in float"},
          {"hex float", "foo 0x1p-3\n\n# EOF\n", 1, "unsupported character in float"},
          {"hex float upper", "foo 0x1P-3\n\n# EOF\n", 1, "unsupported character in float"},
          {"underscore in timestamp", "foo 0 1_2\n\n# EOF\n", 1, "unsupported character in float"},
          {"exemplar unquoted value", "custom_metric_total 1 # {aa=bb}\n# EOF\n", 1,
           "expected label value"},
          {"exemplar without value", "custom_metric_total 1 # {aa=\"bb\"}\n# EOF\n", 1,
           "expected value after exemplar labels"},
          {"exemplar without value at end", "custom_metric_total 1 # {aa=\"bb\"}", 1,
           "expected value after exemplar labels"},
          // Upstream reports "expected label name" at the brace; a bare name with no `=` is
          // reported here as the missing `=`.
          {"exemplar bare name", "custom_metric_total 1 # {bb}", 1, "expected equal"},
          {"exemplar bare name and comma", "custom_metric_total 1 # {bb, a=\"dd\"}", 1,
           "expected equal"},
          {"exemplar double comma", "custom_metric_total 1 # {aa=\"bb\",,cc=\"dd\"} 1", 1,
           "expected label name"},
          {"exemplar underscore value", "custom_metric_total 1 # {aa=\"bb\"} 1_2", 1,
           "unsupported character in float"},
          {"exemplar hex value", "custom_metric_total 1 # {aa=\"bb\"} 0x1p-3", 1,
           "unsupported character in float"},
          {"exemplar boolean value", "custom_metric_total 1 # {aa=\"bb\"} true", 1,
           "invalid float \"true\""},
          {"exemplar empty label value", "custom_metric_total 1 # {aa=\"bb\",cc=}", 1,
           "expected label value"},
          {"exemplar escaped quote", "custom_metric_total 1 # {aa=\\\"\\xff\\\"} 9.0", 1,
           "expected label value"},
          {"no metric name", "{b=\"c\",} 1", 1, "metric name not set"},
          {"NaN timestamp", "a 1 NaN", 1, "invalid timestamp \"NaN\""},
          {"-Inf timestamp", "a 1 -Inf", 1, "invalid timestamp \"-Inf\""},
          {"Inf timestamp", "a 1 Inf", 1, "invalid timestamp \"Inf\""},
          {"NaN exemplar timestamp",
           "# TYPE hhh histogram\nhhh_bucket{le=\"+Inf\"} 1 # {aa=\"bb\"} 4 NaN", 2,
           "invalid exemplar timestamp \"NaN\""},
          {"-Inf exemplar timestamp",
           "# TYPE hhh histogram\nhhh_bucket{le=\"+Inf\"} 1 # {aa=\"bb\"} 4 -Inf", 2,
           "invalid exemplar timestamp \"-Inf\""},
          // TestOMNullByteHandling.
          {"nul at end of value", bytes("null_byte_metric{a=\"abc\0\"} 1\n# EOF\n"), 0, ""},
          {"nul at start of value", bytes("a{b=\"\0ss\"} 1\n# EOF\n"), 0, ""},
          {"nul value", bytes("a{b=\"\0\"} 1\n# EOF\n"), 0, ""},
          {"nul value, EOF without newline", bytes("a{b=\"\0\"} 1\n# EOF"), 0, ""},
          {"nul before quote", bytes("a{b=\0\"ssss\"} 1\n# EOF\n"), 1, "expected label value"},
          {"nul unterminated", bytes("a{b=\"\0"), 1, "expected label value"},
          {"nul in label name", bytes("a{b\0=\"hiih\"}\t1"), 1, "expected equal"},
          {"nul after metric name", bytes("a\0{b=\"ddd\"} 1"), 1, "expected value after metric"},
          {"hash only", "#", 1, "expected a valid start token"},
          {"partial HELP", "# H", 1, "expected a valid start token"},
          {"exemplar nul before quote", bytes("custom_metric_total 1 # {b=\0\"ssss\"} 1\n"), 1,
           "expected label value"},
          {"exemplar nul in value", bytes("custom_metric_total 1 # {b=\"\0ss\"} 1\n"), 1,
           "expected label value"},
      });
}

TEST(OpenMetricsTest, FormatRules) {
  struct Case {
    std::string name;
    std::string input;
    std::vector<Want> want;
  };
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<Case> cases = {
      {"seconds with fraction become ms",
       "a 1 1520879607.789\n# EOF\n",
       {{"a", {}, 1, 1520879607789}}},
      {"integer seconds", "a 1 1520879607\n# EOF\n", {{"a", {}, 1, 1520879607000}}},
      {"exponent seconds", "a 1 1.5e3\n# EOF\n", {{"a", {}, 1, 1500000}}},
      {"negative seconds", "a 1 -1.5\n# EOF\n", {{"a", {}, 1, -1500}}},
      {"+Inf bucket", "a_bucket{le=\"+Inf\"} +Inf\n# EOF\n", {{"a_bucket", {{"le", "+Inf"}}, inf}}},
      {"trailing comma", "a{b=\"c\",} 1\n# EOF\n", {{"a", {{"b", "c"}}, 1}}},
      {"escapes",
       R"(a{b="\\\"\n\t"} 1)"
       "\n# EOF\n",
       {{"a", {{"b", "\\\"\n\\t"}}, 1}}},
      {"exemplar then timestamp order",
       "a_total 1 2 # {t=\"x\"} 3 4\n# EOF\n",
       {{"a_total", {}, 1, 2000}}},
      {"empty exemplar labels", "a_total 1 # {} 3\n# EOF\n", {{"a_total", {}, 1}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const auto families = parse_metric_families(c.input, kOm);
    ASSERT_TRUE(families.has_value()) << families.error().message;
    expect_samples(*families, c.want);
  }
}

TEST(OpenMetricsTest, MalformedInputNamesLineAndColumn) {
  expect_errors(
      kOm,
      {
          {"comment lines are not OpenMetrics", "# TYPE a gauge\n# a comment\na 1\n# EOF\n", 2,
           "column 1: expected a valid start token"},
          {"blank inside braces", "a 1\nb{ c=\"d\"} 1\n# EOF\n", 2,
           "column 3: expected label name"},
          {"two blanks before value", "a  1\n# EOF\n", 1, "expected value after metric"},
          {"raw newline in value", "a{b=\"x\ny\"} 1\n# EOF\n", 1, "expected label value"},
          {"timestamp starting with c", "a 1 c1\n# EOF\n", 1, "expected timestamp or exemplar"},
          {"timestamp overflow", "a 1 1e300\n# EOF\n", 1, "timestamp out of range"},
          {"exemplar with metric name", "a_total 1 # {\"x\"} 1\n# EOF\n", 1, "expected label name"},
          {"exemplar with two timestamps", "a_total 1 # {t=\"x\"} 3 4 5\n# EOF\n", 1,
           "expected next entry after exemplar timestamp"},
          {"exemplar trailing blank", "a_total 1 # {t=\"x\"} 3 \n# EOF\n", 1,
           "expected timestamp or new record after exemplar value"},
          {"duplicate exemplar label", "a_total 1 # {t=\"x\",t=\"y\"} 3\n# EOF\n", 1,
           "duplicate label name \"t\""},
          {"duplicate label", "a{b=\"x\",b=\"y\"} 3\n# EOF\n", 1, "duplicate label name \"b\""},
          {"data after EOF on line 4", "a 1\nb 2\n# EOF\nc 3\n", 4, "unexpected data after # EOF"},
          {"HELP without newline", "# HELP a text", 1, "expected text in HELP"},
          {"invalid type", "a 1\n# TYPE b gauges\n# EOF\n", 2, "invalid metric type \"gauges\""},
      });
}

// ==================================== families and roles ====================================

TEST(ExpositionParserTest, RolesFollowTheFamilyType) {
  const std::string input = R"(# TYPE rq_total counter
rq_total 5
rq 6
# TYPE lat histogram
lat_bucket{le="1"} 1
lat_bucket{le="+Inf"} 2
lat_sum 3
lat_count 2
# TYPE q summary
q{quantile="0.5"} 1
q_sum 2
q_count 3
q_created 4
)";
  const auto families = parse_metric_families(input, kProm);
  ASSERT_TRUE(families.has_value()) << families.error().message;
  ASSERT_EQ(families->size(), 4u);
  const MetricFamily& rq = (*families)[0];
  EXPECT_EQ(rq.name, "rq_total");
  EXPECT_EQ(rq.type, MetricType::Counter);
  ASSERT_EQ(rq.samples.size(), 2u);
  EXPECT_EQ(rq.samples[0].role, SampleRole::Total);
  EXPECT_EQ(rq.samples[1].role, SampleRole::Value);
  const MetricFamily& lat = (*families)[1];
  ASSERT_EQ(lat.samples.size(), 4u);
  EXPECT_EQ(lat.samples[0].role, SampleRole::Bucket);
  EXPECT_EQ(lat.samples[2].role, SampleRole::Sum);
  EXPECT_EQ(lat.samples[3].role, SampleRole::Count);
  const MetricFamily& q = (*families)[2];
  ASSERT_EQ(q.samples.size(), 3u);
  EXPECT_EQ(q.samples[0].role, SampleRole::Value);
  // In 0.0.4 `_created` belongs to no family (upstream family.go); it starts its own.
  EXPECT_EQ((*families)[3].name, "q_created");
  EXPECT_EQ((*families)[3].type, MetricType::Unknown);
}

TEST(ExpositionParserTest, OpenMetricsRoles) {
  const std::string input = R"(# TYPE gh gaugehistogram
gh_bucket{le="+Inf"} 1
gh_gcount 1
gh_gsum 2
# TYPE b info
b_info{v="1"} 1
# TYPE c counter
c_total 1
c_created 2
c 3
# EOF
)";
  const auto families = parse_metric_families(input, kOm);
  ASSERT_TRUE(families.has_value()) << families.error().message;
  ASSERT_EQ(families->size(), 3u);
  const auto roles = [](const MetricFamily& f) {
    std::vector<SampleRole> out;
    for (const Sample& s : f.samples) {
      out.push_back(s.role);
    }
    return out;
  };
  EXPECT_EQ(roles((*families)[0]),
            (std::vector{SampleRole::Bucket, SampleRole::GCount, SampleRole::GSum}));
  EXPECT_EQ(roles((*families)[1]), (std::vector{SampleRole::Info}));
  EXPECT_EQ(roles((*families)[2]),
            (std::vector{SampleRole::Total, SampleRole::Created, SampleRole::Value}));
}

TEST(ExpositionParserTest, FamiliesInInputOrder) {
  // A sample outside the current metadata family starts an implicit family; metadata without
  // samples is still a family, announced where it stands.
  const std::string input = R"(# HELP a A.
# TYPE a gauge
a 1
b 2
b{x="y"} 3
a 4
# HELP empty Nothing follows.
# HELP c C.
c 5
)";
  std::vector<std::string> events;
  const auto stats = parse_exposition(
      input, kProm,
      [&](const SampleView& sample) {
        events.push_back("sample " + std::string(sample.name) + " in " +
                         std::string(sample.family->name));
      },
      [&](const FamilyView& family) {
        events.push_back("family " + std::string(family.name) + " " +
                         std::string(metric_type_name(family.type)) + " '" +
                         std::string(family.help) + "'");
      });
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  EXPECT_EQ(stats->samples, 5u);
  EXPECT_EQ(stats->families, 5u);
  EXPECT_EQ(events, (std::vector<std::string>{
                        "family a gauge 'A.'",
                        "sample a in a",
                        "family b unknown ''",
                        "sample b in b",
                        "sample b in b",
                        "family a gauge 'A.'",
                        "sample a in a",
                        "family empty unknown 'Nothing follows.'",
                        "family c unknown 'C.'",
                        "sample c in c",
                    }));
}

TEST(ExpositionParserTest, StreamingViewsAndNaN) {
  const std::string input = "a{b=\"x\\\"y\",c=\"z\"} NaN 5\n";
  std::vector<std::pair<std::string, std::string>> labels;
  std::uint64_t bits = 0;
  std::int64_t ts = 0;
  const auto stats = parse_exposition(input, kProm, [&](const SampleView& sample) {
    for (const LabelView& label : sample.labels) {
      labels.emplace_back(label.name, label.value);
    }
    bits = std::bit_cast<std::uint64_t>(sample.value);
    ts = sample.timestamp->time_since_epoch().count();
  });
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  EXPECT_EQ(labels, (std::vector<std::pair<std::string, std::string>>{{"b", "x\"y"}, {"c", "z"}}));
  // Upstream value.NormalNaN, never the staleness marker.
  EXPECT_EQ(bits, 0x7ff8000000000001u);
  EXPECT_EQ(ts, 5);
}

TEST(ExpositionParserTest, ManyLabelsAndDuplicates) {
  std::string input = "a{";
  for (int i = 0; i < 40; ++i) {
    input += "l" + std::to_string(i) + "=\"v\",";
  }
  input += "} 1\n";
  const auto ok = parse_metric_families(input, kProm);
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(flatten(*ok).front()->labels.size(), 40u);
  input.insert(2, "l39=\"w\",");
  const auto dup = parse_metric_families(input, kProm);
  ASSERT_FALSE(dup.has_value());
  EXPECT_THAT(dup.error().message, HasSubstr("duplicate label name \"l39\""));
}

TEST(ExpositionParserTest, SamplesBeforeAnErrorAreDelivered) {
  std::size_t seen = 0;
  const auto result =
      parse_exposition("a 1\nb 2\nc{ 3\n", kProm, [&](const SampleView&) { ++seen; });
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(seen, 2u);
  EXPECT_THAT(result.error().message, StartsWith("line 3, column 4: expected label name"));
}

// =================================== real exporter captures ===================================
// Captured from Debian's prometheus-node-exporter 1.5.0 and prometheus 2.42.0 on loopback
// (/metrics, and Prometheus's /federate, which adds timestamps), and from an app instrumented
// with Debian's python3-prometheus-client 0.16.0; the OpenMetrics captures of the Go exporters
// went through python3-prometheus-client's OpenMetrics encoder, since these Debian builds only
// expose 0.0.4. See testdata/README.md.

struct Capture {
  std::string file;
  ExpositionFormat format;
  std::size_t families;
  std::size_t samples;
};

const Capture kCaptures[] = {
    {"node_exporter.prom.txt", kProm, 282, 505},
    {"node_exporter.om.txt", kOm, 282, 505},
    {"prometheus.prom.txt", kProm, 169, 375},
    {"prometheus.om.txt", kOm, 169, 375},
    {"prometheus_federate.prom.txt", kProm, 452, 890},
    {"python_client_app.prom.txt", kProm, 19, 56},
    {"python_client_app.om.txt", kOm, 16, 56},
};

TEST(RealExpositionTest, CapturesParseCompletely) {
  for (const Capture& capture : kCaptures) {
    SCOPED_TRACE(capture.file);
    const std::string text = read_testdata(capture.file);
    const auto stats = parse_exposition(text, capture.format, [](const SampleView&) {});
    ASSERT_TRUE(stats.has_value()) << stats.error().message;
    EXPECT_EQ(stats->families, capture.families);
    EXPECT_EQ(stats->samples, capture.samples);
    // Every sample line is one sample.
    std::size_t sample_lines = 0;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      sample_lines += !line.empty() && line[0] != '#';
    }
    EXPECT_EQ(stats->samples, sample_lines);
  }
}

TEST(RealExpositionTest, NodeExporterKnownSamples) {
  const auto prom = parse_metric_families(read_testdata("node_exporter.prom.txt"), kProm);
  ASSERT_TRUE(prom.has_value()) << prom.error().message;
  const auto om = parse_metric_families(read_testdata("node_exporter.om.txt"), kOm);
  ASSERT_TRUE(om.has_value()) << om.error().message;

  const MetricFamily* cpu = find_family(*prom, "node_cpu_seconds_total");
  ASSERT_NE(cpu, nullptr);
  EXPECT_EQ(cpu->type, MetricType::Counter);
  EXPECT_EQ(cpu->help, "Seconds the CPUs spent in each mode.");
  const Sample* idle =
      find_sample(*prom, "node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "idle"}});
  ASSERT_NE(idle, nullptr);
  EXPECT_DOUBLE_EQ(idle->value, 966.79);
  EXPECT_EQ(idle->role, SampleRole::Total);

  // OpenMetrics names the counter family without `_total`.
  const MetricFamily* om_cpu = find_family(*om, "node_cpu_seconds");
  ASSERT_NE(om_cpu, nullptr);
  EXPECT_EQ(om_cpu->type, MetricType::Counter);
  ASSERT_FALSE(om_cpu->samples.empty());
  EXPECT_EQ(om_cpu->samples.front().name, "node_cpu_seconds_total");
  EXPECT_EQ(om_cpu->samples.front().role, SampleRole::Total);
  EXPECT_DOUBLE_EQ(om_cpu->samples.front().value, 1010.31);

  const Sample* build = find_sample(*prom, "node_exporter_build_info",
                                    {{"branch", "debian/sid"},
                                     {"goarch", "amd64"},
                                     {"goos", "linux"},
                                     {"goversion", "go1.19.8"},
                                     {"revision", "1.5.0-1+b6"},
                                     {"version", "1.5.0"}});
  ASSERT_NE(build, nullptr);
  EXPECT_EQ(build->value, 1);

  const MetricFamily* gc = find_family(*prom, "go_gc_duration_seconds");
  ASSERT_NE(gc, nullptr);
  EXPECT_EQ(gc->type, MetricType::Summary);
  ASSERT_EQ(gc->samples.size(), 7u);
  EXPECT_EQ(gc->samples[0].labels.at("quantile"), "0");
  EXPECT_EQ(gc->samples[5].role, SampleRole::Sum);
  EXPECT_EQ(gc->samples[6].role, SampleRole::Count);

  // Both captures expose the same series.
  const auto series = [](const std::vector<MetricFamily>& families) {
    std::set<std::pair<std::string, core::Labels>> out;
    for (const Sample* s : flatten(families)) {
      out.emplace(s->name, s->labels);
    }
    return out;
  };
  EXPECT_EQ(series(*prom), series(*om));
}

TEST(RealExpositionTest, PrometheusHistogramsAreConsistent) {
  for (const auto& [file, format] :
       {std::pair{"prometheus.prom.txt", kProm}, std::pair{"prometheus.om.txt", kOm}}) {
    SCOPED_TRACE(file);
    const auto families = parse_metric_families(read_testdata(file), format);
    ASSERT_TRUE(families.has_value()) << families.error().message;
    const MetricFamily* http = find_family(*families, "prometheus_http_request_duration_seconds");
    ASSERT_NE(http, nullptr);
    EXPECT_EQ(http->type, MetricType::Histogram);
    EXPECT_EQ(http->help, "Histogram of latencies for HTTP requests.");
    std::size_t histograms = 0;
    for (const MetricFamily& family : *families) {
      if (family.type != MetricType::Histogram) {
        continue;
      }
      ++histograms;
      // Per label set (without le): buckets are cumulative and the +Inf bucket equals _count.
      std::map<core::Labels, double> last_bucket;
      std::map<core::Labels, double> inf_bucket;
      std::map<core::Labels, double> count;
      for (const Sample& sample : family.samples) {
        core::Labels key = sample.labels;
        if (sample.role == SampleRole::Bucket) {
          ASSERT_EQ(key.count("le"), 1u) << sample.name;
          const std::string le = key.at("le");
          key.erase("le");
          EXPECT_GE(sample.value, last_bucket[key]) << sample.name;
          last_bucket[key] = sample.value;
          if (le == "+Inf") {
            inf_bucket[key] = sample.value;
          }
        } else if (sample.role == SampleRole::Count) {
          count[key] = sample.value;
        }
      }
      EXPECT_FALSE(count.empty()) << family.name;
      EXPECT_EQ(inf_bucket, count) << family.name;
    }
    EXPECT_GE(histograms, 5u);
    const Sample* query = find_sample(*families, "prometheus_http_request_duration_seconds_count",
                                      {{"handler", "/api/v1/query"}});
    ASSERT_NE(query, nullptr);
    EXPECT_EQ(query->value, 20);
  }
}

TEST(RealExpositionTest, FederationCarriesTimestamps) {
  const auto families = parse_metric_families(read_testdata("prometheus_federate.prom.txt"), kProm);
  ASSERT_TRUE(families.has_value()) << families.error().message;
  for (const Sample* sample : flatten(*families)) {
    ASSERT_TRUE(sample->timestamp.has_value()) << sample->name;
    EXPECT_TRUE(millis(sample->timestamp) == 1795443262509 ||
                millis(sample->timestamp) == 1795443262123)
        << sample->name;
    EXPECT_EQ(sample->labels.count("job"), 1u) << sample->name;
    EXPECT_EQ(sample->labels.count("instance"), 1u) << sample->name;
  }
  const MetricFamily* gc = find_family(*families, "go_gc_duration_seconds");
  ASSERT_NE(gc, nullptr);
  EXPECT_EQ(gc->type, MetricType::Unknown);  // federation exposes everything as untyped
}

TEST(RealExpositionTest, PythonClientOpenMetrics) {
  const auto families = parse_metric_families(read_testdata("python_client_app.om.txt"), kOm);
  ASSERT_TRUE(families.has_value()) << families.error().message;

  const MetricFamily* requests = find_family(*families, "http_requests");
  ASSERT_NE(requests, nullptr);
  EXPECT_EQ(requests->type, MetricType::Counter);
  EXPECT_EQ(requests->samples.size(), 12u);
  const Sample* post =
      find_sample(*families, "http_requests_total", {{"code", "200"}, {"method", "POST"}});
  ASSERT_NE(post, nullptr);
  EXPECT_EQ(post->role, SampleRole::Total);
  EXPECT_EQ(post->value, 95);
  ASSERT_TRUE(post->exemplar.has_value());
  EXPECT_EQ(post->exemplar->labels,
            (core::Labels{{"trace_id", "b876e481f9bcd2acf5a965305b03e6f8"}}));
  EXPECT_EQ(post->exemplar->value, 1);
  EXPECT_EQ(millis(post->exemplar->timestamp), 1795443252110);
  const Sample* created =
      find_sample(*families, "http_requests_created", {{"code", "200"}, {"method", "POST"}});
  ASSERT_NE(created, nullptr);
  EXPECT_EQ(created->role, SampleRole::Created);
  EXPECT_DOUBLE_EQ(created->value, 1.7954432521071436e+09);

  const MetricFamily* latency = find_family(*families, "http_request_duration_seconds");
  ASSERT_NE(latency, nullptr);
  EXPECT_EQ(latency->type, MetricType::Histogram);
  EXPECT_EQ(latency->unit, "seconds");

  const MetricFamily* temperature = find_family(*families, "room_temperature_celsius");
  ASSERT_NE(temperature, nullptr);
  EXPECT_EQ(temperature->help, "Temperature \"inside\"\nthe room \\ rack.");
  EXPECT_EQ(temperature->unit, "celsius");
  ASSERT_EQ(temperature->samples.size(), 3u);
  EXPECT_EQ(temperature->samples[0].labels.at("room"), "server \"A\"\\1");
  EXPECT_EQ(temperature->samples[1].labels.at("room"), "lab\nB");
  EXPECT_TRUE(std::isnan(temperature->samples[1].value));
  EXPECT_EQ(temperature->samples[2].value, -std::numeric_limits<double>::infinity());

  const MetricFamily* build = find_family(*families, "build");
  ASSERT_NE(build, nullptr);
  EXPECT_EQ(build->type, MetricType::Info);
  ASSERT_EQ(build->samples.size(), 1u);
  EXPECT_EQ(build->samples[0].role, SampleRole::Info);
  EXPECT_EQ(build->samples[0].labels.at("revision"), "abc\"def");

  const MetricFamily* state = find_family(*families, "task_state");
  ASSERT_NE(state, nullptr);
  EXPECT_EQ(state->type, MetricType::StateSet);
  EXPECT_EQ(state->samples.size(), 3u);
}

TEST(RealExpositionTest, PythonClientPromText) {
  const auto families = parse_metric_families(read_testdata("python_client_app.prom.txt"), kProm);
  ASSERT_TRUE(families.has_value()) << families.error().message;
  const MetricFamily* temperature = find_family(*families, "room_temperature_celsius");
  ASSERT_NE(temperature, nullptr);
  // 0.0.4 HELP escapes only backslash and newline.
  EXPECT_EQ(temperature->help, "Temperature \"inside\"\nthe room \\ rack.");
  EXPECT_EQ(temperature->samples[0].labels.at("room"), "server \"A\"\\1");
  const MetricFamily* created = find_family(*families, "http_requests_created");
  ASSERT_NE(created, nullptr);
  EXPECT_EQ(created->type, MetricType::Gauge);
}

// ================================ robustness (runs under ASan) ================================

// Truncated and corrupted real input must give a value or an error with a line number, never
// a crash, a hang or a read outside the buffer (the sanitizer build checks the last two).
TEST(ExpositionParserRobustnessTest, MutatedCapturesNeverCrash) {
  std::mt19937 rng(20240611);
  constexpr char kInteresting[] = {'"',  '\\', '{', '}', '\n', ' ', '\t', '#', ',',    '=',
                                   '\0', 'e',  '.', '-', '+',  'E', 'O',  'F', '\xff', '\xc3'};
  std::size_t parses = 0;
  std::size_t errors = 0;
  const auto check = [&](std::string_view text, ExpositionFormat format) {
    // A copy of exactly the bytes, so that ASan sees any read past the end.
    const auto exact = std::make_unique<char[]>(text.size());
    std::copy(text.begin(), text.end(), exact.get());
    const auto result = parse_exposition(std::string_view(exact.get(), text.size()), format,
                                         [](const SampleView& s) { ASSERT_NE(s.family, nullptr); });
    ++parses;
    if (!result) {
      ++errors;
      ASSERT_THAT(result.error().message, StartsWith("line ")) << text;
    }
  };
  for (const Capture& capture : kCaptures) {
    SCOPED_TRACE(capture.file);
    const std::string text = read_testdata(capture.file);
    for (const ExpositionFormat format : {kProm, kOm}) {
      const std::size_t step = std::max<std::size_t>(1, text.size() / 150);
      for (std::size_t cut = 0; cut <= text.size(); cut += step) {
        check(std::string_view(text).substr(0, cut), format);
      }
      for (int round = 0; round < 200; ++round) {
        std::string mutated = text;
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits; ++e) {
          const std::size_t at = rng() % mutated.size();
          switch (rng() % 4) {
            case 0:
              mutated[at] = static_cast<char>(rng() % 256);
              break;
            case 1:
              mutated[at] = kInteresting[rng() % sizeof kInteresting];
              break;
            case 2:
              mutated.erase(at, 1 + rng() % 8);
              break;
            default:
              mutated.insert(at, 1, kInteresting[rng() % sizeof kInteresting]);
              break;
          }
          if (mutated.empty()) {
            mutated = "x";
          }
        }
        // Parse only up to a random cut as well, so truncation meets corruption.
        check(mutated, format);
        check(std::string_view(mutated).substr(0, rng() % (mutated.size() + 1)), format);
      }
    }
  }
  EXPECT_GT(errors, 0u);
  EXPECT_GT(parses, errors);
}

TEST(ExpositionParserRobustnessTest, AdversarialShapes) {
  const std::vector<std::string> inputs = {
      std::string(100000, '{'),
      std::string(100000, '"'),
      "a{" + std::string(100000, '\\'),
      "a{b=\"" + std::string(100000, '\\'),
      "# HELP " + std::string(100000, 'a'),
      "a " + std::string(100000, '9'),
      "a 1 " + std::string(100000, '9'),
      "a{" + std::string(50000, ',') + "}",
      std::string(100000, '\n'),
      std::string(100000, '#'),
  };
  for (const std::string& input : inputs) {
    for (const ExpositionFormat format : {kProm, kOm}) {
      const auto result = parse_exposition(input, format, [](const SampleView&) {});
      if (!result) {
        EXPECT_THAT(result.error().message, StartsWith("line "));
        EXPECT_LT(result.error().message.size(), 300u);
      }
    }
  }
}

}  // namespace
}  // namespace kscale::sources

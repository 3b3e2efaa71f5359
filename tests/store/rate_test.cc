#include "store/rate.h"

#include <cmath>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/sample_history.h"

namespace kscale::store {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// PromQL test time 0 is the Unix epoch.
const core::SystemTime kZero{};

// Expands promqltest's series notation ("0+10x10 0 10", "_" for a missing sample, NaN, Inf) into
// samples spaced `interval` apart from time 0, as promqltest's `load <interval>` does.
std::vector<CounterSample> load(core::SystemTime::duration interval, const std::string& notation) {
  std::vector<CounterSample> out;
  std::istringstream in(notation);
  std::string token;
  int64_t step = 0;
  auto push = [&](double v) {
    out.push_back(CounterSample{kZero + interval * step, v});
    ++step;
  };
  while (in >> token) {
    if (token == "_") {
      ++step;
      continue;
    }
    const auto x = token.find('x');
    const auto op = token.find_first_of("+-", 1);
    if (x != std::string::npos && op != std::string::npos && op < x) {
      const double start = std::stod(token.substr(0, op));
      const double inc = std::stod(token.substr(op + 1, x - op - 1)) * (token[op] == '-' ? -1 : 1);
      const int n = std::stoi(token.substr(x + 1));
      for (int i = 0; i <= n; ++i) {
        push(start + inc * i);
      }
      continue;
    }
    push(std::stod(token));
  }
  return out;
}

enum class Fn { Rate, Increase, Delta, Irate, LastOverTime, AvgOverTime };

struct Case {
  const char* name;
  core::SystemTime::duration interval;
  const char* series;
  Fn fn;
  core::SystemTime::duration eval_at;
  core::SystemTime::duration range;
  core::SystemTime::duration offset;
  std::optional<double> want;  // nullopt: no result (the series drops out)
};

std::optional<double> evaluate(const Case& c) {
  const auto samples = load(c.interval, c.series);
  const core::SystemTime end = kZero + c.eval_at - c.offset;
  const core::SystemTime start = end - c.range;
  switch (c.fn) {
    case Fn::Rate:
      return rate(samples, start, end);
    case Fn::Increase:
      return increase(samples, start, end);
    case Fn::Delta:
      return delta(samples, start, end);
    case Fn::Irate:
      return irate(samples, start, end);
    case Fn::LastOverTime:
      return last_over_time(samples, start, end);
    case Fn::AvgOverTime:
      return avg_over_time(samples, start, end);
  }
  return std::nullopt;
}

// promqltest compares floats with a relative tolerance of 1e-6 (its defaultEpsilon); expected
// values in functions.test are printed to fewer digits than a double carries.
void expect_promql_equal(std::optional<double> got, std::optional<double> want) {
  ASSERT_EQ(got.has_value(), want.has_value());
  if (!want) {
    return;
  }
  if (std::isnan(*want)) {
    EXPECT_TRUE(std::isnan(*got)) << *got;
  } else if (std::isinf(*want) || *want == 0) {
    EXPECT_EQ(*got, *want);
  } else {
    EXPECT_NEAR(*got, *want, std::fabs(*want) * 1e-6);
  }
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr core::SystemTime::duration kNoOffset{0};

// Vectors transcribed from prometheus promql/promqltest/testdata/functions.test: the
// increase(), rate(), irate(), delta(), avg_over_time() and last_over_time() sections.
const Case kCases[] = {
    // "Tests for increase()": load 5m, eval instant at 50m increase(http_requests_total[50m]).
    {"increase foo", minutes{5}, "0+10x10", Fn::Increase, minutes{50}, minutes{50}, kNoOffset, 100},
    {"increase bar reset", minutes{5}, "0+18x5 0+18x5", Fn::Increase, minutes{50}, minutes{50},
     kNoOffset, 160},
    {"increase dings", minutes{5}, "10+10x10", Fn::Increase, minutes{50}, minutes{50}, kNoOffset,
     100},
    {"increase bumms", minutes{5}, "1+10x10", Fn::Increase, minutes{50}, minutes{50}, kNoOffset,
     100},
    // [100m]: extrapolation to the start is capped at the counter's zero point.
    {"increase foo 100m", minutes{5}, "0+10x10", Fn::Increase, minutes{50}, minutes{100}, kNoOffset,
     100},
    {"increase bar 100m", minutes{5}, "0+18x5 0+18x5", Fn::Increase, minutes{50}, minutes{100},
     kNoOffset, 162},
    {"increase dings 100m", minutes{5}, "10+10x10", Fn::Increase, minutes{50}, minutes{100},
     kNoOffset, 105},
    {"increase bumms 100m", minutes{5}, "1+10x10", Fn::Increase, minutes{50}, minutes{100},
     kNoOffset, 101},
    // "Test for increase() with counter reset": 3 2 reads as 3 0 1 2.
    {"increase with reset", minutes{5}, "0 1 2 3 2 3 4", Fn::Increase, minutes{30}, minutes{30},
     kNoOffset, 7},
    // "Tests for rate()".
    {"rate reset middle", minutes{5}, "0+27x4 0+27x5", Fn::Rate, minutes{50}, minutes{50},
     kNoOffset, 0.08},
    {"rate reset end 5m", minutes{5}, "0+10x9 0 10", Fn::Rate, minutes{50}, minutes{5}, kNoOffset,
     std::nullopt},
    {"rate reset end 6m", minutes{5}, "0+10x9 0 10", Fn::Rate, minutes{50}, minutes{6}, kNoOffset,
     0},
    {"rate window", minutes{5}, "0+80x10", Fn::Rate, minutes{50}, minutes{50}, kNoOffset,
     0.26666666666666666},
    {"rate offset a", minutes{5}, "0+10x10", Fn::Rate, minutes{50}, minutes{10}, minutes{5},
     0.03333333333333333},
    {"rate offset b", minutes{5}, "0+20x10", Fn::Rate, minutes{50}, minutes{10}, minutes{5},
     0.06666666666666667},
    // Zero cutoff for left-side extrapolation (load 4m, rate(...[20m]) at 10m and 50m).
    {"zero cutoff 0m", minutes{4}, "0+240x10", Fn::Rate, minutes{10}, minutes{20}, kNoOffset, 0.5},
    {"zero cutoff 1m", minutes{4}, "60+240x10", Fn::Rate, minutes{10}, minutes{20}, kNoOffset,
     0.55},
    {"zero cutoff 2m", minutes{4}, "120+240x10", Fn::Rate, minutes{10}, minutes{20}, kNoOffset,
     0.6},
    {"zero cutoff 3m", minutes{4}, "180+240x10", Fn::Rate, minutes{10}, minutes{20}, kNoOffset,
     0.6},
    {"zero cutoff 4m", minutes{4}, "240+240x10", Fn::Rate, minutes{10}, minutes{20}, kNoOffset,
     0.6},
    {"zero cutoff 5m", minutes{4}, "300+240x10", Fn::Rate, minutes{10}, minutes{20}, kNoOffset,
     0.6},
    {"half interval 0m", minutes{4}, "0+240x10", Fn::Rate, minutes{50}, minutes{20}, kNoOffset,
     0.6},
    {"half interval 5m", minutes{4}, "300+240x10", Fn::Rate, minutes{50}, minutes{20}, kNoOffset,
     0.6},
    // "Tests for irate()".
    {"irate foo", minutes{5}, "0+10x10", Fn::Irate, minutes{50}, minutes{50}, kNoOffset,
     .03333333333333333333},
    {"irate bar", minutes{5}, "0+10x5 0+10x5", Fn::Irate, minutes{50}, minutes{50}, kNoOffset,
     .03333333333333333333},
    {"irate foo at 30m", minutes{5}, "0+10x10", Fn::Irate, minutes{30}, minutes{50}, kNoOffset,
     .03333333333333333333},
    {"irate bar reset at 30m", minutes{5}, "0+10x5 0+10x5", Fn::Irate, minutes{30}, minutes{50},
     kNoOffset, 0},
    {"irate nan at 0m", minutes{5}, "1 NaN NaN 5 11", Fn::Irate, minutes{0},
     minutes{15} + seconds{1}, kNoOffset, std::nullopt},
    {"irate nan at 5m", minutes{5}, "1 NaN NaN 5 11", Fn::Irate, minutes{5},
     minutes{15} + seconds{1}, kNoOffset, kNaN},
    {"irate nan at 15m", minutes{5}, "1 NaN NaN 5 11", Fn::Irate, minutes{15},
     minutes{15} + seconds{1}, kNoOffset, kNaN},
    {"irate nan at 20m", minutes{5}, "1 NaN NaN 5 11", Fn::Irate, minutes{20},
     minutes{15} + seconds{1}, kNoOffset, 0.02},
    // "Tests for delta()".
    {"delta up", minutes{5}, "0 50 100 150 200", Fn::Delta, minutes{20}, minutes{20}, kNoOffset,
     200},
    {"delta down", minutes{5}, "200 150 100 50 0", Fn::Delta, minutes{20}, minutes{20}, kNoOffset,
     -200},
    // "Tests for avg_over_time" (load 10s, eval at 55s).
    {"avg none in range", seconds{10}, "1 2 3 4 5", Fn::AvgOverTime, seconds{55}, seconds{10},
     kNoOffset, std::nullopt},
    {"avg one in range", seconds{10}, "1 2 3 4 5", Fn::AvgOverTime, seconds{55}, seconds{20},
     kNoOffset, 5},
    {"avg all", seconds{10}, "1 2 3 4 5", Fn::AvgOverTime, seconds{55}, minutes{1}, kNoOffset, 3},
    {"avg metric2", seconds{10}, "1 2 3 4 Inf", Fn::AvgOverTime, seconds{55}, minutes{1}, kNoOffset,
     kInf},
    {"avg metric3", seconds{10}, "1 2 3 4 -Inf", Fn::AvgOverTime, seconds{55}, minutes{1},
     kNoOffset, -kInf},
    {"avg metric4", seconds{10}, "1 2 3 Inf -Inf", Fn::AvgOverTime, seconds{55}, minutes{1},
     kNoOffset, kNaN},
    {"avg metric5", seconds{10}, "Inf 0 Inf", Fn::AvgOverTime, seconds{55}, minutes{1}, kNoOffset,
     kInf},
    {"avg metric5c", seconds{10}, "Inf Inf Inf -Inf", Fn::AvgOverTime, seconds{55}, minutes{1},
     kNoOffset, kNaN},
    {"avg metric6", seconds{10}, "1 2 3 -Inf -Inf", Fn::AvgOverTime, seconds{55}, minutes{1},
     kNoOffset, -kInf},
    {"avg metric6b", seconds{10}, "-Inf 0 -Inf", Fn::AvgOverTime, seconds{55}, minutes{1},
     kNoOffset, -kInf},
    {"avg metric7", seconds{10}, "1 2 -Inf -Inf Inf", Fn::AvgOverTime, seconds{55}, minutes{1},
     kNoOffset, kNaN},
    {"avg metric8 overflow", seconds{10}, "9.988465674311579e+307 9.988465674311579e+307",
     Fn::AvgOverTime, seconds{55}, minutes{1}, kNoOffset, 9.988465674311579e+307},
    {"avg metric9 overflow", seconds{10},
     "-9.988465674311579e+307 -9.988465674311579e+307 -9.988465674311579e+307", Fn::AvgOverTime,
     seconds{55}, minutes{1}, kNoOffset, -9.988465674311579e+307},
    {"avg metric10", seconds{10}, "-9.988465674311579e+307 9.988465674311579e+307", Fn::AvgOverTime,
     seconds{55}, minutes{1}, kNoOffset, 0},
    {"avg metric11 at 20s", seconds{10}, "1 2 3 NaN NaN", Fn::AvgOverTime, seconds{20}, minutes{1},
     kNoOffset, 2},
    {"avg metric11 at 30s", seconds{10}, "1 2 3 NaN NaN", Fn::AvgOverTime, seconds{30}, minutes{1},
     kNoOffset, kNaN},
    {"avg big intermediate", seconds{10}, "1 1e100 1 -1e100", Fn::AvgOverTime, minutes{1},
     minutes{2}, kNoOffset, 0.5},
    {"avg extreme metric1", seconds{5}, "1e10 1e-6 1e-6 1e-6 1e-6 1e-6", Fn::AvgOverTime,
     seconds{55}, minutes{1}, kNoOffset, 1.6666666666666675e+09},
    {"avg extreme metric2", seconds{5},
     "5.30921651659898 0.961118537914768 1.62091361305318 0.865089463758091 0.323055185914577 "
     "0.951811357687154",
     Fn::AvgOverTime, seconds{55}, minutes{1}, kNoOffset, 1.67186744582113},
    {"avg extreme metric3", seconds{5}, "1.78264e50 0.76342771 1.9592258 7.69805412 458.90154",
     Fn::AvgOverTime, seconds{55}, minutes{1}, kNoOffset, 3.56528E+49},
    {"avg extreme metric5", seconds{5},
     "1.78264E+50 0.76342771 1.9592258 2.258E+220 7.69805412 458.90154", Fn::AvgOverTime,
     seconds{55}, minutes{1}, kNoOffset, 3.76333333333333E+219},
    {"avg extreme metric8", seconds{5},
     "-1.78264E+215 0.76342771 1.9592258 2.258E+220 7.69805412 -458.90154", Fn::AvgOverTime,
     seconds{55}, minutes{1}, kNoOffset, 3.76330362266667E+219},
    {"avg extreme metric9", seconds{5},
     "-1.78264E+215 0.76342771 1.9592258 2.258E+220 7.69805412 1.78264E+215 -458.90154",
     Fn::AvgOverTime, seconds{55}, minutes{1}, kNoOffset, 3.225714285714286e+219},
    {"avg extreme metric10", seconds{5},
     "-1.78264E+219 0.76342771 1.9592258 2.3757689E+217 -2.3757689E+217 2.258E+220 7.69805412 "
     "1.78264E+219 -458.90154",
     Fn::AvgOverTime, seconds{55}, minutes{1}, kNoOffset, 2.5088888888888888e+219},
    // Kahan summation cannot recover the true mean (-44.848083237000004) here; upstream gets 0.
    {"avg extreme metric11", seconds{5},
     "-2.258E+220 -1.78264E+219 0.76342771 1.9592258 2.3757689E+217 -2.3757689E+217 2.258E+220 "
     "7.69805412 1.78264E+219 -458.90154",
     Fn::AvgOverTime, seconds{55}, minutes{1}, kNoOffset, 0},
    // "Tests for *_over_time": last_over_time(data[2m]) at 1m, load 10s.
    {"last numbers", seconds{10}, "2 0 3", Fn::LastOverTime, minutes{1}, minutes{2}, kNoOffset, 3},
    {"last some_nan", seconds{10}, "2 0 NaN", Fn::LastOverTime, minutes{1}, minutes{2}, kNoOffset,
     kNaN},
    {"last some_nan2", seconds{10}, "2 NaN 1", Fn::LastOverTime, minutes{1}, minutes{2}, kNoOffset,
     1},
    {"last sparse", seconds{10}, "_ 5 2 _ 4 _", Fn::LastOverTime, minutes{1}, minutes{2}, kNoOffset,
     4},
    {"last empty", seconds{10}, "_ _ _ _", Fn::LastOverTime, minutes{1}, minutes{2}, kNoOffset,
     std::nullopt},
};

TEST(RateTest, MatchesPrometheusFunctionsTest) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    expect_promql_equal(evaluate(c), c.want);
  }
}

// functions.test checks these with PromQL's exact ==, not the test tolerance.
TEST(RateTest, AvgOverTimeOfAConstantIsExact) {
  const auto samples = load(seconds{10}, "52+0x100");
  for (const auto range : {seconds{100}, seconds{110}, seconds{120}, seconds{130}}) {
    const core::SystemTime end = kZero + minutes{10};
    EXPECT_EQ(avg_over_time(samples, end - range, end), 52.0) << range.count();
  }
}

TEST(RateTest, RangeIsLeftOpenRightClosed) {
  const std::vector<CounterSample> s = {{kZero + seconds{10}, 1},
                                        {kZero + seconds{20}, 2},
                                        {kZero + seconds{30}, 3}};
  EXPECT_EQ(in_range(s, kZero + seconds{10}, kZero + seconds{30}).size(), 2u);
  EXPECT_EQ(in_range(s, kZero + seconds{9}, kZero + seconds{30}).size(), 3u);
  EXPECT_EQ(in_range(s, kZero + seconds{10}, kZero + seconds{29}).size(), 1u);
  EXPECT_TRUE(in_range(s, kZero + seconds{30}, kZero + seconds{90}).empty());
  EXPECT_TRUE(in_range({}, kZero, kZero + seconds{1}).empty());
}

TEST(RateTest, NeedsTwoSamples) {
  const std::vector<CounterSample> one = {{kZero + seconds{10}, 5}};
  EXPECT_EQ(rate(one, kZero, kZero + minutes{1}), std::nullopt);
  EXPECT_EQ(increase(one, kZero, kZero + minutes{1}), std::nullopt);
  EXPECT_EQ(irate(one, kZero, kZero + minutes{1}), std::nullopt);
  EXPECT_EQ(rate({}, kZero, kZero + minutes{1}), std::nullopt);
}

// Hand-computed from upstream's formula with a 15s scrape interval and a 1m window ending 5s
// after the last scrape: samples at 5s..50s, to_start 5s, to_end 10s, avg interval 15s.
TEST(RateTest, ExtrapolatesToBothBoundariesWithinThreshold) {
  const std::vector<CounterSample> s = {{kZero + seconds{5}, 100},
                                        {kZero + seconds{20}, 115},
                                        {kZero + seconds{35}, 130},
                                        {kZero + seconds{50}, 145}};
  const auto end = kZero + minutes{1};
  const double factor = (45.0 + 5.0 + 10.0) / 45.0;
  EXPECT_EQ(increase(s, kZero, end), 45.0 * factor);
  EXPECT_EQ(rate(s, kZero, end), 45.0 * (factor / 60.0));
  // Window (10s, 70s]: the gap to the end (20s) is beyond 1.1 × the average interval, so only
  // half an interval (7.5s) is added there; the start gap (10s) is within it.
  const auto later = kZero + seconds{70};
  EXPECT_EQ(increase(s, later - minutes{1}, later), 30.0 * ((30.0 + 10.0 + 7.5) / 30.0));
}

TEST(SampleHistoryTest, KeepsTheNewestSamplesInOrder) {
  SampleHistory<3> h;
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.newest(), std::nullopt);
  for (int i = 1; i <= 5; ++i) {
    EXPECT_TRUE(h.append({kZero + seconds{i}, static_cast<double>(i)}));
  }
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h.samples()[0].v, 3);
  EXPECT_EQ(h.samples()[1].v, 4);
  EXPECT_EQ(h.samples()[2].v, 5);
  EXPECT_EQ(h.newest()->v, 5);
  EXPECT_EQ(SampleHistory<3>::capacity(), 3u);
}

TEST(SampleHistoryTest, RefusesOutOfOrderAndDuplicateTimestamps) {
  SampleHistory<4> h;
  EXPECT_TRUE(h.append({kZero + seconds{10}, 1}));
  EXPECT_FALSE(h.append({kZero + seconds{10}, 2}));
  EXPECT_FALSE(h.append({kZero + seconds{5}, 3}));
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h.newest()->v, 1);
}

TEST(SampleHistoryTest, DropsThroughATime) {
  SampleHistory<8> h;
  for (int i = 1; i <= 6; ++i) {
    h.append({kZero + seconds{10 * i}, static_cast<double>(i)});
  }
  h.drop_through(kZero + seconds{30});
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h.samples()[0].v, 4);
  h.drop_through(kZero);
  EXPECT_EQ(h.size(), 3u);
  h.drop_through(kZero + minutes{5});
  EXPECT_TRUE(h.empty());
  h.append({kZero + seconds{1}, 1});
  h.clear();
  EXPECT_TRUE(h.empty());
}

TEST(SampleHistoryTest, RateOverHistoryMatchesRateOverSamples) {
  SampleHistory<16> h;
  const auto samples = load(minutes{5}, "0+27x4 0+27x5");
  for (const auto& s : samples) {
    h.append(s);
  }
  EXPECT_EQ(h.rate(kZero, kZero + minutes{50}), rate(samples, kZero, kZero + minutes{50}));
  expect_promql_equal(h.rate(kZero, kZero + minutes{50}), 0.08);
}

}  // namespace
}  // namespace kscale::store

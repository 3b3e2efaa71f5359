#include "autoscaler/simulator.h"

#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "autoscaler/svg_plot.h"
#include "kube/horizontal_pod_autoscaler.h"

namespace kscale::autoscaler {
namespace {

std::string read(const std::string& rel) {
  std::ifstream in(std::string(KSCALE_SOURCE_DIR) + "/" + rel);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

SimulationResult run_seed_burst() {
  auto h = kube::read_hpa_manifest(read("examples/hpa-http-requests-qps.yaml"), {});
  auto t = parse_load_trace(read("examples/traces/ab-burst.csv"));
  EXPECT_TRUE(h && t);
  auto r = simulate(*h, *t, SimulationOptions{});
  EXPECT_TRUE(r);
  return *r;
}

TEST(SimulatorTest, SeedBurstReachesMaxReplicas) {
  const SimulationResult r = run_seed_burst();
  EXPECT_EQ(r.summary.peak_replicas, 10);
  EXPECT_GT(r.summary.scale_events, 1);
}

TEST(SimulatorTest, ScaleDownWaitsForTheStabilizationWindow) {
  const SimulationResult r = run_seed_burst();
  // The burst ends at 360 s; the first scale-down may not happen before 360 + 300 s.
  double first_down = -1;
  for (std::size_t i = 1; i < r.steps.size(); ++i) {
    if (r.steps[i].replicas < r.steps[i - 1].replicas) {
      first_down = r.steps[i].time_s;
      break;
    }
  }
  EXPECT_GE(first_down, 360 + 300);
  EXPECT_LE(first_down, 360 + 300 + 30);
  EXPECT_EQ(r.steps.back().replicas, 1);
}

TEST(SimulatorTest, SvgIsWellFormedAndHasBothSeries) {
  const std::string svg = render_svg(run_seed_burst(), "burst");
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("<svg xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  EXPECT_NE(svg.find("id=\"metric\""), std::string::npos);
  EXPECT_NE(svg.find("id=\"target\""), std::string::npos);
  EXPECT_NE(svg.find("id=\"replicas\""), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
}

TEST(SimulatorTest, MissingTraceColumnNamesTheMetric) {
  auto h = kube::read_hpa_manifest(read("examples/hpa-http-requests-qps.yaml"), {});
  auto t = parse_load_trace("time_s,other\n0,1\n60,2\n");
  ASSERT_TRUE(h && t);
  auto r = simulate(*h, *t, SimulationOptions{});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "spec.metrics[0]");
}

TEST(LoadTraceTest, RejectsUnsortedAndMissingTimes) {
  EXPECT_FALSE(parse_load_trace("time_s,qps\n0,1\n0,2\n"));
  EXPECT_FALSE(parse_load_trace("time_s,qps\n,1\n"));
  EXPECT_FALSE(parse_load_trace("time_s,qps\n0,-1\n"));
  auto ok = parse_load_trace("time_s,qps\n0,0\n10,100\n");
  ASSERT_TRUE(ok);
  EXPECT_DOUBLE_EQ(ok->value_at(0, 5), 50);
}

}  // namespace
}  // namespace kscale::autoscaler

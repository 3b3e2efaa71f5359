#include "app/local_autoscaler.h"

#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <thread>

#include "fakes/fake_metrics_source.h"

namespace kscale::app {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::string_view kDeployment = R"yaml(apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, namespace: default}
spec:
  replicas: 1
  selector: {matchLabels: {app: worker}}
  template:
    metadata: {labels: {app: worker}}
    spec:
      terminationGracePeriodSeconds: 2
      containers: [{name: worker, command: [sleep, "60"]}]
)yaml";

// One External metric with a Value target of 10: the fake answers 30, so 1 replica becomes 3.
constexpr std::string_view kHpa = R"yaml(apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: worker, namespace: default}
spec:
  minReplicas: 1
  maxReplicas: 5
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: worker}
  metrics:
  - {type: External, external: {metric: {name: queue_depth}, target: {type: Value, value: 10}}}
)yaml";

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::size_t count(const std::string& text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

// Polls `done` until it holds or 30 s pass (a condition with a bounded deadline, not a sleep).
bool eventually(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

class LocalAutoscalerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("kscale-local-autoscaler-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    std::ofstream(dir_ / "deployment.yaml") << kDeployment;
    std::ofstream(dir_ / "hpa.yaml") << kHpa;
  }
  void TearDown() override { fs::remove_all(dir_); }

  LocalAutoscalerOptions options() const {
    LocalAutoscalerOptions o;
    o.local = true;
    o.files = {(dir_ / "deployment.yaml").string(), (dir_ / "hpa.yaml").string()};
    o.metrics_server = "https://127.0.0.1:6443";  // not read: the fake answers
    o.sync_period = "1s";
    o.pods_file = (dir_ / "pods.yaml").string();
    o.logs_dir = (dir_ / "logs").string();
    o.timeline = (dir_ / "timeline.jsonl").string();
    return o;
  }
  std::unique_ptr<LocalAutoscaler> make_app(int64_t external_milli) {
    auto config = complete(options());
    EXPECT_TRUE(config) << config.error().message;
    auto fake = std::make_unique<fakes::FakeMetricsSource>();
    fake->snapshots.resize(1);
    fake->snapshots[0].external_values.push_back({{}, clock_.system_now(), external_milli});
    return std::make_unique<LocalAutoscaler>(std::move(*config), std::move(fake), clock_);
  }

  fs::path dir_;
  core::RealClock clock_;
};

TEST_F(LocalAutoscalerTest, AppliesAScaleUpAndStopsTheReplicasOnStop) {
  auto app = make_app(30'000);
  int result = -1;
  std::thread runner([&] { result = app->run(); });
  const bool scaled =
      eventually([&] { return count(read_text(dir_ / "pods.yaml"), "kind: Pod") == 3; });
  const std::string timeline = read_text(dir_ / "timeline.jsonl");
  app->stop();
  runner.join();
  ASSERT_TRUE(scaled) << read_text(dir_ / "pods.yaml");
  EXPECT_NE(timeline.find(R"("replicas_before":1,"replicas":3)"), std::string::npos) << timeline;
  EXPECT_EQ(result, 0);
  EXPECT_EQ(count(read_text(dir_ / "pods.yaml"), "kind: Pod"), 0u);  // every replica stopped
}

TEST_F(LocalAutoscalerTest, SigtermStopsTheLoopsAndTheReplicas) {
  auto app = make_app(10'000);  // on target: stays at 1
  int result = -1;
  std::thread runner([&] { result = app->run(); });
  // The first sync is written after run() installed its signal set.
  const bool synced = eventually(
      [&] { return read_text(dir_ / "timeline.jsonl").find("\"sync\"") != std::string::npos; });
  if (synced) {
    ::kill(::getpid(), SIGTERM);
  } else {
    app->stop();
  }
  runner.join();
  ASSERT_TRUE(synced);
  EXPECT_EQ(result, SIGTERM);
  EXPECT_EQ(count(read_text(dir_ / "pods.yaml"), "kind: Pod"), 0u);
}

TEST(LocalAutoscalerConfigTest, RejectsAnHpaThatNamesAnotherDeployment) {
  const auto dir =
      fs::temp_directory_path() / ("kscale-local-autoscaler-config-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "deployment.yaml") << kDeployment;
  std::string hpa(kHpa);
  hpa.replace(hpa.find("name: worker}\n  metrics"), 12, "name: other");
  std::ofstream(dir / "hpa.yaml") << hpa;
  LocalAutoscalerOptions o;
  o.local = true;
  o.files = {(dir / "deployment.yaml").string(), (dir / "hpa.yaml").string()};
  o.metrics_server = "https://127.0.0.1:6443";
  auto config = complete(o);
  fs::remove_all(dir);
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("spec.scaleTargetRef"), std::string::npos)
      << config.error().message;
  EXPECT_EQ(config.error().code, 400);
}

}  // namespace
}  // namespace kscale::app

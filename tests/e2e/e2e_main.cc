// main() of every e2e test binary: KSCALE_SKIP_E2E=1 reports the binary skipped (exit 77, the
// CTest SKIP_RETURN_CODE); otherwise one ControlPlane is started for all tests, a failure to
// start (missing Go, binaries, a component not ready) fails every test saying why, and a failed
// test prints the last 50 lines of each component's log.

#include <cstdlib>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "e2e/e2e_environment.h"

namespace kscale::testing {

namespace {

std::unique_ptr<ControlPlane> g_control_plane;
std::string g_start_error;

class ControlPlaneEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    try {
      g_control_plane = ControlPlane::start(control_plane_options());
    } catch (const std::exception& e) {  // test-support edge: report, never crash
      g_start_error = e.what();
      FAIL() << "the test control plane did not start: " << g_start_error;
    }
  }
  void TearDown() override { g_control_plane.reset(); }
};

// Prints the component logs once per failed test.
class LogTailsOnFailure : public ::testing::EmptyTestEventListener {
 public:
  void OnTestEnd(const ::testing::TestInfo& info) override {
    if (info.result()->Failed() && g_control_plane) {
      std::cout << g_control_plane->log_tails(50) << std::flush;
    }
  }
};

}  // namespace

ControlPlaneOptions& control_plane_options() {
  static ControlPlaneOptions options;
  return options;
}

ControlPlane& control_plane() {
  if (!g_control_plane) {
    throw std::runtime_error("no control plane: " + g_start_error);
  }
  return *g_control_plane;
}

}  // namespace kscale::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  const char* skip = std::getenv("KSCALE_SKIP_E2E");
  if (skip != nullptr && std::string(skip) == "1") {
    std::cout << "SKIPPED: KSCALE_SKIP_E2E=1 (the end-to-end tests need a real control plane)\n";
    return 77;
  }
  // gtest takes ownership of both objects.
  ::testing::AddGlobalTestEnvironment(new kscale::testing::ControlPlaneEnvironment);
  ::testing::UnitTest::GetInstance()->listeners().Append(new kscale::testing::LogTailsOnFailure);
  return RUN_ALL_TESTS();
}

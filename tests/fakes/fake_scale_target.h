#pragma once
// A fake ScaleTarget: a /scale whose pods the test sets (names, readiness), recording every
// set_scale, and failing get_scale/set_scale on request.

#include <optional>
#include <string>
#include <vector>

#include "autoscaler/scale_target.h"

namespace kscale::fakes {

class FakeScaleTarget final : public autoscaler::ScaleTarget {
 public:
  int32_t spec_replicas = 1;
  std::string selector = "app=web";
  std::vector<hpa::Pod> pods;
  std::optional<core::Error> get_error;
  std::optional<core::Error> set_error;
  std::vector<int32_t> scales;  // every set_scale, in order

  // autoscaler::ScaleTarget
  core::Result<autoscaler::ScaleStatus> get_scale() override {
    if (get_error) {
      return core::fail(*get_error);
    }
    return autoscaler::ScaleStatus{hpa::Replicas(spec_replicas),
                                   hpa::Replicas(static_cast<int32_t>(pods.size())), selector};
  }
  core::Result<void> set_scale(hpa::Replicas replicas) override {
    if (set_error) {
      return core::fail(*set_error);
    }
    scales.push_back(replicas.value());
    spec_replicas = replicas.value();
    return {};
  }
  core::Result<std::vector<hpa::Pod>> list_pods() override { return pods; }
};

}  // namespace kscale::fakes

#pragma once
// autoscaler::ControlLoop: the HPA controller's sync for one HorizontalPodAutoscaler — read the
// scale and pods from a ScaleTarget, the metrics through a MetricsSource, run hpa::reconcile,
// apply the new scale — with a decision log, a `kubectl get hpa -w` table and a JSON timeline.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "autoscaler/local_process_group.h"
#include "autoscaler/metrics_source.h"
#include "autoscaler/scale_target.h"
#include "core/clock.h"
#include "hpa/reconcile.h"

namespace kscale::autoscaler {

struct ControlLoopOptions {
  hpa::ControllerConfig controller;
  /// JSON Lines: one {"type":"sync",...} per sync and one {"type":"replica",...} per replica
  /// event (what `kscale demo` plots). Empty: none.
  std::filesystem::path timeline_file;
  /// Where the table rows go (kubectl get hpa -w); null: nowhere.
  std::ostream* table = nullptr;
};

/// Not thread-safe; `target`, `metrics` and `clock` must outlive the loop.
class ControlLoop {
 public:
  ControlLoop(hpa::HorizontalPodAutoscaler hpa, ScaleTarget& target, MetricsSource& metrics,
              const core::Clock& clock, ControlLoopOptions options);

  /// One reconcile, as HorizontalController.reconcileAutoscaler: logs the decision with its
  /// reasons and events, prints a table row, appends to the timeline, and applies a new scale.
  /// One sync at a time, on the executor the metrics source runs on.
  boost::asio::awaitable<hpa::Decision> sync();
  /// Logs and records replica events (from LocalProcessGroup::take_events).
  void record(const std::vector<ReplicaEvent>& events);

  const hpa::HorizontalPodAutoscaler& hpa() const { return hpa_; }

 private:
  void print_row(const hpa::Decision& d, hpa::Replicas replicas);

  hpa::HorizontalPodAutoscaler hpa_;
  ScaleTarget& target_;
  MetricsSource& metrics_;
  const core::Clock& clock_;
  ControlLoopOptions options_;
  hpa::ControllerState state_;
  core::SystemTime created_;
  std::ofstream timeline_;
  bool header_printed_ = false;
};

/// kubectl's TARGETS column (printers formatHPAMetrics): "30500m/30", "<unknown>/30",
/// "50%/80%", with ", + N more..." beyond the first two.
std::string format_targets(const hpa::HorizontalPodAutoscaler& hpa);

/// kubectl's AGE column (duration.HumanDuration): "45s", "2m30s", "12m", "3h", "5d".
std::string human_duration(std::chrono::seconds d);

}  // namespace kscale::autoscaler

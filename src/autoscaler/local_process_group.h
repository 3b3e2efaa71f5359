#pragma once
// autoscaler::LocalProcessGroup: a Deployment's pod template run as local processes — the
// ScaleTarget of `kscale autoscale --local`. It plays the ReplicaSet controller (start, replace,
// pick pods to delete) and the kubelet (env, $(VAR) expansion, readiness probes, graceful stop).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "autoscaler/child_process.h"
#include "autoscaler/scale_target.h"
#include "core/clock.h"
#include "kube/deployment.h"

namespace kscale::autoscaler {

struct LocalProcessGroupOptions {
  /// The pods as a Kubernetes List (`kubectl get pods -o yaml` shape), rewritten atomically on
  /// every change; what `kscale adapter --objects F --scrape-annotated-pods` reads. Empty: none.
  std::filesystem::path pods_file;
  /// Each replica's stdout and stderr go to <logs_dir>/<pod>.log. Empty: /dev/null.
  std::filesystem::path logs_dir;
  /// The environment every replica inherits (e.g. PATH) before the container's own variables.
  std::vector<std::string> base_env;
};

/// A change in the group, for logs and timelines.
struct ReplicaEvent {
  enum class Kind { Started, Ready, NotReady, Exited, Stopping, Stopped, FailedStart };
  Kind kind = Kind::Started;
  std::string pod;
  core::SystemTime time{};
  std::string detail;
};

std::string_view replica_event_name(ReplicaEvent::Kind kind);

/// One replica as the group reports it.
struct ReplicaInfo {
  std::string name;
  int pid = -1;
  uint16_t port = 0;
  bool ready = false;
  bool terminating = false;
};

/// Not thread-safe: one coroutine at a time calls the members, on one executor (the app's).
class LocalProcessGroup final : public ScaleTarget {
 public:
  LocalProcessGroup(kube::Deployment deployment, LocalProcessGroupOptions options,
                    const core::Clock& clock);
  /// SIGKILLs the replicas still running (call stop_all() first to stop them gracefully).
  ~LocalProcessGroup() override;
  LocalProcessGroup(const LocalProcessGroup&) = delete;
  LocalProcessGroup& operator=(const LocalProcessGroup&) = delete;

  // autoscaler::ScaleTarget
  [[nodiscard]] core::Result<ScaleStatus> get_scale() override;
  [[nodiscard]] core::Result<void> set_scale(hpa::Replicas replicas) override;
  [[nodiscard]] core::Result<std::vector<hpa::Pod>> list_pods() override;

  /// One pass of the ReplicaSet controller and the kubelet: reaps processes that ended
  /// (a replica that ended on its own is logged, counted and replaced, with CrashLoopBackOff's
  /// delays when it keeps dying right after start), starts or gracefully stops replicas to match
  /// spec.replicas (not-Ready and newest first, as ReplicaSet picks), SIGKILLs replicas past
  /// terminationGracePeriodSeconds, runs the readiness probes that are due, and rewrites the pods
  /// file when anything changed. Call every few hundred milliseconds; the probes run as
  /// coroutines on the caller's executor, all at once, each bounded by its timeoutSeconds.
  boost::asio::awaitable<void> sync();
  /// Stops every replica in parallel (SIGTERM, SIGKILL after the grace period) and waits.
  boost::asio::awaitable<void> stop_all();

  /// Events since the last call.
  std::vector<ReplicaEvent> take_events();
  std::vector<ReplicaInfo> replicas() const;
  /// Replicas that ended without being asked to (crashed or killed from outside).
  uint64_t unexpected_exits() const { return unexpected_exits_; }
  const kube::Deployment& deployment() const { return deployment_; }
  /// The pod-template-hash label value (as the Deployment controller computes it from the template).
  const std::string& template_hash() const { return template_hash_; }

 private:
  struct Replica;

  void start_replica();
  void begin_stop(Replica& r);
  boost::asio::awaitable<void> probe_due();
  void write_pods_file();
  void emit(ReplicaEvent::Kind kind, const std::string& pod, std::string detail);
  uint16_t free_port() const;
  std::string resolve_port(const std::string& port, uint16_t replica_port) const;

  kube::Deployment deployment_;
  LocalProcessGroupOptions options_;
  const core::Clock& clock_;
  std::string template_hash_;
  std::mt19937_64 rng_;
  int32_t desired_ = 0;
  std::vector<std::unique_ptr<Replica>> replicas_;
  std::vector<ReplicaEvent> events_;
  uint64_t unexpected_exits_ = 0;
  int crash_streak_ = 0;
  core::MonotonicTime next_start_{};
  bool dirty_ = true;
};

/// Kubernetes `$(VAR)` expansion as the kubelet applies it to env values, command and args
/// (Upstream: kubernetes third_party/forked/golang/expansion/expand.go): `$(NAME)` becomes the
/// variable's value, `$$` becomes `$`, and a reference to an undefined variable is left as is.
std::string expand_kubelet_vars(std::string_view input,
                                const std::map<std::string, std::string>& vars);

/// The container environment the kubelet would give a replica: POD_NAME, POD_NAMESPACE, POD_IP
/// and PORT first, then the template's env in order, each value expanded against the ones
/// before it.
std::vector<std::pair<std::string, std::string>> replica_env(const kube::Deployment& d,
                                                             const std::string& pod, uint16_t port);

}  // namespace kscale::autoscaler

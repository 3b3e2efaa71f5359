#include "autoscaler/local_process_group.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/time_format.h"
#include "kube/manifest_document.h"
#include "net/asio_tokens.h"
#include "net/http_client.h"
#include "net/when_all.h"

namespace kscale::autoscaler {

namespace json = boost::json;

struct LocalProcessGroup::Replica {
  std::string name;
  uint16_t port = 0;
  ChildProcess process;
  core::SystemTime created{};
  core::MonotonicTime started{};
  bool ready = false;
  core::SystemTime ready_changed{};
  int successes = 0;
  int failures = 0;
  core::MonotonicTime next_probe{};
  bool terminating = false;
  core::SystemTime deletion_time{};
  core::MonotonicTime kill_at{};
  bool killed = false;
};

namespace {

// Upstream: apimachinery pkg/util/rand, the alphabet of generated names (no vowels, no
// look-alike digits) and SafeEncodeString.
constexpr std::string_view kAlphanums = "bcdfghjklmnpqrstvwxz2456789";
constexpr auto kCrashWindow = std::chrono::seconds(10);
constexpr auto kMaxBackoff = std::chrono::seconds(300);

std::string safe_encode(std::string_view s) {
  std::string out;
  for (char c : s) {
    out += kAlphanums[static_cast<unsigned char>(c) % kAlphanums.size()];
  }
  return out;
}

uint32_t fnv32a(std::string_view s) {
  uint32_t h = 2166136261u;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return h;
}

// Upstream: pkg/controller/controller_utils.go ComputeHash — FNV-32a over the pod template,
// printed in decimal and SafeEncodeString'd. The template here is what this struct holds.
std::string compute_template_hash(const kube::Deployment& d) {
  json::object t;
  json::object labels;
  for (const auto& [k, v] : d.template_labels) {
    labels[k] = v;
  }
  json::object annotations;
  for (const auto& [k, v] : d.template_annotations) {
    annotations[k] = v;
  }
  json::array env;
  for (const auto& e : d.env) {
    env.push_back(json::object{{"name", e.name}, {"value", e.value}});
  }
  t["labels"] = labels;
  t["annotations"] = annotations;
  t["command"] = json::value_from(d.command);
  t["args"] = json::value_from(d.args);
  t["env"] = env;
  return safe_encode(std::to_string(fnv32a(json::serialize(t))));
}

// CrashLoopBackOff's schedule: 10s, doubling, at most 5 minutes.
std::chrono::seconds crash_backoff(int streak) {
  return std::min<std::chrono::seconds>(
      kMaxBackoff, std::chrono::seconds(10 * (1 << std::clamp(streak - 1, 0, 5))));
}

std::string random_suffix(std::mt19937_64& rng) {
  std::string out;
  for (int i = 0; i < 5; ++i) {
    out += kAlphanums[rng() % kAlphanums.size()];
  }
  return out;
}

}  // namespace

std::string_view replica_event_name(ReplicaEvent::Kind kind) {
  switch (kind) {
    case ReplicaEvent::Kind::Started:
      return "Started";
    case ReplicaEvent::Kind::Ready:
      return "Ready";
    case ReplicaEvent::Kind::NotReady:
      return "NotReady";
    case ReplicaEvent::Kind::Exited:
      return "Exited";
    case ReplicaEvent::Kind::Stopping:
      return "Stopping";
    case ReplicaEvent::Kind::Stopped:
      return "Stopped";
    case ReplicaEvent::Kind::FailedStart:
      return "FailedStart";
  }
  return "";
}

std::string expand_kubelet_vars(std::string_view input,
                                const std::map<std::string, std::string>& vars) {
  std::string out;
  std::size_t checkpoint = 0;
  for (std::size_t cursor = 0; cursor < input.size(); ++cursor) {
    if (input[cursor] != '$' || cursor + 1 >= input.size()) {
      continue;
    }
    out.append(input.substr(checkpoint, cursor - checkpoint));
    const std::string_view rest = input.substr(cursor + 1);
    std::size_t advance = 1;
    if (rest[0] == '$') {
      out += '$';
    } else if (rest[0] == '(') {
      const auto close = rest.find(')');
      if (close == std::string_view::npos) {
        out += "$(";
      } else {
        const std::string name(rest.substr(1, close - 1));
        const auto it = vars.find(name);
        out += it != vars.end() ? it->second : "$(" + name + ")";
        advance = close + 1;
      }
    } else {
      out += '$';
      out += rest[0];
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  if (checkpoint < input.size()) {
    out.append(input.substr(checkpoint));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> replica_env(const kube::Deployment& d,
                                                             const std::string& pod,
                                                             uint16_t port) {
  std::vector<std::pair<std::string, std::string>> out{{"POD_NAME", pod},
                                                       {"POD_NAMESPACE", d.namespace_},
                                                       {"POD_IP", "127.0.0.1"},
                                                       {"PORT", std::to_string(port)}};
  std::map<std::string, std::string> defined(out.begin(), out.end());
  for (const auto& e : d.env) {
    std::string value = expand_kubelet_vars(e.value, defined);
    defined[e.name] = value;
    auto it =
        std::find_if(out.begin(), out.end(), [&](const auto& kv) { return kv.first == e.name; });
    if (it != out.end()) {
      it->second = value;
    } else {
      out.emplace_back(e.name, value);
    }
  }
  return out;
}

LocalProcessGroup::LocalProcessGroup(kube::Deployment deployment, LocalProcessGroupOptions options,
                                     const core::Clock& clock)
    : deployment_(std::move(deployment)),
      options_(std::move(options)),
      clock_(clock),
      template_hash_(compute_template_hash(deployment_)),
      rng_(std::random_device{}()),
      desired_(deployment_.replicas) {
  if (!options_.logs_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options_.logs_dir, ec);
  }
}

LocalProcessGroup::~LocalProcessGroup() {
  replicas_.clear();  // ChildProcess' destructor SIGKILLs and reaps what stop_all() did not stop
  dirty_ = true;
  write_pods_file();
}

core::Result<ScaleStatus> LocalProcessGroup::get_scale() {
  int32_t active = 0;
  for (const auto& r : replicas_) {
    active += r->terminating ? 0 : 1;
  }
  return ScaleStatus{hpa::Replicas(desired_), hpa::Replicas(active), deployment_.selector};
}

core::Result<void> LocalProcessGroup::set_scale(hpa::Replicas replicas) {
  if (replicas.value() < 0) {
    return core::fail(
        core::Error::invalid("spec.replicas", "spec.replicas: Invalid value: must be >= 0"));
  }
  desired_ = replicas.value();
  return {};
}

core::Result<std::vector<hpa::Pod>> LocalProcessGroup::list_pods() {
  std::vector<hpa::Pod> pods;
  for (const auto& r : replicas_) {
    hpa::Pod p;
    p.name = r->name;
    p.labels = deployment_.template_labels;
    p.labels["pod-template-hash"] = template_hash_;
    p.deleted = r->terminating;
    p.phase = hpa::PodPhase::Running;
    p.ready = hpa::PodReadyCondition{
        r->ready ? hpa::ConditionStatus::True : hpa::ConditionStatus::False, r->ready_changed};
    p.start_time = r->created;
    p.containers.push_back(hpa::Container{deployment_.container_name, {}, false});
    pods.push_back(std::move(p));
  }
  return pods;
}

std::vector<ReplicaEvent> LocalProcessGroup::take_events() { return std::exchange(events_, {}); }

std::vector<ReplicaInfo> LocalProcessGroup::replicas() const {
  std::vector<ReplicaInfo> out;
  for (const auto& r : replicas_) {
    out.push_back(ReplicaInfo{r->name, r->process.pid(), r->port, r->ready, r->terminating});
  }
  return out;
}

void LocalProcessGroup::emit(ReplicaEvent::Kind kind, const std::string& pod, std::string detail) {
  events_.push_back(ReplicaEvent{kind, pod, clock_.system_now(), std::move(detail)});
  dirty_ = true;
}

uint16_t LocalProcessGroup::free_port() const {
  std::set<uint16_t> used;
  for (const auto& r : replicas_) {
    used.insert(r->port);
  }
  for (int attempt = 0; attempt < 20; ++attempt) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    uint16_t port = 0;
    if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port = ntohs(addr.sin_port);
    }
    if (fd >= 0) {
      close(fd);
    }
    if (port != 0 && !used.contains(port)) {
      return port;
    }
  }
  return 0;
}

// Locally every pod has the same IP, so the container's first declared port is served at the
// replica's own $PORT; probes and annotations that name it (by number or name) follow it there.
std::string LocalProcessGroup::resolve_port(const std::string& port, uint16_t replica_port) const {
  for (std::size_t i = 0; i < deployment_.ports.size(); ++i) {
    const auto& p = deployment_.ports[i];
    if ((!p.name.empty() && p.name == port) || std::to_string(p.container_port) == port) {
      return std::to_string(i == 0 ? replica_port : p.container_port);
    }
  }
  return port;
}

void LocalProcessGroup::start_replica() {
  const std::string name =
      fmt::format("{}-{}-{}", deployment_.name, template_hash_, random_suffix(rng_));
  const uint16_t port = free_port();
  const auto env = replica_env(deployment_, name, port);
  const std::map<std::string, std::string> vars(env.begin(), env.end());
  SpawnOptions spawn;
  for (const auto& c : deployment_.command) {
    spawn.argv.push_back(expand_kubelet_vars(c, vars));
  }
  for (const auto& a : deployment_.args) {
    spawn.argv.push_back(expand_kubelet_vars(a, vars));
  }
  for (const auto& kv : options_.base_env) {
    const auto key = kv.substr(0, kv.find('='));
    if (!vars.contains(key)) {
      spawn.env.push_back(kv);
    }
  }
  for (const auto& [k, v] : env) {
    spawn.env.push_back(k + "=" + v);
  }
  spawn.output_file =
      options_.logs_dir.empty() ? "/dev/null" : (options_.logs_dir / (name + ".log")).string();
  auto child = ChildProcess::spawn(spawn);
  const auto now = clock_.monotonic_now();
  if (!child) {
    spdlog::error("replica {}: failed to start: {}", name, child.error().message);
    emit(ReplicaEvent::Kind::FailedStart, name, child.error().message);
    ++crash_streak_;
    next_start_ = now + crash_backoff(crash_streak_);
    return;
  }
  auto r =
      std::make_unique<Replica>(Replica{name, port, std::move(*child), clock_.system_now(), now});
  r->ready_changed = r->created;
  if (deployment_.readiness_probe) {
    r->next_probe = now + std::chrono::seconds(deployment_.readiness_probe->initial_delay_seconds);
  } else {
    r->ready = true;  // no probe: Ready once the container runs, as the kubelet reports it
  }
  spdlog::info("replica {} started: pid {}, PORT={}, {}", name, r->process.pid(), port,
               fmt::join(spawn.argv, " "));
  emit(ReplicaEvent::Kind::Started, name, fmt::format("pid {} port {}", r->process.pid(), port));
  if (r->ready) {
    emit(ReplicaEvent::Kind::Ready, name, "no readiness probe");
  }
  replicas_.push_back(std::move(r));
}

void LocalProcessGroup::begin_stop(Replica& r) {
  r.terminating = true;
  r.deletion_time = clock_.system_now();
  r.kill_at =
      clock_.monotonic_now() + std::chrono::seconds(deployment_.termination_grace_period_seconds);
  r.process.signal(SIGTERM);
  spdlog::info("replica {} stopping (SIGTERM, grace {}s)", r.name,
               deployment_.termination_grace_period_seconds);
  emit(ReplicaEvent::Kind::Stopping, r.name, "SIGTERM");
}

boost::asio::awaitable<void> LocalProcessGroup::probe_due() {
  if (!deployment_.readiness_probe) {
    co_return;
  }
  const auto& probe = *deployment_.readiness_probe;
  const auto now = clock_.monotonic_now();
  std::vector<Replica*> due;
  std::vector<boost::asio::awaitable<core::Result<net::Response>>> requests;
  for (auto& r : replicas_) {
    if (r->terminating || now < r->next_probe) {
      continue;
    }
    r->next_probe = now + std::chrono::seconds(probe.period_seconds);
    const std::string port = resolve_port(probe.port, r->port);
    net::HttpUrl url;
    url.host = "127.0.0.1";
    url.port = static_cast<uint16_t>(std::stoi(port));
    url.target = probe.path.front() == '/' ? probe.path : "/" + probe.path;
    url.text = fmt::format("http://127.0.0.1:{}{}", url.port, url.target);
    net::RequestOptions options;
    options.timeout = std::chrono::seconds(probe.timeout_seconds);
    options.headers = {{"Accept", "*/*"}};
    due.push_back(r.get());
    requests.push_back(net::http_get(std::move(url), std::move(options)));
  }
  if (due.empty()) {
    co_return;
  }
  // Every due probe at once, each bounded by its own timeoutSeconds.
  auto results = co_await net::when_all(std::move(requests));
  for (std::size_t i = 0; i < due.size(); ++i) {
    Replica& r = *due[i];
    // Upstream: kubelet pkg/probe/http — 200 <= code < 400 is success.
    const bool ok = results[i] && results[i]->result_int() >= 200 && results[i]->result_int() < 400;
    if (ok) {
      r.failures = 0;
      ++r.successes;
      if (!r.ready && r.successes >= probe.success_threshold) {
        r.ready = true;
        r.ready_changed = clock_.system_now();
        spdlog::info("replica {} is Ready", r.name);
        emit(ReplicaEvent::Kind::Ready, r.name, "readiness probe succeeded");
      }
    } else {
      r.successes = 0;
      ++r.failures;
      if (r.ready && r.failures >= probe.failure_threshold) {
        r.ready = false;
        r.ready_changed = clock_.system_now();
        const std::string why = results[i] ? fmt::format("HTTP probe failed with statuscode: {}",
                                                         results[i]->result_int())
                                           : results[i].error().message;
        spdlog::warn("replica {} is not Ready: {}", r.name, why);
        emit(ReplicaEvent::Kind::NotReady, r.name, why);
      }
    }
  }
}

boost::asio::awaitable<void> LocalProcessGroup::sync() {
  const auto now = clock_.monotonic_now();
  for (auto it = replicas_.begin(); it != replicas_.end();) {
    Replica& r = **it;
    if (r.process.running()) {
      if (r.terminating && !r.killed && now >= r.kill_at) {
        spdlog::warn("replica {} did not stop within {}s: SIGKILL", r.name,
                     deployment_.termination_grace_period_seconds);
        r.process.signal(SIGKILL);
        r.killed = true;
      }
      ++it;
      continue;
    }
    const std::string how = describe_exit(r.process.wait_status().value_or(0));
    if (r.terminating) {
      spdlog::info("replica {} stopped ({})", r.name, how);
      emit(ReplicaEvent::Kind::Stopped, r.name, how);
    } else {
      ++unexpected_exits_;
      // A replica killed from outside (SIGKILL, SIGTERM) is replaced at once, as a ReplicaSet
      // replaces a deleted pod; one that keeps failing on its own right after start backs off.
      const int ws = r.process.wait_status().value_or(0);
      const bool killed = WIFSIGNALED(ws) && (WTERMSIG(ws) == SIGKILL || WTERMSIG(ws) == SIGTERM);
      const bool quick = !killed && now - r.started < kCrashWindow;
      crash_streak_ = quick ? crash_streak_ + 1 : 0;
      const auto backoff = quick ? crash_backoff(crash_streak_) : std::chrono::seconds(0);
      next_start_ = std::max(next_start_, now + backoff);
      spdlog::warn("replica {} (pid {}) {} without being asked to stop; replacing it{}", r.name,
                   r.process.pid(), how,
                   backoff.count() > 0 ? fmt::format(" in {}s (it keeps failing right after start)",
                                                     backoff.count())
                                       : "");
      emit(ReplicaEvent::Kind::Exited, r.name, how);
    }
    it = replicas_.erase(it);
  }

  std::vector<Replica*> active;
  for (auto& r : replicas_) {
    if (!r->terminating) {
      active.push_back(r.get());
    }
  }
  const auto count = static_cast<int32_t>(active.size());
  if (count > desired_) {
    // Upstream: ReplicaSet getPodsToDelete ranks not-Ready before Ready, then newer before older.
    std::stable_sort(active.begin(), active.end(), [](const Replica* a, const Replica* b) {
      if (a->ready != b->ready) {
        return !a->ready;
      }
      return a->created > b->created;
    });
    for (int32_t i = 0; i < count - desired_; ++i) {
      begin_stop(*active[static_cast<std::size_t>(i)]);
    }
  } else if (count < desired_ && now >= next_start_) {
    for (int32_t i = count; i < desired_ && now >= next_start_; ++i) {
      start_replica();
    }
  }
  co_await probe_due();
  if (dirty_) {
    write_pods_file();
  }
}

boost::asio::awaitable<void> LocalProcessGroup::stop_all() {
  desired_ = 0;
  for (auto& r : replicas_) {
    if (!r->terminating) {
      begin_stop(*r);
    }
  }
  const auto grace = std::chrono::seconds(deployment_.termination_grace_period_seconds);
  const auto deadline = clock_.monotonic_now() + grace + std::chrono::seconds(2);
  auto executor = co_await boost::asio::this_coro::executor;
  boost::asio::steady_timer timer(executor);
  while (!replicas_.empty() && clock_.monotonic_now() < deadline) {
    co_await sync();
    if (!replicas_.empty()) {
      // Child exits are reaped by polling waitpid (no SIGCHLD handler in the process).
      timer.expires_after(std::chrono::milliseconds(20));
      auto [ec] = co_await timer.async_wait(net::use_nothrow);
      if (ec) {
        break;  // cancelled: the destructor kills what is left
      }
    }
  }
  replicas_.clear();  // ChildProcess' destructor SIGKILLs and reaps anything left
  dirty_ = true;
  write_pods_file();
}

void LocalProcessGroup::write_pods_file() {
  dirty_ = false;
  if (options_.pods_file.empty()) {
    return;
  }
  json::array items;
  for (const auto& r : replicas_) {
    json::object labels;
    for (const auto& [k, v] : deployment_.template_labels) {
      labels[k] = v;
    }
    labels["pod-template-hash"] = template_hash_;
    json::object annotations;
    for (const auto& [k, v] : deployment_.template_annotations) {
      annotations[k] = k == "prometheus.io/port" ? resolve_port(v, r->port) : v;
    }
    annotations["kscale.io/pid"] = std::to_string(r->process.pid());
    json::object metadata{{"name", r->name},
                          {"namespace", deployment_.namespace_},
                          {"labels", labels},
                          {"annotations", annotations},
                          {"creationTimestamp", core::format_rfc3339(r->created)},
                          {"ownerReferences", json::array{json::object{
                                                  {"apiVersion", "apps/v1"},
                                                  {"kind", "ReplicaSet"},
                                                  {"name", deployment_.name + "-" + template_hash_},
                                                  {"controller", true}}}}};
    if (r->terminating) {
      metadata["deletionTimestamp"] = core::format_rfc3339(r->deletion_time);
      metadata["deletionGracePeriodSeconds"] = deployment_.termination_grace_period_seconds;
    }
    json::array ports;
    for (std::size_t i = 0; i < deployment_.ports.size(); ++i) {
      const auto& p = deployment_.ports[i];
      json::object port{{"containerPort", i == 0 ? r->port : p.container_port},
                        {"protocol", "TCP"}};
      if (!p.name.empty()) {
        port["name"] = p.name;
      }
      ports.push_back(std::move(port));
    }
    json::object container{{"name", deployment_.container_name}};
    if (!ports.empty()) {
      container["ports"] = ports;
    }
    json::object status{
        {"phase", "Running"},
        {"hostIP", "127.0.0.1"},
        {"podIP", "127.0.0.1"},
        {"podIPs", json::array{json::object{{"ip", "127.0.0.1"}}}},
        {"startTime", core::format_rfc3339(r->created)},
        {"conditions", json::array{json::object{
                           {"type", "Ready"},
                           {"status", r->ready ? "True" : "False"},
                           {"lastTransitionTime", core::format_rfc3339(r->ready_changed)}}}}};
    items.push_back(
        json::object{{"apiVersion", "v1"},
                     {"kind", "Pod"},
                     {"metadata", metadata},
                     {"spec", json::object{{"containers", json::array{container}},
                                           {"terminationGracePeriodSeconds",
                                            deployment_.termination_grace_period_seconds}}},
                     {"status", status}});
  }
  const json::value list = json::object{{"apiVersion", "v1"},
                                        {"kind", "List"},
                                        {"metadata", json::object{{"resourceVersion", ""}}},
                                        {"items", items}};
  const auto tmp = options_.pods_file.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << kube::to_yaml(list);
    if (!out) {
      spdlog::error("--pods-file {}: cannot write {}", options_.pods_file.string(), tmp);
      return;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, options_.pods_file, ec);
  if (ec) {
    spdlog::error("--pods-file {}: {}", options_.pods_file.string(), ec.message());
  }
}

}  // namespace kscale::autoscaler

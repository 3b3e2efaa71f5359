// `kscale httpserver`, the seeds' sample app, end to end with real clients: curl for requests,
// promtool (from the prometheus package) to lint its /metrics, hey to spread connections over
// replicas that share one port with --reuse-port.

#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/process.h"

namespace kscale::testing {
namespace {

struct Replica {
  std::unique_ptr<Process> process;
  std::string port;
  std::string metrics_port;
};

Replica start_httpserver(std::vector<std::string> extra) {
  std::vector<std::string> argv{kscale_binary(), "httpserver", "--bind-address",
                                "127.0.0.1",     "--threads",  "2"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  Replica r;
  r.process = std::make_unique<Process>(argv);
  auto port = r.process->wait_for(std::regex(R"(listening on http://127\.0\.0\.1:(\d+))"));
  auto metrics =
      r.process->wait_for(std::regex(R"(serving metrics on http://127\.0\.0\.1:(\d+)/metrics)"));
  EXPECT_TRUE(port && metrics) << r.process->output();
  r.port = port.value_or("0");
  r.metrics_port = metrics.value_or("0");
  return r;
}

CommandResult curl(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"curl", "-sS", "-w", "\n%{http_code}"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv);
}

int http_code(const CommandResult& r) { return std::stoi(r.out.substr(r.out.rfind('\n') + 1)); }
std::string body(const CommandResult& r) { return r.out.substr(0, r.out.rfind('\n')); }

// The value of the first sample line that starts with `series` (name and labels, exactly).
double sample(const std::string& exposition, const std::string& series) {
  const auto at = exposition.find("\n" + series + " ");
  if (at == std::string::npos) {
    ADD_FAILURE() << "no sample " << series << " in\n" << exposition;
    return -1;
  }
  const auto start = at + series.size() + 2;
  return std::stod(exposition.substr(start, exposition.find('\n', start) - start));
}

TEST(HttpServerIntegrationTest, ServesRootHealthAndCountedMetrics) {
  auto app = start_httpserver({"--port", "0"});
  ASSERT_EQ(app.port, app.metrics_port);  // /metrics on the service port by default
  const std::string base = "http://127.0.0.1:" + app.port;
  for (int i = 0; i < 3; ++i) {
    auto r = curl({base + "/"});
    EXPECT_EQ(http_code(r), 200);
    EXPECT_NE(body(r).find("Hello"), std::string::npos);
  }
  EXPECT_EQ(http_code(curl({base + "/healthz"})), 200);  // probes are not traffic
  EXPECT_EQ(http_code(curl({base + "/nope"})), 404);
  EXPECT_EQ(http_code(curl({"-I", base + "/"})), 200);
  EXPECT_EQ(http_code(curl({"-X", "POST", "--data", "x", base + "/"})), 200);

  auto m = curl({base + "/metrics"});
  ASSERT_EQ(http_code(m), 200);
  const std::string text = body(m);
  // As with the seeds' app, requests to /metrics on the service port are traffic too: the
  // scrape that reads the counter is already in it.
  EXPECT_EQ(sample(text, R"(http_requests_total{code="200",method="get"})"), 4);
  EXPECT_EQ(sample(text, R"(http_requests_total{code="404",method="get"})"), 1);
  EXPECT_EQ(sample(text, R"(http_requests_total{code="200",method="head"})"), 1);
  EXPECT_EQ(sample(text, R"(http_requests_total{code="200",method="post"})"), 1);
  EXPECT_GT(sample(text, "process_resident_memory_bytes"), 1e6);
  EXPECT_GT(sample(text, "process_open_fds"), 2);
  EXPECT_GT(sample(text, "process_max_fds"), 0);
  EXPECT_GE(sample(text, "process_cpu_seconds_total"), 0);
  const double start = sample(text, "process_start_time_seconds");
  const double now = static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count());
  EXPECT_GT(start, now - 120);
  EXPECT_LT(start, now + 2);

  auto lint = run_command({"promtool", "check", "metrics"}, text);
  EXPECT_EQ(lint.status, 0) << lint.out << lint.err;
  EXPECT_EQ(app.process->stop(), 0);
}

TEST(HttpServerIntegrationTest, SeparateMetricsPortIsNotCounted) {
  auto app = start_httpserver({"--port", "0", "--metrics-port", "0"});
  ASSERT_NE(app.port, app.metrics_port);
  const std::string base = "http://127.0.0.1:" + app.port;
  const std::string metrics = "http://127.0.0.1:" + app.metrics_port + "/metrics";
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(http_code(curl({base + "/"})), 200);
    ASSERT_EQ(http_code(curl({metrics})), 200);
  }
  EXPECT_EQ(http_code(curl({base + "/metrics"})), 404);  // only on the metrics port now
  const std::string text = body(curl({metrics}));
  EXPECT_EQ(sample(text, R"(http_requests_total{code="200",method="get"})"), 5);
  EXPECT_EQ(sample(text, R"(http_requests_total{code="404",method="get"})"), 1);
  EXPECT_EQ(http_code(curl({"http://127.0.0.1:" + app.metrics_port + "/healthz"})), 200);
}

TEST(HttpServerIntegrationTest, ReplicasShareOnePortWithReusePort) {
  auto a = start_httpserver({"--port", "0", "--metrics-port", "0", "--reuse-port"});
  auto b = start_httpserver({"--port", a.port, "--metrics-port", "0", "--reuse-port"});
  ASSERT_EQ(a.port, b.port);
  // A new connection per request, so that the kernel spreads them over both listeners.
  auto load = run_command(
      {"hey", "-n", "300", "-c", "4", "-disable-keepalive", "http://127.0.0.1:" + a.port + "/"});
  ASSERT_EQ(load.status, 0) << load.out << load.err;
  const std::string series = R"(http_requests_total{code="200",method="get"})";
  const double na = sample(body(curl({"http://127.0.0.1:" + a.metrics_port + "/metrics"})), series);
  const double nb = sample(body(curl({"http://127.0.0.1:" + b.metrics_port + "/metrics"})), series);
  EXPECT_EQ(na + nb, 300);
  EXPECT_GT(na, 0);
  EXPECT_GT(nb, 0);

  // Without --reuse-port a third replica cannot bind the shared port, and says so.
  Process c({kscale_binary(), "httpserver", "--bind-address", "127.0.0.1", "--port", a.port});
  EXPECT_TRUE(c.wait_for(std::regex("cannot listen on 127\\.0\\.0\\.1:" + a.port)));
  EXPECT_NE(c.stop(), 0);
}

}  // namespace
}  // namespace kscale::testing

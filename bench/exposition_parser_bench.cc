// Exposition parser throughput: MB/s on one core over real captures (tests/sources/testdata:
// Debian's node exporter and Prometheus, both formats), streaming and owned (target >= 300 MB/s
// streaming). KSCALE_EXPOSITION_TESTDATA overrides the directory the captures are read from.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "sources/exposition_parser.h"

namespace {

using kscale::sources::ExpositionFormat;
using kscale::sources::SampleView;

std::string load_capture(const char* file) {
  const char* override_dir = std::getenv("KSCALE_EXPOSITION_TESTDATA");
  const std::filesystem::path dir =
      override_dir != nullptr
          ? std::filesystem::path(override_dir)
          : std::filesystem::path(__FILE__).parent_path() / ".." / "tests" / "sources" / "testdata";
  std::ifstream in(dir / file, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The scraper's path: every sample reaches a callback as views, nothing is copied.
void BM_ParseStreaming(benchmark::State& state, const char* file, ExpositionFormat format) {
  const std::string text = load_capture(file);
  if (text.empty()) {
    state.SkipWithError("capture not found; set KSCALE_EXPOSITION_TESTDATA");
    return;
  }
  std::size_t samples = 0;
  for (auto _ : state) {
    double sum = 0;
    std::size_t labels = 0;
    const auto parsed = kscale::sources::parse_exposition(text, format, [&](const SampleView& s) {
      sum += s.value;
      labels += s.labels.size();
    });
    if (!parsed) {
      state.SkipWithError(parsed.error().message.c_str());
      return;
    }
    samples += parsed->samples;
    benchmark::DoNotOptimize(sum);
    benchmark::DoNotOptimize(labels);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.counters["samples/s"] =
      benchmark::Counter(static_cast<double>(samples), benchmark::Counter::kIsRate);
}

// The convenience path: owned families with std::map labels (allocates per sample).
void BM_ParseOwned(benchmark::State& state, const char* file, ExpositionFormat format) {
  const std::string text = load_capture(file);
  if (text.empty()) {
    state.SkipWithError("capture not found; set KSCALE_EXPOSITION_TESTDATA");
    return;
  }
  for (auto _ : state) {
    auto families = kscale::sources::parse_metric_families(text, format);
    if (!families) {
      state.SkipWithError(families.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(families->data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

BENCHMARK_CAPTURE(BM_ParseStreaming, node_exporter_text, "node_exporter.prom.txt",
                  ExpositionFormat::PrometheusText);
BENCHMARK_CAPTURE(BM_ParseStreaming, node_exporter_openmetrics, "node_exporter.om.txt",
                  ExpositionFormat::OpenMetrics);
BENCHMARK_CAPTURE(BM_ParseStreaming, prometheus_text, "prometheus.prom.txt",
                  ExpositionFormat::PrometheusText);
BENCHMARK_CAPTURE(BM_ParseStreaming, prometheus_openmetrics, "prometheus.om.txt",
                  ExpositionFormat::OpenMetrics);
BENCHMARK_CAPTURE(BM_ParseStreaming, prometheus_federate_text, "prometheus_federate.prom.txt",
                  ExpositionFormat::PrometheusText);
BENCHMARK_CAPTURE(BM_ParseOwned, node_exporter_text, "node_exporter.prom.txt",
                  ExpositionFormat::PrometheusText);
BENCHMARK_CAPTURE(BM_ParseOwned, node_exporter_openmetrics, "node_exporter.om.txt",
                  ExpositionFormat::OpenMetrics);

}  // namespace

BENCHMARK_MAIN();

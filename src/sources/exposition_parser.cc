// The exposition parser's entry points: the choice of format parser, the owned form
// (parse_metric_families) and the metric type names. The formats themselves are in
// detail/prometheus_text_parser.cc and detail/openmetrics_parser.cc, over what both share in
// detail/exposition_scanner.h; content negotiation is in exposition_content_type.cc.

#include "sources/exposition_parser.h"

#include <string>
#include <utility>

#include "sources/detail/openmetrics_parser.h"
#include "sources/detail/prometheus_text_parser.h"

namespace kscale::sources {

std::string_view metric_type_name(MetricType type) {
  switch (type) {
    case MetricType::Unknown:
      return "unknown";
    case MetricType::Counter:
      return "counter";
    case MetricType::Gauge:
      return "gauge";
    case MetricType::Histogram:
      return "histogram";
    case MetricType::GaugeHistogram:
      return "gaugehistogram";
    case MetricType::Summary:
      return "summary";
    case MetricType::Info:
      return "info";
    case MetricType::StateSet:
      return "stateset";
  }
  return "unknown";
}

namespace detail {

core::Result<ParseStats> parse_exposition(std::string_view text, ExpositionFormat format,
                                          const ParseCallbacks& callbacks) {
  if (format == ExpositionFormat::OpenMetrics) {
    return parse_openmetrics(text, callbacks);
  }
  return parse_prometheus_text(text, callbacks);
}

}  // namespace detail

core::Result<std::vector<MetricFamily>> parse_metric_families(std::string_view text,
                                                              ExpositionFormat format) {
  std::vector<MetricFamily> families;
  const auto to_labels = [](std::span<const LabelView> views) {
    core::Labels labels;
    for (const LabelView& view : views) {
      labels.emplace(std::string(view.name), std::string(view.value));
    }
    return labels;
  };
  auto parsed = parse_exposition(
      text, format,
      [&](const SampleView& view) {
        Sample sample;
        sample.name.assign(view.name);
        sample.role = view.role;
        sample.labels = to_labels(view.labels);
        sample.value = view.value;
        sample.timestamp = view.timestamp;
        if (view.exemplar) {
          sample.exemplar = Exemplar{to_labels(view.exemplar->labels), view.exemplar->value,
                                     view.exemplar->timestamp};
        }
        families.back().samples.push_back(std::move(sample));
      },
      [&](const FamilyView& view) {
        families.push_back(MetricFamily{std::string(view.name),
                                        view.type,
                                        std::string(view.help),
                                        std::string(view.unit),
                                        {}});
      });
  if (!parsed) {
    return core::fail(std::move(parsed.error()));
  }
  return families;
}

}  // namespace kscale::sources

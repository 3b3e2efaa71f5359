#include "autoscaler/svg_plot.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace kscale::autoscaler {

namespace {

constexpr double kWidth = 960;
constexpr double kLeft = 70;
constexpr double kRight = 30;
constexpr double kPanelHeight = 220;
constexpr double kTop1 = 60;
constexpr double kTop2 = kTop1 + kPanelHeight + 70;
constexpr double kHeight = kTop2 + kPanelHeight + 60;
constexpr std::size_t kMaxPoints = 2000;

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

double nice_step(double range) {
  if (range <= 0) {
    return 1;
  }
  const double raw = range / 5;
  const double mag = std::pow(10, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (raw <= m * mag) {
      return m * mag;
    }
  }
  return 10 * mag;
}

struct Panel {
  double top;
  double x_max;
  double y_max;
  double x(double t) const {
    return kLeft + (kWidth - kLeft - kRight) * (x_max > 0 ? t / x_max : 0);
  }
  double y(double v) const {
    return top + kPanelHeight - kPanelHeight * (y_max > 0 ? v / y_max : 0);
  }
};

std::string axes(const Panel& p, const std::string& y_label) {
  std::string out = fmt::format(
      "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"none\" stroke=\"#444\"/>\n",
      kLeft, p.top, kWidth - kLeft - kRight, kPanelHeight);
  const double ys = nice_step(p.y_max);
  for (double v = 0; v <= p.y_max + 1e-9; v += ys) {
    out += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#ddd\"/>"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"11\" text-anchor=\"end\">{:g}</text>\n",
        kLeft, p.y(v), kWidth - kRight, p.y(v), kLeft - 5, p.y(v) + 4, v);
  }
  const double xs_min = nice_step(p.x_max / 60.0);
  for (double m = 0; m * 60 <= p.x_max + 1e-9; m += xs_min) {
    out += fmt::format(
        "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"11\" text-anchor=\"middle\">{:g}</text>\n",
        p.x(m * 60), p.top + kPanelHeight + 15, m);
  }
  out += fmt::format(
      "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"12\" text-anchor=\"middle\">time (minutes)</text>\n",
      kLeft + (kWidth - kLeft - kRight) / 2, p.top + kPanelHeight + 32);
  out += fmt::format(
      "<text x=\"15\" y=\"{:.1f}\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 15 {:.1f})\">{}</text>\n",
      p.top + kPanelHeight / 2, p.top + kPanelHeight / 2, escape(y_label));
  return out;
}

template <class Fn>
std::string polyline(const Panel& p, const SimulationResult& r, Fn value, bool step,
                     const std::string& color, const std::string& id,
                     const std::string& dash = "") {
  std::string points;
  const std::size_t n = r.steps.size();
  const std::size_t stride = std::max<std::size_t>(1, n / kMaxPoints);
  double prev_y = NAN;
  for (std::size_t i = 0; i < n; i += stride) {
    double v = value(r.steps[i]);
    if (std::isnan(v)) {
      continue;
    }
    const double x = p.x(r.steps[i].time_s);
    const double y = p.y(std::min(v, p.y_max));
    if (step && !std::isnan(prev_y)) {
      points += fmt::format("{:.1f},{:.1f} ", x, prev_y);
    }
    points += fmt::format("{:.1f},{:.1f} ", x, y);
    prev_y = y;
  }
  return fmt::format(
      "<polyline id=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\"{} points=\"{}\"/>\n",
      id, color, dash.empty() ? "" : fmt::format(" stroke-dasharray=\"{}\"", dash), points);
}

std::string legend(double x, double y,
                   const std::vector<std::pair<std::string, std::string>>& items) {
  std::string out;
  for (const auto& [color, label] : items) {
    out += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" stroke-width=\"2\"/>"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"12\">{}</text>\n",
        x, y, x + 20, y, color, x + 25, y + 4, escape(label));
    x += 30 + 7.0 * static_cast<double>(label.size());
  }
  return out;
}

}  // namespace

std::string render_svg(const SimulationResult& r, const std::string& title) {
  const double x_max = r.steps.empty() ? 1 : r.steps.back().time_s;
  const std::string metric = r.metric_names.empty() ? "metric" : r.metric_names[0];
  const bool utilization = !r.target_kinds.empty() && r.target_kinds[0] == "Utilization";
  double metric_max = 0;
  double target = 0;
  int32_t replicas_max = r.max_replicas;
  for (const auto& s : r.steps) {
    if (!s.value.empty()) {
      if (!std::isnan(s.value[0])) {
        metric_max = std::max(metric_max, s.value[0]);
      }
      target = s.target[0];
    }
    replicas_max = std::max(replicas_max, s.replicas);
  }
  metric_max = std::max(metric_max, target * 1.5);
  Panel top{kTop1, x_max, metric_max > 0 ? metric_max * 1.05 : 1};
  Panel bottom{kTop2, x_max, static_cast<double>(replicas_max) + 1};
  std::string out = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0f}\" height=\"{:.0f}\" "
      "viewBox=\"0 0 {:.0f} {:.0f}\" font-family=\"sans-serif\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{:.1f}\" y=\"25\" font-size=\"16\" text-anchor=\"middle\">{}</text>\n",
      kWidth, kHeight, kWidth, kHeight, kWidth / 2, escape(title));
  const std::string metric_label = utilization ? metric + " utilization (%)" : metric + " per pod";
  out += axes(top, metric_label);
  out += polyline(
      top, r, [&](const SimulationStep& s) { return s.target.empty() ? NAN : s.target[0]; }, false,
      "#d62728", "target", "6,4");
  out += polyline(
      top, r, [](const SimulationStep& s) { return s.value.empty() ? NAN : s.value[0]; }, false,
      "#1f77b4", "metric");
  out += legend(kLeft, kTop1 - 12,
                {{"#1f77b4", metric_label + " (as the HPA saw it)"}, {"#d62728", "target"}});
  out += axes(bottom, "pods");
  out += polyline(
      bottom, r, [](const SimulationStep& s) { return static_cast<double>(s.replicas); }, true,
      "#2ca02c", "replicas");
  out += polyline(
      bottom, r, [](const SimulationStep& s) { return static_cast<double>(s.ready_pods); }, true,
      "#9467bd", "ready", "3,3");
  out += legend(kLeft, kTop2 - 12, {{"#2ca02c", "replicas"}, {"#9467bd", "ready pods"}});
  out += "</svg>\n";
  return out;
}

}  // namespace kscale::autoscaler

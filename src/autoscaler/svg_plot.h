#pragma once
// SVG rendering of a simulation: the first metric's per-pod value against its target (top panel)
// and the replica count over time (bottom panel), with axes, labels and a legend.

#include <string>

#include "autoscaler/simulator.h"

namespace kscale::autoscaler {

/// A standalone SVG document; `title` is shown above the plot.
std::string render_svg(const SimulationResult& result, const std::string& title);

}  // namespace kscale::autoscaler

// The SVG figures of bin/inspect's HTML page (inspect_page.h), drawn with the report's pieces
// (metrics/report/svg_canvas.h): where a coupling layer's parameters are, the running
// log-probability of a traced jet, layer-by-feature grids, a jet as particles in the (eta, phi)
// plane, and a spline with its knots and derivatives. Each function returns one <svg> element.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "flows/inspect/flow_trace.h"
#include "flows/inspect/spline_curve.h"

namespace flowjet::flows {

/// Horizontal bars, one per (label, count), with the count written after the bar.
std::string svg_parameter_bars(const std::string& title, const std::vector<std::pair<std::string, int64_t>>& bars);

/// The forward trace as lines over "layers applied" 0..L: the running log-probability, its base term
/// log N(h; 0, I) and the sum of log|det| so far (running = base + sum); point 0 is the input itself.
std::string svg_log_prob_plot(const FlowTraceReport& trace);

/// A layers x features grid of coloured cells, with an optional colour bar (palette from 0 to `bar_max`) and
/// swatches explaining the other colours.
struct FeatureGrid {
  std::string title;
  std::string x_label;
  std::vector<std::vector<std::string>> colors;       // [rows][features]: any SVG colour
  std::vector<std::pair<std::string, std::string>> swatches;  // (colour, meaning), drawn under the grid
  double bar_max = 0;                                 // > 0: draw the palette's bar from 0 to bar_max
  std::string bar_label;                              // what the bar's colours measure
};
std::string svg_feature_grid(const FeatureGrid& grid);

/// Particles of one jet in a plane: marker area proportional to size / size_max (sizes <= 0 are not drawn).
struct JetPicture {
  std::string title;
  std::string x_label, y_label;
  std::vector<double> x, y, size;
  double size_max = 1;
};
/// Two square panels side by side (e.g. the jet before and after the flow), each on its own symmetric range.
std::string svg_jet_pair(const std::string& title, const JetPicture& left, const JetPicture& right);

/// The spline y = g(x) on [-1.25 B, 1.25 B] with the identity for comparison, its knots, the slope d_k at each
/// knot as a short tangent, the traced point (x_in, y_out) in red, and the derivative g'(x) in a panel below.
std::string svg_spline_plot(const SplineCurve& curve, double traced_in, double traced_out);

}  // namespace flowjet::flows

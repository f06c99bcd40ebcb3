// Inline SVG figures for the evaluation report (no scripts, no external resources): step
// histograms of several samples with a ratio panel, and 2-D histograms as heatmaps; drawn with the
// pieces of svg_canvas.h, which bin/inspect's page shares.
#pragma once

#include <string>
#include <vector>

#include "metrics/report/histogram.h"
#include "metrics/report/svg_canvas.h"

namespace flowjet::metrics {

/// One sample of a step plot: a value per bin (e.g. Histogram1D::density()).
struct StepSeries {
  std::string label;
  std::vector<double> values;
  std::string color;    ///< any SVG colour, e.g. "#d62728"
  bool filled = false;  ///< draw as a light filled area (the reference sample)
};

struct StepPlot {
  std::string title;
  std::string x_label;
  std::string y_label = "density";
  Binning binning;
  std::vector<StepSeries> series;         ///< series[0] is the reference of the ratio panel
  bool log_y = false;
  std::vector<std::string> legend_notes;  ///< extra legend lines (e.g. the W1 value)
  bool ratio_panel = true;                ///< series[1] / series[0] per bin, on [0, 2]
};

/// A 460 x 360 SVG (scalable through its viewBox): axes with ticks, the series as step lines, the
/// legend in the upper right, and the ratio panel below. Throws ShapeError when a series does not
/// have one value per bin, or the ratio panel is asked for with fewer than two series.
std::string svg_step_plot(const StepPlot& plot);

struct HeatmapPlot {
  std::string title;
  std::string x_label;
  std::string y_label;
  Histogram2D histogram;
  /// Top of the colour scale (density), shared by the plots that are compared; <= 0: this plot's
  /// maximum. Colours are logarithmic over `decades` decades below it; empty cells stay white.
  double color_max = 0;
  int decades = 4;
};

/// A 460 x 360 SVG heatmap of the histogram's density with a colour bar (viridis-like palette).
std::string svg_heatmap(const HeatmapPlot& plot);

}  // namespace flowjet::metrics

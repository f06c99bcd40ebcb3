// SVG step plots with a ratio panel, and heatmaps (svg_plot.h). Coordinates are in the 460 x 360
// viewBox; every number is written with one decimal, which is finer than a pixel.
#include "metrics/report/svg_plot.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "engine/core/error.h"
#include "metrics/report/utf8.h"

namespace flowjet::metrics {

namespace {

constexpr double kWidth = 460, kHeight = 360;
constexpr double kLeft = 64, kTop = 30;
constexpr double kStepTop = 44;  // step plots: title, then the legend line, then the panel

// The outline of a step histogram from the baseline up and back down.
std::string step_path(const std::vector<double>& values, const Scale& x_pixels, const Scale& y, const Binning& b) {
  std::string d = fmt::format("M{:.1f},{:.1f}", x_pixels(b.edge(0)), y.from);
  for (int i = 0; i < b.bins; ++i)
    d += fmt::format("V{:.1f}H{:.1f}", y(values[static_cast<size_t>(i)]), x_pixels(b.edge(i + 1)));
  return d + fmt::format("V{:.1f}", y.from);
}

// Linear y range [0, 1.1 max] or, for log axes, whole decades around the positive values.
Scale y_scale(const std::vector<StepSeries>& series, bool log, double from, double to) {
  double max_value = 0.0, min_positive = INFINITY;
  for (const auto& s : series)
    for (const double v : s.values)
      if (std::isfinite(v) && v > 0) {
        max_value = std::max(max_value, v);
        min_positive = std::min(min_positive, v);
      }
  if (max_value <= 0.0) return {0.0, 1.0, from, to, false};
  if (!log) return {0.0, max_value * 1.1, from, to, false};
  const double high = std::pow(10.0, std::ceil(std::log10(max_value * 1.5)));
  const double low = std::max(std::pow(10.0, std::floor(std::log10(min_positive))), high * 1e-7);
  return {low, high, from, to, true};
}

}  // namespace

std::string svg_step_plot(const StepPlot& plot) {
  const Binning& b = plot.binning;
  for (const auto& s : plot.series)
    if (s.values.size() != static_cast<size_t>(b.bins))
      throw ShapeError(fmt::format("svg_step_plot '{}': series '{}' has {} values for {} bins", plot.title, s.label,
                                   s.values.size(), b.bins));
  if (plot.ratio_panel && plot.series.size() < 2)
    throw ShapeError(fmt::format("svg_step_plot '{}': a ratio panel needs two series", plot.title));

  const double right = kWidth - 22;  // room for the last x tick label
  const double main_bottom = plot.ratio_panel ? 244 : 314;
  const double ratio_top = 254, ratio_bottom = 314;
  const Scale x{b.low, b.high, kLeft, right};
  const Scale y = y_scale(plot.series, plot.log_y, main_bottom, kStepTop);

  std::string svg = svg_open(kWidth, kHeight, plot.title, kLeft);
  svg += svg_y_axis(y, kLeft, right);
  for (const auto& s : plot.series) {
    const std::string d = step_path(s.values, x, y, b);
    if (s.filled)
      svg += fmt::format("<path d=\"{}\" fill=\"{}\" fill-opacity=\"0.25\" stroke=\"{}\" stroke-width=\"1.2\"/>\n", d,
                         s.color, s.color);
    else
      svg += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.6\"/>\n", d, s.color);
  }
  svg += svg_frame(kLeft, kStepTop, right, main_bottom);
  svg += svg_x_axis(x, main_bottom, !plot.ratio_panel);
  svg += svg_vertical_label(16, (kStepTop + main_bottom) / 2, plot.y_label);

  if (plot.ratio_panel) {
    const Scale r{0.0, 2.0, ratio_bottom, ratio_top};
    svg += svg_y_axis(r, kLeft, right, 2);
    svg += svg_line(kLeft, r(1.0), right, r(1.0), "#888", "stroke-dasharray=\"3,3\"");
    // Steps through consecutive bins where the ratio is defined; a new segment after each gap.
    std::string d;
    bool open = false;
    for (int i = 0; i < b.bins; ++i) {
      const double reference = plot.series[0].values[static_cast<size_t>(i)];
      const double other = plot.series[1].values[static_cast<size_t>(i)];
      if (!(reference > 0) || !std::isfinite(other)) {
        open = false;
        continue;
      }
      const double py = r(other / reference);
      d += open ? fmt::format("V{:.1f}", py) : fmt::format("M{:.1f},{:.1f}", x(b.edge(i)), py);
      d += fmt::format("H{:.1f}", x(b.edge(i + 1)));
      open = true;
    }
    if (!d.empty())
      svg += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.4\"/>\n", d,
                         plot.series[1].color);
    svg += svg_frame(kLeft, ratio_top, right, ratio_bottom);
    svg += svg_x_axis(x, ratio_bottom, true);
    svg += svg_vertical_label(16, (ratio_top + ratio_bottom) / 2, "ratio");
  }
  svg += svg_text((kLeft + right) / 2, kHeight - 8, plot.x_label);

  // Legend: one line between the title and the panel, so that it never hides data.
  double lx = kLeft;
  const double ly = kStepTop - 8;
  for (const auto& s : plot.series) {
    svg += svg_line(lx, ly - 4, lx + 18, ly - 4, s.color, fmt::format("stroke-width=\"{}\"", s.filled ? 6 : 2));
    svg += svg_text(lx + 22, ly, s.label, "start");
    lx += 22 + kSvgCharWidth * static_cast<double>(utf8_length(s.label)) + 14;
  }
  for (const auto& note : plot.legend_notes) {
    svg += svg_text(lx, ly, note, "start", "font-weight=\"bold\"");
    lx += kSvgCharWidth * static_cast<double>(utf8_length(note)) + 14;
  }
  return svg + "</svg>\n";
}

std::string svg_heatmap(const HeatmapPlot& plot) {
  const Histogram2D& h = plot.histogram;
  const double right = 380, bottom = 310;
  const Scale x{h.x.low, h.x.high, kLeft, right};
  const Scale y{h.y.low, h.y.high, bottom, kTop};
  const std::vector<double> density = h.density();
  double top = plot.color_max;
  if (!(top > 0)) top = density.empty() ? 0.0 : *std::max_element(density.begin(), density.end());
  const int decades = std::max(1, plot.decades);
  const double log_top = top > 0 ? std::log10(top) : 0.0;
  const auto color_position = [&](double v) {
    return (std::log10(v) - (log_top - decades)) / decades;
  };

  std::string svg = svg_open(kWidth, kHeight, plot.title, kLeft);
  svg += "<g shape-rendering=\"crispEdges\">\n";
  for (int iy = 0; iy < h.y.bins; ++iy)
    for (int ix = 0; ix < h.x.bins; ++ix) {
      const double v = density[static_cast<size_t>(iy) * h.x.bins + ix];
      if (!(v > 0) || !(top > 0)) continue;
      const double x0 = x(h.x.edge(ix)), x1 = x(h.x.edge(ix + 1));
      const double y0 = y(h.y.edge(iy + 1)), y1 = y(h.y.edge(iy));
      // Cells overlap by a fraction of a pixel so no hairline gaps show between them.
      svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"/>\n", x0, y0,
                         x1 - x0 + 0.4, y1 - y0 + 0.4, palette_color(color_position(v)));
    }
  svg += "</g>\n";
  svg += svg_frame(kLeft, kTop, right, bottom);
  svg += svg_x_axis(x, bottom, true);
  svg += svg_y_axis(y, kLeft, kLeft);
  svg += svg_text((kLeft + right) / 2, kHeight - 14, plot.x_label);
  svg += svg_vertical_label(16, (kTop + bottom) / 2, plot.y_label);

  // Colour bar: `decades` decades of density below the top of the scale.
  const double bar_x = 396, bar_width = 12, steps = 40;
  for (int k = 0; k < steps; ++k) {
    const double t0 = k / steps, t1 = (k + 1) / steps;
    const double y0 = bottom - t1 * (bottom - kTop), y1 = bottom - t0 * (bottom - kTop);
    svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"/>\n", bar_x,
                       y0, bar_width, y1 - y0 + 0.4, palette_color((t0 + t1) / 2));
  }
  svg += svg_frame(bar_x, kTop, bar_x + bar_width, bottom);
  if (top > 0) {
    for (int e = static_cast<int>(std::ceil(log_top - decades - 1e-9)); e <= static_cast<int>(std::floor(log_top + 1e-9));
         ++e) {
      const double py = bottom - (e - (log_top - decades)) / decades * (bottom - kTop);
      svg += svg_text(bar_x + bar_width + 3, py + 3.5, power_of_ten(e), "start", "font-size=\"10\"");
    }
  }
  svg += svg_text(bar_x + bar_width / 2, kTop - 6, "density", "middle", "font-size=\"10\"");
  return svg + "</svg>\n";
}

}  // namespace flowjet::metrics

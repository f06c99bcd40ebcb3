// SVG figures of bin/inspect's page (inspect_figures.h).
#include "flows/inspect/inspect_figures.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "flows/inspect/model_summary.h"
#include "metrics/report/svg_canvas.h"
#include "metrics/report/utf8.h"

namespace flowjet::flows {

using metrics::kSvgCharWidth;
using metrics::Scale;
using metrics::svg_frame;
using metrics::svg_line;
using metrics::svg_text;
using metrics::svg_vertical_label;

namespace {

constexpr const char* kRed = "#d62728";
constexpr const char* kBlue = "#1f77b4";
constexpr const char* kGreen = "#2ca02c";
constexpr const char* kOrange = "#ff7f0e";

std::string circle(double x, double y, double r, const std::string& attributes) {
  return fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{:.1f}\" {}/>\n", x, y, r, attributes);
}

std::string rect(double x, double y, double w, double h, const std::string& fill) {
  return fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"/>\n", x, y, w, h,
                     fill);
}

// A line through the points (xs[i], ys[i]) in pixels.
std::string polyline(const std::vector<double>& xs, const std::vector<double>& ys, const Scale& x, const Scale& y,
                     const std::string& color, double width) {
  std::string d;
  for (std::size_t i = 0; i < xs.size(); ++i) d += fmt::format("{}{:.1f},{:.1f}", i == 0 ? "M" : "L", x(xs[i]), y(ys[i]));
  return fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"/>\n", d, color, width);
}

// One legend entry (a short line, or a dot when `dot`, then the label) at (x, y); returns the x after it.
double legend_entry(std::string& svg, double x, double y, const std::string& color, const std::string& label,
                    bool dot = false) {
  if (dot)
    svg += circle(x + 9, y - 4, 3.5, fmt::format("fill=\"{}\"", color));
  else
    svg += svg_line(x, y - 4, x + 18, y - 4, color, "stroke-width=\"2\"");
  svg += svg_text(x + 22, y, label, "start");
  return x + 22 + kSvgCharWidth * static_cast<double>(metrics::utf8_length(label)) + 14;
}

// [min, max] of the finite values, widened by `margin` of the span on each side (a unit range if they are equal).
std::pair<double, double> padded_range(const std::vector<double>& values, double margin) {
  double low = INFINITY, high = -INFINITY;
  for (double v : values)
    if (std::isfinite(v)) low = std::min(low, v), high = std::max(high, v);
  if (!(high >= low)) return {-1, 1};
  if (high == low) return {low - 1, high + 1};
  const double pad = (high - low) * margin;
  return {low - pad, high + pad};
}

}  // namespace

std::string svg_parameter_bars(const std::string& title, const std::vector<std::pair<std::string, int64_t>>& bars) {
  std::size_t label_chars = 0;
  int64_t largest = 1;
  for (const auto& [label, count] : bars) {
    label_chars = std::max(label_chars, metrics::utf8_length(label));
    largest = std::max(largest, count);
  }
  const double label_right = 16 + kSvgCharWidth * static_cast<double>(label_chars), bar_left = label_right + 8;
  const double bar_room = 300, row = 22, top = 32;
  const double width = std::max(460.0, bar_left + bar_room + 80), height = top + row * static_cast<double>(bars.size()) + 8;
  std::string svg = metrics::svg_open(width, height, title, 16);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const double y = top + row * static_cast<double>(i);
    const double w = bar_room * static_cast<double>(bars[i].second) / static_cast<double>(largest);
    svg += svg_text(label_right, y + row / 2 + 4, bars[i].first, "end");
    svg += rect(bar_left, y + 4, w, row - 8, "#3b528b");
    svg += svg_text(bar_left + w + 6, y + row / 2 + 4, group_digits(bars[i].second), "start");
  }
  return svg + "</svg>\n";
}

std::string svg_log_prob_plot(const FlowTraceReport& trace) {
  // Point k is the state after k layers; point 0 is the input x.
  std::vector<double> layers{0}, running{trace.input_base_log_prob}, sum{0};
  for (const TraceStep& s : trace.forward) {
    layers.push_back(static_cast<double>(layers.size()));
    running.push_back(s.running_log_prob);
    sum.push_back(sum.back() + s.logabsdet);
  }
  std::vector<double> base(running.size());
  for (std::size_t k = 0; k < base.size(); ++k) base[k] = running[k] - sum[k];  // log N(h_k; 0, I)

  const double width = 560, height = 360, left = 72, right = width - 24, top = 48, bottom = 306;
  std::vector<double> all = running;
  all.insert(all.end(), base.begin(), base.end());
  all.insert(all.end(), sum.begin(), sum.end());
  const auto [low, high] = padded_range(all, 0.08);
  const double L = std::max(1.0, layers.back());
  const Scale x{0, L, left, right}, y{low, high, bottom, top};
  std::string svg = metrics::svg_open(width, height, "Log-density of this jet, layer by layer", left);
  svg += metrics::svg_y_axis(y, left, right);
  svg += svg_line(left, y(0), right, y(0), "#999", "stroke-dasharray=\"3,3\"");
  const std::pair<const std::vector<double>*, const char*> series[] = {{&sum, kGreen}, {&base, kBlue}, {&running, kRed}};
  for (const auto& [values, color] : series) {
    svg += polyline(layers, *values, x, y, color, 1.8);
    for (std::size_t k = 0; k < layers.size(); ++k) svg += circle(x(layers[k]), y((*values)[k]), 2.8, fmt::format("fill=\"{}\"", color));
  }
  svg += svg_frame(left, top, right, bottom);
  svg += metrics::svg_x_axis(x, bottom, true, static_cast<int>(std::min(L, 10.0)));
  svg += svg_text((left + right) / 2, bottom + 34, "coupling layers applied (0 = the input x, L = the latent z)");
  svg += svg_vertical_label(18, (top + bottom) / 2, "nats");
  double lx = left;
  lx = legend_entry(svg, lx, top - 10, kRed, "running log p");
  lx = legend_entry(svg, lx, top - 10, kBlue, "log N(h; 0, I)");
  legend_entry(svg, lx, top - 10, kGreen, "Σ log|det J| so far");
  return svg + "</svg>\n";
}

std::string svg_feature_grid(const FeatureGrid& grid) {
  const std::size_t rows = grid.colors.size(), features = rows == 0 ? 0 : grid.colors[0].size();
  const double cell_w = std::clamp(820.0 / static_cast<double>(std::max<std::size_t>(features, 1)), 6.0, 28.0);
  const double cell_h = rows > 24 ? 10 : 16;
  const double left = 64, top = 32, grid_bottom = top + cell_h * static_cast<double>(rows);
  const double width = std::max(520.0, left + cell_w * static_cast<double>(features) + 24), height = grid_bottom + 74;
  std::string svg = metrics::svg_open(width, height, grid.title, 16);
  svg += "<g shape-rendering=\"crispEdges\">\n";
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t f = 0; f < features; ++f)
      svg += rect(left + cell_w * static_cast<double>(f), top + cell_h * static_cast<double>(r), cell_w, cell_h,
                  grid.colors[r][f]);
  svg += "</g>\n";
  // White lines between the cells, so that neighbours of equal colour stay apart.
  for (std::size_t f = 1; f < features; ++f) {
    const double px = left + cell_w * static_cast<double>(f);
    svg += svg_line(px, top, px, grid_bottom, "white", "stroke-width=\"0.6\"");
  }
  for (std::size_t r = 0; r < rows; ++r) {
    const double py = top + cell_h * static_cast<double>(r);
    if (r > 0) svg += svg_line(left, py, left + cell_w * static_cast<double>(features), py, "white");
    if (rows <= 24 || r % 5 == 0) svg += svg_text(left - 6, py + cell_h / 2 + 4, fmt::format("layer {}", r), "end");
  }
  svg += svg_frame(left, top, left + cell_w * static_cast<double>(features), grid_bottom);
  for (double f : metrics::nice_ticks(0, static_cast<double>(features) - 1, static_cast<int>(std::min<std::size_t>(features, 12)))) {
    const double px = left + cell_w * (f + 0.5);
    svg += svg_line(px, grid_bottom, px, grid_bottom + 4, "#333");
    svg += svg_text(px, grid_bottom + 15, fmt::format("{}", static_cast<int64_t>(std::lround(f))));
  }
  svg += svg_text(left, grid_bottom + 32, grid.x_label, "start");
  // The legend: swatches, then the colour bar.
  double lx = left;
  const double ly = grid_bottom + 56;
  for (const auto& [color, meaning] : grid.swatches) {
    svg += rect(lx, ly - 10, 12, 12, color) + svg_frame(lx, ly - 10, lx + 12, ly + 2);
    svg += svg_text(lx + 17, ly, meaning, "start");
    lx += 17 + kSvgCharWidth * static_cast<double>(metrics::utf8_length(meaning)) + 18;
  }
  if (grid.bar_max > 0) {
    svg += svg_text(lx, ly, "0", "start");
    lx += 10;
    const int steps = 24;
    const double bar_w = 144;
    for (int k = 0; k < steps; ++k)
      svg += rect(lx + bar_w * k / steps, ly - 10, bar_w / steps + 0.4, 12, metrics::palette_color((k + 0.5) / steps));
    svg += svg_frame(lx, ly - 10, lx + bar_w, ly + 2);
    svg += svg_text(lx + bar_w + 5, ly, fmt::format("{:.3g} {}", grid.bar_max, grid.bar_label), "start");
  }
  return svg + "</svg>\n";
}

namespace {

// One square panel of svg_jet_pair with its top-left corner at (x0, y0).
std::string jet_panel(const JetPicture& picture, double x0, double y0, double side) {
  const std::size_t n = std::min({picture.x.size(), picture.y.size(), picture.size.size()});
  std::vector<std::size_t> shown;
  double reach = 0;
  for (std::size_t i = 0; i < n; ++i)
    if (picture.size[i] > 0 && std::isfinite(picture.x[i]) && std::isfinite(picture.y[i])) {
      shown.push_back(i);
      reach = std::max({reach, std::fabs(picture.x[i]), std::fabs(picture.y[i])});
    }
  reach = reach > 0 ? reach * 1.15 : 1.0;
  const Scale x{-reach, reach, x0, x0 + side}, y{-reach, reach, y0 + side, y0};
  std::string svg = svg_text(x0, y0 - 8, picture.title, "start", "font-weight=\"bold\"");
  svg += metrics::svg_y_axis(y, x0, x0 + side);
  svg += svg_line(x(0), y0, x(0), y0 + side, "#e4e4e4");
  // Largest markers first, so that small ones stay visible on top; marker area ∝ size.
  std::sort(shown.begin(), shown.end(), [&](std::size_t a, std::size_t b) { return picture.size[a] > picture.size[b]; });
  for (std::size_t i : shown) {
    const double r = std::max(1.2, 14.0 * std::sqrt(std::min(1.0, picture.size[i] / picture.size_max)));
    svg += circle(x(picture.x[i]), y(picture.y[i]), r,
                  fmt::format("fill=\"{}\" fill-opacity=\"0.45\" stroke=\"{}\" stroke-width=\"0.8\"", kRed, kRed));
  }
  svg += svg_frame(x0, y0, x0 + side, y0 + side);
  svg += metrics::svg_x_axis(x, y0 + side, true, 5);
  svg += svg_text(x0 + side / 2, y0 + side + 32, picture.x_label);
  svg += svg_vertical_label(x0 - 46, y0 + side / 2, picture.y_label);
  return svg + svg_text(x0 + side, y0 + side + 48, fmt::format("{} of {} drawn", shown.size(), n), "end",
                        "fill=\"#555\"");
}

}  // namespace

std::string svg_jet_pair(const std::string& title, const JetPicture& left, const JetPicture& right) {
  const double side = 330, top = 52;
  std::string svg = metrics::svg_open(880, top + side + 58, title, 16);
  svg += jet_panel(left, 70, top, side);
  svg += jet_panel(right, 70 + side + 110, top, side);
  return svg + "</svg>\n";
}

std::string svg_spline_plot(const SplineCurve& curve, double traced_in, double traced_out) {
  const double left = 64, right = 404, top = 48, bottom = 388, d_top = 402, d_bottom = 472;
  const double B = curve.tail_bound, reach = 1.25 * B;
  const Scale x{-reach, reach, left, right}, y{-reach, reach, bottom, top};
  std::string svg = metrics::svg_open(460, 520, fmt::format("Spline of layer {}, feature {}", curve.layer, curve.feature), left);
  svg += metrics::svg_y_axis(y, left, right);
  svg += svg_line(x(-reach), y(-reach), x(reach), y(reach), "#aaa", "stroke-dasharray=\"4,3\"");  // the identity
  for (double edge : {-B, B}) {  // inside [-B, B] the spline, outside the identity tails
    svg += svg_line(x(edge), top, x(edge), d_bottom, "#bbb", "stroke-dasharray=\"2,3\"");
    svg += svg_text(x(edge) + 3, bottom - 6, edge < 0 ? "−B" : "B", "start", "fill=\"#777\"");
  }
  svg += polyline(curve.grid_x, curve.grid_y, x, y, kBlue, 2);
  // Tangents of slope d_k through the knots; x and y share one scale, so (1, d) is the direction on screen too.
  const SplineKnots& k = curve.knots;
  for (std::size_t i = 0; i < k.x.size(); ++i) {
    const double norm = std::hypot(1.0, k.derivative[i]), half = 18;
    const double dx = half / norm, dy = half * k.derivative[i] / norm;
    svg += svg_line(x(k.x[i]) - dx, y(k.y[i]) + dy, x(k.x[i]) + dx, y(k.y[i]) - dy, kOrange, "stroke-width=\"2.2\"");
  }
  for (std::size_t i = 0; i < k.x.size(); ++i) svg += circle(x(k.x[i]), y(k.y[i]), 3.5, "fill=\"#222\"");
  if (std::isfinite(traced_in) && std::isfinite(traced_out)) {
    const double px = x(traced_in), py = y(traced_out);
    svg += svg_line(px, bottom, px, py, kRed, "stroke-dasharray=\"3,2\"") + svg_line(left, py, px, py, kRed, "stroke-dasharray=\"3,2\"");
    svg += circle(px, py, 5, fmt::format("fill=\"none\" stroke=\"{}\" stroke-width=\"2\"", kRed));
  }
  svg += svg_frame(left, top, right, bottom);
  svg += metrics::svg_x_axis(x, bottom, false);
  svg += svg_vertical_label(18, (top + bottom) / 2, "y = g(x)");
  double lx = left;
  lx = legend_entry(svg, lx, top - 12, kBlue, "g(x)");
  lx = legend_entry(svg, lx, top - 12, "#222", "knots", true);
  lx = legend_entry(svg, lx, top - 12, kOrange, "slopes d_k");
  legend_entry(svg, lx, top - 12, kRed, "this jet", true);

  // The derivative g'(x) below, on [0, 1.1 max].
  double d_max = 0;
  for (double d : curve.grid_derivative) d_max = std::max(d_max, d);
  for (double d : k.derivative) d_max = std::max(d_max, d);
  const Scale yd{0, d_max > 0 ? d_max * 1.1 : 1, d_bottom, d_top};
  svg += metrics::svg_y_axis(yd, left, right, 2);
  svg += polyline(curve.grid_x, curve.grid_derivative, x, yd, kBlue, 1.6);
  for (std::size_t i = 0; i < k.x.size(); ++i) svg += circle(x(k.x[i]), yd(k.derivative[i]), 3, fmt::format("fill=\"{}\"", kOrange));
  svg += svg_frame(left, d_top, right, d_bottom);
  svg += metrics::svg_x_axis(x, d_bottom, true);
  svg += svg_vertical_label(18, (d_top + d_bottom) / 2, "g′(x)");
  svg += svg_text((left + right) / 2, d_bottom + 34, "x: the feature entering the layer");
  return svg + "</svg>\n";
}

}  // namespace flowjet::flows

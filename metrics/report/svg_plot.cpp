// SVG step plots with a ratio panel, and heatmaps (svg_plot.h). Coordinates are in the 460 x 360
// viewBox; every number is written with one decimal, which is finer than a pixel.
#include "metrics/report/svg_plot.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

#include "engine/core/error.h"
#include "metrics/report/utf8.h"

namespace flowjet::metrics {

namespace {

constexpr double kWidth = 460, kHeight = 360;
constexpr double kLeft = 64, kTop = 30;
constexpr double kStepTop = 44;    // step plots: title, then the legend line, then the panel
constexpr double kCharWidth = 6.3;  // average advance of an 11 px sans-serif character, for layout

std::string svg_open(const std::string& title) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" "
      "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\" role=\"img\">\n<title>{2}</title>\n"
      "<rect width=\"{0}\" height=\"{1}\" fill=\"white\"/>\n"
      "<text x=\"{3}\" y=\"18\" font-size=\"13\" font-weight=\"bold\">{2}</text>\n",
      kWidth, kHeight, xml_escape(title), kLeft);
}

std::string text(double x, double y, const std::string& content, const char* anchor = "middle",
                 const std::string& extra = "") {
  return fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"{}\"{}>{}</text>\n", x, y, anchor,
                     extra.empty() ? "" : " " + extra, xml_escape(content));
}

// "2e-05" -> "2e-5", "1.5e+04" -> "1.5e4".
std::string compact_exponent(std::string s) {
  const size_t e = s.find('e');
  if (e == std::string::npos) return s;
  std::string mantissa = s.substr(0, e), exponent = s.substr(e + 1);
  const bool negative = exponent[0] == '-';
  if (exponent[0] == '-' || exponent[0] == '+') exponent.erase(0, 1);
  exponent.erase(0, std::min(exponent.find_first_not_of('0'), exponent.size() - 1));
  return mantissa + "e" + (negative ? "-" : "") + exponent;
}

// Tick label for a multiple of `step`: fixed notation with just enough decimals, or scientific
// for very small or large magnitudes.
std::string tick_label(double value, double step, double magnitude) {
  if (std::fabs(value) < step * 1e-9) return "0";
  if (magnitude >= 1e4 || step < 1e-3) return compact_exponent(fmt::format("{:.2g}", value));
  const int decimals = std::max(0, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
  return fmt::format("{:.{}f}", value, decimals);
}

// "10⁻³" for 10^-3, with Unicode superscripts.
std::string power_of_ten(int exponent) {
  static const char* const digits[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
  std::string out = "10";
  if (exponent < 0) out += "⁻";
  const std::string magnitude = std::to_string(std::abs(exponent));
  for (const char d : magnitude) out += digits[d - '0'];
  return out;
}

// Maps data values to one pixel axis, linear or logarithmic.
struct Scale {
  double low, high;  // data range
  double from, to;   // pixels
  bool log = false;
  double operator()(double v) const {
    double t;
    if (log) {
      if (!(v > 0)) return from;
      t = (std::log10(v) - std::log10(low)) / (std::log10(high) - std::log10(low));
    } else {
      t = (v - low) / (high - low);
    }
    return from + std::clamp(t, 0.0, 1.0) * (to - from);
  }
};

// Ticks, tick labels and grid lines of a y axis on [x0, x1] at the given scale.
std::string y_axis(const Scale& y, double x0, double x1, int target = 5) {
  std::string out;
  std::vector<std::pair<double, std::string>> ticks;
  if (y.log) {
    for (int e = static_cast<int>(std::ceil(std::log10(y.low) - 1e-9));
         e <= static_cast<int>(std::floor(std::log10(y.high) + 1e-9)); ++e)
      ticks.emplace_back(std::pow(10.0, e), power_of_ten(e));
  } else {
    const auto values = nice_ticks(y.low, y.high, target);
    const double step = values.size() > 1 ? values[1] - values[0] : 1.0;
    for (const double v : values) ticks.emplace_back(v, tick_label(v, step, std::max(std::fabs(y.low), std::fabs(y.high))));
  }
  for (const auto& [value, label] : ticks) {
    const double py = y(value);
    out += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#e4e4e4\"/>\n", x0, py,
                       x1, py);
    out += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#333\"/>\n", x0 - 4, py,
                       x0, py);
    out += text(x0 - 6, py + 3.5, label, "end");
  }
  return out;
}

// Ticks and labels of an x axis under y_bottom (labels only when `labels`).
std::string x_axis(const Scale& x, double y_bottom, bool labels) {
  std::string out;
  const auto values = nice_ticks(x.low, x.high, 6);
  const double step = values.size() > 1 ? values[1] - values[0] : 1.0;
  for (const double v : values) {
    const double px = x(v);
    out += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#333\"/>\n", px,
                       y_bottom, px, y_bottom + 4);
    if (labels) out += text(px, y_bottom + 15, tick_label(v, step, std::max(std::fabs(x.low), std::fabs(x.high))));
  }
  return out;
}

std::string frame(double x0, double y0, double x1, double y1) {
  return fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"none\" "
                     "stroke=\"#333\"/>\n", x0, y0, x1 - x0, y1 - y0);
}

std::string vertical_label(double x, double y, const std::string& label) {
  return text(x, y, label, "middle", fmt::format("transform=\"rotate(-90 {:.1f} {:.1f})\"", x, y));
}

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

// Viridis-like palette: t in [0, 1] -> colour, linear between five anchors of matplotlib's viridis.
std::string palette(double t) {
  static const std::array<std::array<double, 3>, 5> anchors = {
      {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}}};
  t = std::clamp(t, 0.0, 1.0) * 4.0;
  const int i = std::min(3, static_cast<int>(t));
  const double f = t - i;
  std::array<int, 3> c{};
  for (int k = 0; k < 3; ++k) c[k] = static_cast<int>(std::lround(anchors[i][k] + f * (anchors[i + 1][k] - anchors[i][k])));
  return fmt::format("#{:02x}{:02x}{:02x}", c[0], c[1], c[2]);
}

}  // namespace

std::string xml_escape(const std::string& text_in) {
  std::string out;
  for (const char c : text_in) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::vector<double> nice_ticks(double low, double high, int target) {
  if (!(high > low) || !std::isfinite(low) || !std::isfinite(high) || target < 1) return {};
  const double rough = (high - low) / target;
  const double power = std::pow(10.0, std::floor(std::log10(rough)));
  double step = power;
  for (const double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * power;
    if (step >= rough) break;
  }
  std::vector<double> ticks;
  for (double k = std::ceil(low / step - 1e-9); k * step <= high + step * 1e-9; k += 1.0)
    ticks.push_back(std::fabs(k) < 0.5 ? 0.0 : k * step);
  return ticks;
}

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

  std::string svg = svg_open(plot.title);
  svg += y_axis(y, kLeft, right);
  for (const auto& s : plot.series) {
    const std::string d = step_path(s.values, x, y, b);
    if (s.filled)
      svg += fmt::format("<path d=\"{}\" fill=\"{}\" fill-opacity=\"0.25\" stroke=\"{}\" stroke-width=\"1.2\"/>\n", d,
                         s.color, s.color);
    else
      svg += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.6\"/>\n", d, s.color);
  }
  svg += frame(kLeft, kStepTop, right, main_bottom);
  svg += x_axis(x, main_bottom, !plot.ratio_panel);
  svg += vertical_label(16, (kStepTop + main_bottom) / 2, plot.y_label);

  if (plot.ratio_panel) {
    const Scale r{0.0, 2.0, ratio_bottom, ratio_top};
    svg += y_axis(r, kLeft, right, 2);
    svg += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#888\" "
                       "stroke-dasharray=\"3,3\"/>\n", kLeft, r(1.0), right, r(1.0));
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
    svg += frame(kLeft, ratio_top, right, ratio_bottom);
    svg += x_axis(x, ratio_bottom, true);
    svg += vertical_label(16, (ratio_top + ratio_bottom) / 2, "ratio");
  }
  svg += text((kLeft + right) / 2, kHeight - 8, plot.x_label);

  // Legend: one line between the title and the panel, so that it never hides data.
  double lx = kLeft;
  const double ly = kStepTop - 8;
  for (const auto& s : plot.series) {
    svg += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
                       "stroke-width=\"{}\"/>\n", lx, ly - 4, lx + 18, ly - 4, s.color, s.filled ? 6 : 2);
    svg += text(lx + 22, ly, s.label, "start");
    lx += 22 + kCharWidth * static_cast<double>(utf8_length(s.label)) + 14;
  }
  for (const auto& note : plot.legend_notes) {
    svg += text(lx, ly, note, "start", "font-weight=\"bold\"");
    lx += kCharWidth * static_cast<double>(utf8_length(note)) + 14;
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

  std::string svg = svg_open(plot.title);
  svg += "<g shape-rendering=\"crispEdges\">\n";
  for (int iy = 0; iy < h.y.bins; ++iy)
    for (int ix = 0; ix < h.x.bins; ++ix) {
      const double v = density[static_cast<size_t>(iy) * h.x.bins + ix];
      if (!(v > 0) || !(top > 0)) continue;
      const double x0 = x(h.x.edge(ix)), x1 = x(h.x.edge(ix + 1));
      const double y0 = y(h.y.edge(iy + 1)), y1 = y(h.y.edge(iy));
      // Cells overlap by a fraction of a pixel so no hairline gaps show between them.
      svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"/>\n", x0, y0,
                         x1 - x0 + 0.4, y1 - y0 + 0.4, palette(color_position(v)));
    }
  svg += "</g>\n";
  svg += frame(kLeft, kTop, right, bottom);
  svg += x_axis(x, bottom, true);
  svg += y_axis(y, kLeft, kLeft);
  svg += text((kLeft + right) / 2, kHeight - 14, plot.x_label);
  svg += vertical_label(16, (kTop + bottom) / 2, plot.y_label);

  // Colour bar: `decades` decades of density below the top of the scale.
  const double bar_x = 396, bar_width = 12, steps = 40;
  for (int k = 0; k < steps; ++k) {
    const double t0 = k / steps, t1 = (k + 1) / steps;
    const double y0 = bottom - t1 * (bottom - kTop), y1 = bottom - t0 * (bottom - kTop);
    svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"/>\n", bar_x,
                       y0, bar_width, y1 - y0 + 0.4, palette((t0 + t1) / 2));
  }
  svg += frame(bar_x, kTop, bar_x + bar_width, bottom);
  if (top > 0) {
    for (int e = static_cast<int>(std::ceil(log_top - decades - 1e-9)); e <= static_cast<int>(std::floor(log_top + 1e-9));
         ++e) {
      const double py = bottom - (e - (log_top - decades)) / decades * (bottom - kTop);
      svg += text(bar_x + bar_width + 3, py + 3.5, power_of_ten(e), "start", "font-size=\"10\"");
    }
  }
  svg += text(bar_x + bar_width / 2, kTop - 6, "density", "middle", "font-size=\"10\"");
  return svg + "</svg>\n";
}

}  // namespace flowjet::metrics

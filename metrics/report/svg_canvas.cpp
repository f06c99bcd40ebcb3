// SVG drawing pieces (svg_canvas.h).
#include "metrics/report/svg_canvas.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

namespace flowjet::metrics {

namespace {

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

}  // namespace

double Scale::operator()(double v) const {
  double t;
  if (log) {
    if (!(v > 0)) return from;
    t = (std::log10(v) - std::log10(low)) / (std::log10(high) - std::log10(low));
  } else {
    t = (v - low) / (high - low);
  }
  return from + std::clamp(t, 0.0, 1.0) * (to - from);
}

std::string svg_open(double width, double height, const std::string& title, double title_x) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" "
      "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\" role=\"img\">\n<title>{2}</title>\n"
      "<rect width=\"{0}\" height=\"{1}\" fill=\"white\"/>\n"
      "<text x=\"{3}\" y=\"18\" font-size=\"13\" font-weight=\"bold\">{2}</text>\n",
      width, height, xml_escape(title), title_x);
}

std::string svg_text(double x, double y, const std::string& content, const char* anchor, const std::string& extra) {
  return fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"{}\"{}>{}</text>\n", x, y, anchor,
                     extra.empty() ? "" : " " + extra, xml_escape(content));
}

std::string svg_vertical_label(double x, double y, const std::string& label) {
  return svg_text(x, y, label, "middle", fmt::format("transform=\"rotate(-90 {:.1f} {:.1f})\"", x, y));
}

std::string svg_line(double x1, double y1, double x2, double y2, const std::string& stroke, const std::string& extra) {
  return fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\"{}/>\n", x1, y1, x2,
                     y2, stroke, extra.empty() ? "" : " " + extra);
}

std::string svg_frame(double x0, double y0, double x1, double y1) {
  return fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"none\" "
                     "stroke=\"#333\"/>\n", x0, y0, x1 - x0, y1 - y0);
}

std::string svg_y_axis(const Scale& y, double x0, double x1, int target) {
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
    out += svg_line(x0, py, x1, py, "#e4e4e4");
    out += svg_line(x0 - 4, py, x0, py, "#333");
    out += svg_text(x0 - 6, py + 3.5, label, "end");
  }
  return out;
}

std::string svg_x_axis(const Scale& x, double y_bottom, bool labels, int target) {
  std::string out;
  const auto values = nice_ticks(x.low, x.high, target);
  const double step = values.size() > 1 ? values[1] - values[0] : 1.0;
  for (const double v : values) {
    const double px = x(v);
    out += svg_line(px, y_bottom, px, y_bottom + 4, "#333");
    if (labels) out += svg_text(px, y_bottom + 15, tick_label(v, step, std::max(std::fabs(x.low), std::fabs(x.high))));
  }
  return out;
}

std::string palette_color(double t) {
  static const std::array<std::array<double, 3>, 5> anchors = {
      {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}}};
  t = std::clamp(t, 0.0, 1.0) * 4.0;
  const int i = std::min(3, static_cast<int>(t));
  const double f = t - i;
  std::array<int, 3> c{};
  for (int k = 0; k < 3; ++k) c[k] = static_cast<int>(std::lround(anchors[i][k] + f * (anchors[i + 1][k] - anchors[i][k])));
  return fmt::format("#{:02x}{:02x}{:02x}", c[0], c[1], c[2]);
}

std::string power_of_ten(int exponent) {
  static const char* const digits[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
  std::string out = "10";
  if (exponent < 0) out += "⁻";
  const std::string magnitude = std::to_string(std::abs(exponent));
  for (const char d : magnitude) out += digits[d - '0'];
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

}  // namespace flowjet::metrics

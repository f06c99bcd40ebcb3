// The drawing pieces every inline SVG figure shares (the evaluation report's plots, bin/inspect's
// page): the <svg> element, text, lines, axes with round ticks, frames and a viridis-like palette.
// Plain SVG text, no scripts and no external resources; coordinates with one decimal, finer than a pixel.
#pragma once

#include <string>
#include <vector>

namespace flowjet::metrics {

/// Average advance of an 11 px sans-serif character, for laying out text whose width SVG cannot measure.
constexpr double kSvgCharWidth = 6.3;

/// Maps data values [low, high] to pixels [from, to] (to < from for y axes, which grow downwards),
/// linearly or logarithmically; values outside the range are clamped to its ends (log: <= 0 maps to `from`).
struct Scale {
  double low, high;
  double from, to;
  bool log = false;
  double operator()(double value) const;
};

/// The opening <svg> tag of a width x height figure (scalable through its viewBox) with its <title>, a white
/// background and the title drawn bold at (title_x, 18). Close it with "</svg>\n".
std::string svg_open(double width, double height, const std::string& title, double title_x);

/// A <text> element at (x, y), anchored "start", "middle" or "end"; `extra` is more attributes. Escapes `content`.
std::string svg_text(double x, double y, const std::string& content, const char* anchor = "middle",
                     const std::string& extra = "");

/// Text rotated by -90 degrees about (x, y): the label of a y axis.
std::string svg_vertical_label(double x, double y, const std::string& label);

/// A <line> from (x1, y1) to (x2, y2) in `stroke`; `extra` is more attributes (e.g. stroke-width="2").
std::string svg_line(double x1, double y1, double x2, double y2, const std::string& stroke,
                     const std::string& extra = "");

/// An unfilled rectangle outlining a panel.
std::string svg_frame(double x0, double y0, double x1, double y1);

/// Ticks, tick labels and light grid lines across [x0, x1] of a y axis (log scales: one tick per decade).
std::string svg_y_axis(const Scale& y, double x0, double x1, int target = 5);

/// Ticks of an x axis under y_bottom, with their labels when `labels`.
std::string svg_x_axis(const Scale& x, double y_bottom, bool labels, int target = 6);

/// Viridis-like palette: t in [0, 1] (clamped) -> "#rrggbb", linear between five anchors of matplotlib's viridis.
std::string palette_color(double t);

/// "10⁻³" for 10^-3, with Unicode superscripts.
std::string power_of_ten(int exponent);

/// Round tick values ("1, 2, 5 x 10^k" steps) inside [low, high], about `target` of them.
std::vector<double> nice_ticks(double low, double high, int target = 5);

/// Text for SVG/HTML: &, <, >, " and ' replaced by entities.
std::string xml_escape(const std::string& text);

}  // namespace flowjet::metrics

// The HTML report and its SVG figures: one <svg> per figure, no scripts or external resources,
// escaped text, the metrics table, and the plot helpers' checks.
#include <string>

#include <doctest/doctest.h>

#include "engine/core/error.h"
#include "metrics/report/html_report.h"
#include "metrics/report/svg_plot.h"
#include "tests/metrics/sample_jets.h"

using namespace flowjet;
using namespace flowjet::metrics;

namespace {

size_t count_of(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("metrics/html_report: one <svg> per figure, metrics table, no script, no external resource") {
  const JetArray real = testing::sample_jets("g", 400);
  const JetArray gen = testing::sample_jets("q", 300);
  EvaluationOptions options;
  options.preset = Preset::Full;
  options.metrics = parse_metric_selection("w1m,w1p,w1efp");
  const EvaluationResult result = evaluate(real, gen, options);
  ReportOptions report;
  report.title = "g <vs> q & \"friends\"";
  report.gen_source = "gen<1>.h5";
  const std::string html = html_report(real, gen, result, report);

  CHECK(report_figure_count(30) == 31);  // 3 x (all + 5 ranks) + mass + multiplicity + 5 EFPs + 6 heatmaps
  CHECK(count_of(html, "<svg") == 31);
  CHECK(count_of(html, "</svg>") == 31);
  CHECK(count_of(html, "<script") == 0);
  CHECK(count_of(html, "http://") == count_of(html, "xmlns=\"http://www.w3.org/2000/svg\""));  // only the SVG namespace
  CHECK(count_of(html, "https://") == 0);
  CHECK(count_of(html, "<img") == 0);
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("<meta charset=\"utf-8\">") != std::string::npos);
  CHECK(html.find("g &lt;vs&gt; q &amp; &quot;friends&quot;") != std::string::npos);
  CHECK(html.find("gen&lt;1&gt;.h5") != std::string::npos);
  CHECK(html.find("<th>W1M ×10⁻³</th>") != std::string::npos);
  CHECK(html.find("W1 = ") != std::string::npos);
  CHECK(count_of(html, "W1 = ") == 25);  // every 1-D plot carries its W1
  CHECK(html.find("jet mass") != std::string::npos);
  CHECK(html.find("30th particle") != std::string::npos);
}

TEST_CASE("metrics/html_report: ranks beyond the particle count are left out") {
  JetArray real(5, 8), gen(5, 8);
  for (int64_t j = 0; j < 5; ++j)
    for (int64_t i = 0; i < 8 - j; ++i) {
      real.eta_rel(j, i) = gen.eta_rel(j, i) = 0.01 * static_cast<double>(i + j);
      real.phi_rel(j, i) = gen.phi_rel(j, i) = -0.02 * static_cast<double>(i);
      real.pt_rel(j, i) = 0.3 / static_cast<double>(i + 1);
      gen.pt_rel(j, i) = 0.25 / static_cast<double>(i + 1);
    }
  EvaluationOptions options;
  options.preset = Preset::Full;
  options.metrics = parse_metric_selection("w1m");
  const std::string html = html_report(real, gen, evaluate(real, gen, options));
  CHECK(report_figure_count(8) == 3 * 3 + 2 + 5 + 6);  // all, 1st, 5th
  CHECK(count_of(html, "<svg") == static_cast<size_t>(report_figure_count(8)));
  CHECK(html.find("10th particle") == std::string::npos);
}

TEST_CASE("metrics/svg_plot: step plot checks its series and escapes text") {
  StepPlot plot;
  plot.title = "a < b";
  plot.binning = Binning{0, 1, 3};
  plot.series = {{"real", {1, 2, 3}, "#444", true}, {"gen & co", {1, 2, 6}, "#d00", false}};
  plot.legend_notes = {"W1 = 0.5"};
  const std::string svg = svg_step_plot(plot);
  CHECK(svg.rfind("<svg", 0) == 0);
  CHECK(svg.find("a &lt; b") != std::string::npos);
  CHECK(svg.find("gen &amp; co") != std::string::npos);
  CHECK(svg.find("a < b") == std::string::npos);
  plot.series[1].values = {1, 2};
  CHECK_THROWS_AS(svg_step_plot(plot), ShapeError);
  plot.series.resize(1);
  CHECK_THROWS_AS(svg_step_plot(plot), ShapeError);  // a ratio panel needs two series
  plot.ratio_panel = false;
  plot.log_y = true;
  CHECK_NOTHROW(svg_step_plot(plot));
}

TEST_CASE("metrics/svg_plot: nice ticks are round and inside the range") {
  const auto check_ticks = [](const std::vector<double>& got, const std::vector<double>& expected) {
    REQUIRE(got.size() == expected.size());
    for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(expected[i]).epsilon(1e-12));
  };
  check_ticks(nice_ticks(0.0, 1.0, 5), {0.0, 0.2, 0.4, 0.6, 0.8, 1.0});
  check_ticks(nice_ticks(-0.35, 0.35, 6), {-0.2, 0.0, 0.2});
  check_ticks(nice_ticks(-0.35, 0.35, 8), {-0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3});
  check_ticks(nice_ticks(0.0, 30.0, 6), {0, 5, 10, 15, 20, 25, 30});
  check_ticks(nice_ticks(2e-5, 3.3e-3, 5), {0.001, 0.002, 0.003});
  CHECK(nice_ticks(-0.35, 0.35, 8)[3] == 0.0);  // exactly zero, not a rounding residue
  CHECK(nice_ticks(1.0, 1.0).empty());
  CHECK(xml_escape("<a href='x'>&\"") == "&lt;a href=&#39;x&#39;&gt;&amp;&quot;");
}

TEST_CASE("metrics/svg_plot: heatmap draws only non-empty cells") {
  HeatmapPlot plot;
  plot.title = "eta-phi";
  plot.histogram = histogram_2d({0.1, 0.1, 0.9}, {0.1, 0.1, 0.9}, Binning{0, 1, 4}, Binning{0, 1, 4});
  const std::string svg = svg_heatmap(plot);
  // 2 filled cells + background + frame + 40 colour-bar steps + colour-bar frame.
  CHECK(count_of(svg, "<rect") == 2 + 1 + 1 + 40 + 1);
}

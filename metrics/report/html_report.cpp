// The HTML evaluation report (html_report.h): header and metrics tables from the
// EvaluationResult, then figure sections built with histogram.h and svg_plot.h.
#include "metrics/report/html_report.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "engine/core/error.h"
#include "metrics/jets/efp.h"
#include "metrics/jets/jet_mass.h"
#include "metrics/report/histogram.h"
#include "metrics/report/jet_distributions.h"
#include "metrics/report/svg_plot.h"
#include "metrics/w1/wasserstein.h"

namespace flowjet::metrics {

namespace {

constexpr const char* kRealColor = "#4a4a4a";
constexpr const char* kGenColor = "#d62728";
constexpr int64_t kRanks[] = {1, 5, 10, 20, 30};  // particle ranks of the talk's plots (1-based)
const char* const kFeatureNames[3] = {"η_rel", "φ_rel", "pT_rel"};

constexpr const char* kStyle = R"(
body { font-family: Helvetica, Arial, sans-serif; margin: 24px auto; max-width: 1440px; padding: 0 16px; color: #222; }
h1 { font-size: 24px; margin-bottom: 4px; }
h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
p.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid #ccc; padding: 5px 10px; text-align: center; white-space: nowrap; }
th { background: #f2f2f2; }
table.metrics td { font-size: 16px; font-variant-numeric: tabular-nums; }
td.name { text-align: left; }
ul.warnings li { color: #8a4b00; }
.grid { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 12px; }
.grid.pairs { grid-template-columns: repeat(2, minmax(0, 520px)); }
.grid svg { border: 1px solid #eee; width: 100%; height: auto; }
p.note { color: #555; font-size: 13px; max-width: 1000px; }
)";

std::string w1_note(const std::vector<double>& real, const std::vector<double>& gen) {
  if (real.empty() || gen.empty()) return "W1 n/a (a sample is empty)";
  return fmt::format("W1 = {:.3g}", wasserstein_1d(real, gen));
}

// One real-vs-generated step plot of two samples with a ratio panel and the W1 of the samples.
std::string compare_plot(const std::string& title, const std::string& x_label, const std::vector<double>& real,
                         const std::vector<double>& gen, const Binning& binning, bool log_y,
                         const ReportOptions& options) {
  StepPlot plot;
  plot.title = title;
  plot.x_label = x_label;
  plot.binning = binning;
  plot.log_y = log_y;
  plot.series = {{options.real_label, histogram(real, binning).density(), kRealColor, true},
                 {options.gen_label, histogram(gen, binning).density(), kGenColor, false}};
  plot.legend_notes = {w1_note(real, gen)};
  return svg_step_plot(plot);
}

std::string compare_plot(const std::string& title, const std::string& x_label, const std::vector<double>& real,
                         const std::vector<double>& gen, bool log_y, const ReportOptions& options) {
  return compare_plot(title, x_label, real, gen, auto_binning(real, gen, options.bins), log_y, options);
}

std::string ordinal(int64_t n) {
  const char* suffix = (n % 100 >= 11 && n % 100 <= 13) ? "th" : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
  return fmt::format("{}{}", n, suffix);
}

// A heading and its figures in a grid of three columns (or two for real/generated pairs).
std::string section(const std::string& id, const std::string& heading, const std::string& figures,
                    bool pairs = false) {
  return fmt::format("<h2 id=\"{}\">{}</h2>\n<div class=\"grid{}\">\n{}</div>\n", id, xml_escape(heading),
                     pairs ? " pairs" : "", figures);
}

// Column `c` of a [rows, columns] row-major matrix.
std::vector<double> column(const std::vector<double>& matrix, int columns, int c) {
  std::vector<double> out(matrix.size() / static_cast<size_t>(columns));
  for (size_t r = 0; r < out.size(); ++r) out[r] = matrix[r * static_cast<size_t>(columns) + static_cast<size_t>(c)];
  return out;
}

std::string metrics_tables(const EvaluationResult& r) {
  std::string html = "<table class=\"metrics\">\n<tr>";
  const auto cells = table_cells(r);
  for (const auto& [header, cell] : cells) html += "<th>" + xml_escape(header) + "</th>";
  html += "</tr>\n<tr>";
  for (const auto& [header, cell] : cells) html += "<td>" + xml_escape(cell) + "</td>";
  html += "</tr>\n</table>\n";

  // Per-component W1 (the arrays current jetnet returns).
  std::string rows;
  const auto add_rows = [&](const std::optional<BatchedMetric>& metric, const char* name, double scale,
                            const char* unit) {
    if (!metric) return;
    for (size_t c = 0; c < metric->mean.size(); ++c)
      rows += fmt::format("<tr><td class=\"name\">{} {}</td><td>{:.3f} ± {:.3f}</td><td>{}</td></tr>\n", name,
                          xml_escape(metric->component_names[c]), metric->mean[c] * scale, metric->std[c] * scale,
                          unit);
  };
  add_rows(r.w1m, "W1M", 1e3, "×10⁻³");
  add_rows(r.w1p, "W1P", 1e3, "×10⁻³");
  add_rows(r.w1efp, "W1EFP", 1e5, "×10⁻⁵");
  if (!rows.empty())
    html += "<table>\n<tr><th>component</th><th>mean ± std over batches</th><th>unit</th></tr>\n" + rows + "</table>\n";
  return html;
}

std::string settings_note(const EvaluationResult& r) {
  const EvalSettings& s = r.settings;
  std::string w1 = s.preset == Preset::Full
                       ? "W1 metrics on every jet once (one batch)"
                       : fmt::format("W1 metrics on {} batches of {} jets drawn with replacement", s.w1_num_batches,
                                     s.w1_batch_size);
  std::string cov = s.preset == Preset::Full
                        ? fmt::format("COV/MMD once on the first {} jets of each sample", s.cov_n)
                        : fmt::format("COV/MMD on {} batches of {} jets", s.cov_num_batches, s.cov_batch_size);
  std::string note = fmt::format(
      "Preset <b>{}</b>, seed {}. {}; W1P and W1EFP quoted as the mean over components ± the Euclidean norm of the "
      "component stds. {}, argument order {}. FPD and KPD: jetnet 0.2.5 definition, real sample first, unscaled. "
      "Negative pT_rel clipped to 0 before every metric ({} real, {} generated particles). Lower is better except "
      "for COV.",
      preset_name(s.preset), s.seed, w1, cov,
      r.options.order == CovMmdOrder::Jetnet ? "cov_mmd(real, gen) as jetnet defines it"
                                             : "swapped as in the talk, cov_mmd(gen, real)",
      r.real_clipped, r.gen_clipped);
  if (r.fpd_least_squares)
    note += fmt::format(" FPD's exact bounded least-squares intercept (a diagnostic, not jetnet's FPD): {:.3e}.",
                        *r.fpd_least_squares);
  if (!r.fpnd) note += " FPND was not computed.";
  return "<p class=\"note\">" + note + "</p>\n";
}

std::string heatmap_pair(const std::string& name, const std::string& x_label, const std::string& y_label,
                         const std::vector<double>& real_x, const std::vector<double>& real_y,
                         const std::vector<double>& gen_x, const std::vector<double>& gen_y, const Binning& bx,
                         const Binning& by, const ReportOptions& options) {
  HeatmapPlot real_plot{fmt::format("{}: {}", name, options.real_label), x_label, y_label,
                        histogram_2d(real_x, real_y, bx, by)};
  HeatmapPlot gen_plot{fmt::format("{}: {}", name, options.gen_label), x_label, y_label,
                       histogram_2d(gen_x, gen_y, bx, by)};
  const auto max_of = [](const Histogram2D& h) {
    const auto d = h.density();
    return d.empty() ? 0.0 : *std::max_element(d.begin(), d.end());
  };
  // One colour scale for both, so that equal colours mean equal densities.
  real_plot.color_max = gen_plot.color_max = std::max(max_of(real_plot.histogram), max_of(gen_plot.histogram));
  return svg_heatmap(real_plot) + svg_heatmap(gen_plot);
}

}  // namespace

int report_figure_count(int64_t particles) {
  int ranks = 0;
  for (const int64_t rank : kRanks) ranks += rank <= particles ? 1 : 0;
  return 3 * (1 + ranks) + 2 + kNumEfpN4D4 + 6;
}

std::string html_report(const JetArray& real, const JetArray& gen, const EvaluationResult& result,
                        const ReportOptions& options) {
  check_jet_array_shape(real, "html_report: real jets");
  check_jet_array_shape(gen, "html_report: generated jets");
  if (options.bins < 1 || options.bins_2d < 1)
    throw ConfigError(fmt::format("html_report: {} and {} bins, need at least 1", options.bins, options.bins_2d));

  std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
                     xml_escape(options.title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
  html += "<h1>" + xml_escape(options.title) + "</h1>\n";
  const auto source = [](const std::string& label, const std::string& file, int64_t jets) {
    return fmt::format("{}: {}{} jets", xml_escape(label), file.empty() ? "" : xml_escape(file) + ", ", jets);
  };
  html += "<p class=\"meta\">" + source(options.real_label, options.real_source, real.jets) + " · " +
          source(options.gen_label, options.gen_source, gen.jets) + fmt::format(" · {} particles per jet</p>\n",
                                                                                 real.particles);
  html += metrics_tables(result) + settings_note(result);
  if (!result.warnings.empty()) {
    html += "<ul class=\"warnings\">\n";
    for (const auto& warning : result.warnings) html += "<li>" + xml_escape(warning) + "</li>\n";
    html += "</ul>\n";
  }

  // Particle features: all particles, then by rank.
  std::vector<double> real_all[3], gen_all[3];
  std::string figures;
  for (int f = 0; f < 3; ++f) {
    real_all[f] = particle_feature(real, f);
    gen_all[f] = particle_feature(gen, f);
    figures += compare_plot(fmt::format("{}, all particles", kFeatureNames[f]), kFeatureNames[f], real_all[f],
                            gen_all[f], f == 2, options);
  }
  html += section("particles-all", "Particle features, all particles", figures);
  for (const int64_t rank : kRanks) {
    if (rank > std::min(real.particles, gen.particles)) continue;
    figures.clear();
    for (int f = 0; f < 3; ++f)
      figures += compare_plot(fmt::format("{}, {} particle", kFeatureNames[f], ordinal(rank)), kFeatureNames[f],
                              particle_feature_at(real, f, rank - 1), particle_feature_at(gen, f, rank - 1), f == 2,
                              options);
    html += section(fmt::format("particles-{}", rank),
                    fmt::format("Particle features, {} particle (as stored, pT-ordered)", ordinal(rank)), figures);
  }

  // Jet mass and multiplicity.
  const int max_particles = static_cast<int>(std::max(real.particles, gen.particles));
  figures = compare_plot("jet mass", "relative jet mass m/pT", relative_jet_masses(real), relative_jet_masses(gen),
                         false, options);
  figures += compare_plot("particle multiplicity", "particles per jet", multiplicities(real), multiplicities(gen),
                          integer_binning(0, max_particles), false, options);
  html += section("jets", "Jets", figures);

  // The five EFPs of W1EFP.
  const std::vector<double> real_efps = efps_n4d4(real), gen_efps = efps_n4d4(gen);
  figures.clear();
  for (int k = 0; k < kNumEfpN4D4; ++k)
    figures += compare_plot(fmt::format("EFP {} (n = 4, d = 4)", k), fmt::format("EFP {}", k),
                            column(real_efps, kNumEfpN4D4, k), column(gen_efps, kNumEfpN4D4, k), true, options);
  html += section("efps", "Energy flow polynomials", figures);

  // 2-D histograms of all particles, real and generated side by side on one colour scale.
  Binning b[3];
  for (int f = 0; f < 3; ++f) b[f] = auto_binning(real_all[f], gen_all[f], options.bins_2d);
  figures = heatmap_pair("η–φ", kFeatureNames[0], kFeatureNames[1], real_all[0], real_all[1], gen_all[0], gen_all[1],
                         b[0], b[1], options);
  figures += heatmap_pair("φ–pT", kFeatureNames[1], kFeatureNames[2], real_all[1], real_all[2], gen_all[1],
                          gen_all[2], b[1], b[2], options);
  figures += heatmap_pair("η–pT", kFeatureNames[0], kFeatureNames[2], real_all[0], real_all[2], gen_all[0],
                          gen_all[2], b[0], b[2], options);
  html += section("particles-2d", "2-D distributions, all particles", figures, true);
  html += "<p class=\"note\">Histograms are densities normalised to all entries of each sample; the ranges span the "
          "0.1%–99.9% quantiles of both samples together, so a few entries can fall outside. Padding particles "
          "(all features 0) are excluded. The W1 in each legend is computed on the plotted samples (every jet), "
          "not on the metric's batches.</p>\n";
  return html + "</body>\n</html>\n";
}

}  // namespace flowjet::metrics

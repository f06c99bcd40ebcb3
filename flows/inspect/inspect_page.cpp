// The HTML page of bin/inspect --html (inspect_page.h): the sections, their explanations and
// tables, with the figures of inspect_figures.h.
#include "flows/inspect/inspect_page.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "flows/coupling/rqs_coupling.h"
#include "flows/inspect/flow_trace.h"
#include "flows/inspect/inspect_figures.h"
#include "flows/inspect/model_summary.h"
#include "flows/inspect/spline_curve.h"
#include "metrics/report/svg_canvas.h"

namespace flowjet::flows {

using metrics::xml_escape;

namespace {

constexpr const char* kStyle = R"(
body { font-family: Helvetica, Arial, sans-serif; margin: 24px auto; max-width: 1120px; padding: 0 16px; color: #222; }
h1 { font-size: 24px; margin-bottom: 4px; }
h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
p.meta { color: #555; margin-top: 0; }
p, li { line-height: 1.45; max-width: 900px; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
th { background: #f2f2f2; }
td.tree { text-align: left; font-family: Menlo, Consolas, monospace; white-space: pre; }
pre { background: #f7f7f7; padding: 8px; margin: 8px 0; font-size: 13px; overflow-x: auto; }
svg { display: block; max-width: 100%; height: auto; margin: 10px 0; border: 1px solid #eee; }
p.note { color: #555; font-size: 13px; }
div.side { display: flex; flex-wrap: wrap; gap: 8px 28px; align-items: flex-start; }
div.side > svg { flex: none; }
)";

constexpr const char* kHeldColor = "#e6e6e6";
constexpr const char* kTransformedColor = "#3b528b";

std::string section(const std::string& id, const std::string& heading, const std::string& body) {
  return fmt::format("<section id=\"{}\">\n<h2>{}</h2>\n{}</section>\n", id, xml_escape(heading), body);
}

// The table rows to show: down to `depth`, or (depth < 0) coupling layer 0 in full and the rest down to depth 2.
bool row_shown(const SummaryRow& row, int depth) {
  if (depth >= 0) return row.depth <= depth;
  return row.depth <= 2 || row.path.rfind("transforms.0.", 0) == 0;
}

std::string module_section(const Flow& flow, int depth) {
  const ModelSummary summary = summarize_flow(flow);
  std::string body =
      "<p>Every module with its output shape for a batch of B rows and its parameter count (its own and its "
      "children's), as <code>bin/inspect</code> prints it. Each coupling layer holds one conditioner network; ";
  body += depth < 0 ? "the first is listed in full, the others are built the same way.</p>\n"
                    : fmt::format("rows down to depth {}.</p>\n", depth);
  body += "<div class=\"side\">\n<table>\n<tr><th>Layer (type)</th><th>Output shape</th><th>Param #</th></tr>\n";
  for (const SummaryRow& row : summary.rows)
    if (row_shown(row, depth))
      body += fmt::format("<tr><td class=\"tree\">{}</td><td>{}</td><td>{}</td></tr>\n", xml_escape(row_label(row)),
                          xml_escape(row.output_shape), row.parameters > 0 ? group_digits(row.parameters) : "--");
  body += "</table>\n<pre>" + xml_escape(format_hyperparameters(flow.spec())) + "</pre>\n</div>\n";
  body += fmt::format("<p>Total parameters: <b>{}</b> (all trained) · buffers (masks, batch-norm "
                      "statistics; not trained): {} · {:.2f} MB.</p>\n",
                      group_digits(summary.total_parameters), group_digits(summary.buffer_elements),
                      static_cast<double>(summary.parameter_bytes) / 1e6);
  // The leaves of coupling layer 0 that hold parameters, named inside its conditioner.
  const std::string prefix = "transforms.0.conditioner.";
  std::vector<std::pair<std::string, int64_t>> bars;
  for (std::size_t i = 0; i < summary.rows.size(); ++i) {
    const SummaryRow& row = summary.rows[i];
    const bool leaf = i + 1 == summary.rows.size() || summary.rows[i + 1].depth <= row.depth;
    if (leaf && row.parameters > 0 && row.path.rfind(prefix, 0) == 0)
      bars.emplace_back(row.path.substr(prefix.size()), row.parameters);
  }
  body += svg_parameter_bars(
      fmt::format("Parameters of coupling layer 0: {}", group_digits(flow.spec().parameters_per_layer())), bars);
  body += "<p class=\"note\">The final layer is usually the largest: it outputs every parameter of every "
          "transformed feature's map (for a spline with K bins, 3K − 1 numbers per feature).</p>\n";
  return section("modules", "Modules and parameters", body);
}

std::string log_prob_section(const FlowTraceReport& t) {
  double round_trip = 0;
  for (std::size_t i = 0; i < t.input.size(); ++i) round_trip = std::max(round_trip, std::fabs(t.reconstructed[i] - t.input[i]));
  std::string body = fmt::format(
      "<p>The flow maps the jet x to the latent point z = f(x), one coupling layer at a time. After layer l the "
      "<b>running log-probability</b> is log N(h<sub>l</sub>; 0, I) + Σ<sub>k≤l</sub> log|det J<sub>k</sub>|: the "
      "log-density the model would give if the flow ended there. After the last layer it is the model's "
      "log p(x | c) = <b><data id=\"log-prob\" value=\"{:.17g}\">{:.6f}</data></b>. Going back from z through "
      "the inverse layers ends at {:.6f} and returns to x up to {:.2g} (rounding).</p>\n",
      t.log_prob, t.log_prob, t.backward.empty() ? t.log_prob : t.backward.back().running_log_prob, round_trip);
  body += "<div class=\"side\">\n" + svg_log_prob_plot(t);
  body += "<table>\n<tr><th>layer</th><th>held</th><th>transformed</th><th>log|det J|</th><th>running log p</th></tr>\n";
  body += fmt::format("<tr><td>input x</td><td></td><td></td><td></td><td>{:.6f}</td></tr>\n", t.input_base_log_prob);
  for (const TraceStep& s : t.forward)
    body += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.6f}</td><td>{:.6f}</td></tr>\n", s.layer,
                        s.held.size(), s.transformed.size(), s.logabsdet, s.running_log_prob);
  body += "</table>\n</div>\n";
  return section("log-prob", "One jet through the flow: the log-probability layer by layer", body);
}

std::string features_section(const FlowTraceReport& t) {
  FeatureGrid grid;
  grid.title = "How far each layer moved each feature of this jet";
  grid.x_label = "feature";
  double largest = 0;
  for (const TraceStep& s : t.forward)
    for (int64_t f : s.transformed) largest = std::max(largest, std::fabs(s.after[f] - s.before[f]));
  for (const TraceStep& s : t.forward) {
    std::vector<std::string> row(s.before.size(), kHeldColor);
    for (int64_t f : s.transformed)
      row[f] = metrics::palette_color(largest > 0 ? std::fabs(s.after[f] - s.before[f]) / largest : 0);
    grid.colors.push_back(std::move(row));
  }
  grid.swatches = {{kHeldColor, "held (passed through)"}};
  grid.bar_max = largest > 0 ? largest : 1;
  grid.bar_label = "|after − before|";
  const std::string body =
      "<p>A coupling layer splits the features in two: the <b>held</b> ones pass through unchanged and are the input "
      "of the layer's conditioner network, which outputs the parameters of the maps applied to the "
      "<b>transformed</b> ones. Because a transformed feature never influences its own map, the layer is easy to "
      "invert and its Jacobian is triangular: log|det J| is the sum of the transformed features' log-slopes. Each "
      "cell below is one feature in one layer; coloured cells were transformed, by the amount the colour shows.</p>\n" +
      svg_feature_grid(grid);
  return section("features", "Held and transformed features per layer", body);
}

double standard_normal_cdf(double v) { return 0.5 * std::erfc(-v / std::sqrt(2.0)); }

std::string jet_section(const FlowTraceReport& t, const data::StandardScaler* scaler) {
  const std::size_t D = t.input.size();
  if (D % 3 != 0 || (scaler && scaler->columns() < static_cast<int64_t>(D)))
    return section("jet", "The jet before and after the flow",
                   fmt::format("<p class=\"note\">Not drawn: the flow has {} features, not (η, φ, pT) triples of "
                               "particles.</p>\n", D));
  JetPicture before, after;
  before.title = "before: the jet x";
  after.title = "after: the latent point z = f(x)";
  after.x_label = "z of the η slot";
  after.y_label = "z of the φ slot";
  if (scaler) {
    before.x_label = "η_rel";
    before.y_label = "φ_rel";
    before.size_max = 0;
  } else {
    before.x_label = "feature 3p";
    before.y_label = "feature 3p + 1";
  }
  for (std::size_t p = 0; p < D / 3; ++p) {
    for (std::size_t j = 0; j < 3; ++j) {
      const std::size_t c = 3 * p + j;
      const double v = scaler ? scaler->inverse(t.input[c], static_cast<int64_t>(c)) : t.input[c];
      // A marker's area shows pT; where a value can be negative, its standard-normal quantile Φ(value) in (0, 1).
      if (j == 0) before.x.push_back(v), after.x.push_back(t.latent[c]);
      if (j == 1) before.y.push_back(v), after.y.push_back(t.latent[c]);
      if (j == 2) before.size.push_back(scaler ? v : standard_normal_cdf(v)), after.size.push_back(standard_normal_cdf(t.latent[c]));
    }
    if (scaler) before.size_max = std::max(before.size_max, before.size.back());
  }
  std::string body = "<p>The jet's particles in the (η, φ) plane before the flow, and the same slots of the latent "
                     "point after it. ";
  body += scaler ? "Before: marker area ∝ pT_rel (the model's scaler undone; padding and negative pT are not drawn). "
                 : "Before: the flow's inputs as they are (a bare flow has no scaler), marker area ∝ Φ(feature 3p + 2). ";
  body += "After: marker area ∝ Φ(z of the pT slot), the standard-normal quantile, since a latent coordinate can be "
          "negative. A trained flow sends every jet to a cloud that looks like a draw from N(0, I).</p>\n";
  body += svg_jet_pair("The jet before and after the flow", before, after);
  return section("jet", "The jet before and after the flow", body);
}

std::string spline_section(Flow& flow, const Tensor& x, const Tensor& context, const FlowTraceReport& t,
                           const std::optional<std::pair<int64_t, int64_t>>& chosen) {
  const char* heading = "One spline, its knots and derivatives";
  int64_t layer = 0, feature = 0;
  if (chosen) {
    std::tie(layer, feature) = *chosen;
  } else {
    if (!dynamic_cast<RqsCoupling*>(&flow.layer(0)))
      return section("spline", heading,
                     "<p class=\"note\">Not drawn: layer 0 is an affine coupling, whose map of a feature is the straight "
                     "line y = x · scale + shift, with scale and shift from the conditioner.</p>\n");
    feature = flow.layer(0).transform_features().at(0);
  }
  const SplineCurve curve = spline_curve(flow, layer, feature, x, context);
  const TraceStep& step = t.forward.at(static_cast<std::size_t>(layer));
  const double in = step.before.at(static_cast<std::size_t>(feature)), out = step.after.at(static_cast<std::size_t>(feature));
  std::string body = fmt::format(
      "<p>Layer {0} maps feature {1} of this jet with a monotonic rational-quadratic spline: {2} bins between knots "
      "(x<sub>k</sub>, y<sub>k</sub>) on [−B, B] = [−{3:g}, {3:g}] (the widths, heights and the slopes d<sub>k</sub> "
      "at the inner knots come from the conditioner, which read the held features of this jet), and the identity "
      "outside. A slope above 1 stretches the space there and raises log|det J|. This jet's value {4:.4f} enters "
      "and leaves as {5:.4f} (red).</p>\n",
      layer, feature, curve.num_bins, curve.tail_bound, in, out);
  body += svg_spline_plot(curve, in, out);
  return section("spline", heading, body);
}

std::string masks_section(Flow& flow) {
  FeatureGrid grid;
  grid.title = "Masks: which features each layer transforms";
  grid.x_label = "feature";
  for (int64_t l = 0; l < flow.num_layers(); ++l) {
    std::vector<std::string> row(static_cast<std::size_t>(flow.spec().features), kHeldColor);
    for (int64_t f : flow.layer(l).transform_features()) row[static_cast<std::size_t>(f)] = kTransformedColor;
    grid.colors.push_back(std::move(row));
  }
  grid.swatches = {{kTransformedColor, "transformed"}, {kHeldColor, "identity (held)"}};
  const std::string body = fmt::format(
      "<p>The mask of every coupling layer (masks: {}). Over the layers every feature must be transformed "
      "several times, and conditioned on different others, for the flow to model how the features depend on each "
      "other.</p>\n",
      mask_kind_name(flow.spec().mask)) + svg_feature_grid(grid);
  return section("masks", "The masks of all layers", body);
}

}  // namespace

std::string inspect_page(Flow& flow, const Tensor& x, const Tensor& context, const InspectPageOptions& options) {
  const FlowTraceReport trace = trace_flow(flow, x, context);
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<title>flowjet: inside a flow</title>\n<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n";
  html += "<h1>Inside a normalising flow</h1>\n";
  html += "<p class=\"meta\">" + xml_escape(options.model_description) + "<br>traced: " +
          xml_escape(options.jet_description) + "</p>\n";
  html += module_section(flow, options.depth);
  html += log_prob_section(trace);
  html += features_section(trace);
  html += jet_section(trace, options.scaler);
  html += spline_section(flow, x, context, trace, options.spline);
  html += masks_section(flow);
  return html + "</body>\n</html>\n";
}

}  // namespace flowjet::flows

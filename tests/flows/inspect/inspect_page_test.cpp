// bin/inspect's HTML page: every section and figure is there, self-contained, the module table shows
// model_summary's numbers, the traced log p is Flow::log_prob, and bad spline choices are refused.
#include <cmath>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "engine/autograd/recording.h"
#include "engine/core/error.h"
#include "flows/inspect/inspect_page.h"
#include "flows/inspect/model_summary.h"
#include "metrics/report/svg_canvas.h"
#include "tests/flows/inspect/inspect_fixture.h"
#include "tests/support/error_message.h"
#include "tests/support/page_text.h"

using namespace flowjet;
using namespace flowjet::flows;

namespace {

// The text of <section id="id"> ... </section>.
std::string section_of(const std::string& page, const std::string& id) {
  const std::size_t begin = page.find("<section id=\"" + id + "\">");
  REQUIRE_MESSAGE(begin != std::string::npos, "no section " << id);
  return page.substr(begin, page.find("</section>", begin) - begin);
}

// The table row the page shows for a summary row.
std::string table_row(const SummaryRow& row) {
  return "<tr><td class=\"tree\">" + metrics::xml_escape(row_label(row)) + "</td><td>" +
         metrics::xml_escape(row.output_shape) + "</td><td>" +
         (row.parameters > 0 ? group_digits(row.parameters) : "--") + "</td></tr>";
}

// The module table's rows, in order.
std::vector<std::string> table_rows(const std::string& html) {
  std::vector<std::string> rows;
  const std::string begin = "<tr><td class=\"tree\">", end = "</tr>";
  for (std::size_t at = html.find(begin); at != std::string::npos; at = html.find(begin, at + 1))
    rows.push_back(html.substr(at, html.find(end, at) + end.size() - at));
  return rows;
}

}  // namespace

TEST_CASE("inspect/page: every section and figure, no scripts or external resources, the traced log p") {
  std::unique_ptr<Flow> flow = test::non_trivial_flow(CouplingKind::RationalQuadratic);
  const Tensor x = test::trace_row(), c = test::trace_context();
  InspectPageOptions options;
  options.model_description = "model <a & b>";
  options.jet_description = "the test row";
  const std::string page = inspect_page(*flow, x, c, options);
  CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(test::contains(page, "</html>"));
  CHECK(test::contains(page, "model &lt;a &amp; b&gt;"));
  for (const char* id : {"modules", "log-prob", "features", "jet", "spline", "masks"}) {
    CAPTURE(id);
    CHECK(test::count_of(section_of(page, id), "<svg") == 1);
  }
  CHECK(test::count_of(page, "<svg") == 6);  // one figure per section
  CHECK(test::count_of(page, "<svg") == test::count_of(page, "</svg>"));
  for (const char* external : {"<script", "src=", "href=", "<link", "@import", "url("}) CHECK(!test::contains(page, external));
  // The default spline: layer 0 and its first transformed feature, with its knots (K + 1 = 5 dots).
  const int64_t feature = flow->layer(0).transform_features().at(0);
  CHECK(test::contains(page, "Spline of layer 0, feature " + std::to_string(feature)));
  CHECK(test::count_of(section_of(page, "spline"), "fill=\"#222\"") == 5 + 1);  // knots and the legend's dot
  // Masks: one coloured cell per transformed feature per layer, plus the legend's swatch.
  std::size_t transformed = 0;
  for (int64_t l = 0; l < flow->num_layers(); ++l) transformed += flow->layer(l).transform_features().size();
  CHECK(test::count_of(section_of(page, "masks"), "fill=\"#3b528b\"") == transformed + 1);
  // The log-probability the page states is the flow's, to all 17 digits.
  NoGradScope no_grad;
  const double log_prob = flow->log_prob(x, c).to_vector()[0];
  CHECK(test::data_value(page, "log-prob") == log_prob);
  // The same flow and row give the same page.
  CHECK(inspect_page(*flow, x, c, options) == page);
}

TEST_CASE("inspect/page: the module table shows model_summary's rows and totals") {
  std::unique_ptr<Flow> flow = test::non_trivial_flow(CouplingKind::RationalQuadratic);
  const ModelSummary summary = summarize_flow(*flow);
  const std::string page = inspect_page(*flow, test::trace_row(), test::trace_context());
  const std::string modules = section_of(page, "modules");
  CHECK(test::contains(modules, "Total parameters: <b>" + group_digits(summary.total_parameters) + "</b>"));
  // Default: coupling layer 0 in full, the others down to depth 2, in the summary's order.
  std::vector<std::string> expected;
  for (const SummaryRow& row : summary.rows)
    if (row.depth <= 2 || row.path.rfind("transforms.0.", 0) == 0) expected.push_back(table_row(row));
  CHECK(table_rows(modules) == expected);
  CHECK(expected.size() < summary.rows.size());
  // --depth 1: the flow and its list of layers.
  InspectPageOptions options;
  options.depth = 1;
  const std::string shallow = section_of(inspect_page(*flow, test::trace_row(), test::trace_context(), options), "modules");
  CHECK(table_rows(shallow) == std::vector<std::string>{table_row(summary.rows.at(0)), table_row(summary.rows.at(1))});
  // The bars: coupling layer 0's total, as the table has it.
  CHECK(test::contains(modules, "Parameters of coupling layer 0: " + group_digits(summary.rows.at(2).parameters)));
}

TEST_CASE("inspect/page: a chosen spline, an affine flow, and refused spline choices") {
  std::unique_ptr<Flow> flow = test::non_trivial_flow(CouplingKind::RationalQuadratic);
  const Tensor x = test::trace_row(), c = test::trace_context();
  InspectPageOptions options;
  const int64_t feature = flow->layer(2).transform_features().back();
  options.spline = std::make_pair(int64_t{2}, feature);
  CHECK(test::contains(inspect_page(*flow, x, c, options), "Spline of layer 2, feature " + std::to_string(feature)));

  options.spline = std::make_pair(int64_t{3}, int64_t{0});
  CHECK(test::contains(test::error_message<ConfigError>([&] { inspect_page(*flow, x, c, options); }), "layer 3"));
  const int64_t held = flow->layer(1).identity_features().at(0);
  options.spline = std::make_pair(int64_t{1}, held);
  CHECK(test::contains(test::error_message<ConfigError>([&] { inspect_page(*flow, x, c, options); }), "held"));

  // An affine flow: no spline figure by default, a note instead; asking for one is an error.
  std::unique_ptr<Flow> affine = test::non_trivial_flow(CouplingKind::Affine);
  const std::string page = inspect_page(*affine, x, c);
  CHECK(test::count_of(section_of(page, "spline"), "<svg") == 0);
  CHECK(test::contains(section_of(page, "spline"), "affine"));
  CHECK(test::count_of(page, "<svg") == 5);
  options.spline = std::make_pair(int64_t{0}, affine->layer(0).transform_features().at(0));
  CHECK(test::contains(test::error_message<ConfigError>([&] { inspect_page(*affine, x, c, options); }), "affine"));

  // Two rows are not one jet.
  const Tensor two = Tensor::from_vector(std::vector<double>(12, 0.1), Shape{2, 6}, DType::F64);
  const Tensor two_c = Tensor::from_vector(std::vector<double>(4, 0.1), Shape{2, 2}, DType::F64);
  CHECK_THROWS_AS(inspect_page(*flow, two, two_c), ShapeError);
}

// The metric table: the built-in entries, and a test-only metric (mean_pt_metric.h) added as one
// entry, which then shows in selection parsing, evaluate(), the table row and the JSON.
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "engine/core/error.h"
#include "metrics/evaluation/evaluation.h"
#include "tests/metrics/json_parse.h"
#include "tests/metrics/evaluation/mean_pt_metric.h"
#include "tests/metrics/sample_jets.h"

using namespace flowjet;
using namespace flowjet::metrics;
using flowjet::metrics::testing::JsonValue;
using flowjet::metrics::testing::mean_particle_pt;
using flowjet::metrics::testing::mean_pt_metric;
using flowjet::metrics::testing::MeanPtResult;
using flowjet::metrics::testing::parse_json;
using flowjet::metrics::testing::sample_jets;

namespace {

// The built-in table plus the test metric: the one line a new metric adds.
MetricTable table_with_mean_pt() {
  MetricTable table = builtin_metric_table();
  table.push_back(mean_pt_metric());
  return table;
}

std::vector<std::string> names_of(const std::vector<const MetricEntry*>& entries) {
  std::vector<std::string> names;
  for (const MetricEntry* entry : entries) names.push_back(entry->name);
  return names;
}

EvaluationOptions full_options(const MetricTable& table, const std::string& metrics) {
  EvaluationOptions options;
  options.preset = Preset::Full;
  options.cov_n = 20;
  options.metric_table = table;
  options.metrics = parse_metric_selection(metrics, table);
  return options;
}

}  // namespace

TEST_CASE("metrics/evaluation_table: the built-in table, and every preset selects all of it") {
  const MetricTable& table = builtin_metric_table();
  CHECK(metric_names(table) == "w1m,w1p,w1efp,cov_mmd,fpnd,fpd,kpd");
  for (const Preset preset : {Preset::Talk, Preset::Jetnet, Preset::Full})
    CHECK(names_of(selected_metrics(table, MetricSelection{}, preset)) ==
          std::vector<std::string>{"w1m", "w1p", "w1efp", "cov_mmd", "fpnd", "fpd", "kpd"});
  CHECK(metric_selection_string(parse_metric_selection("preset")) == "preset");
  CHECK(parse_metric_selection("preset").preset_default());
  CHECK_THROWS_WITH_AS(selected_metrics(table, MetricSelection({"mean_pt"}), Preset::Talk),
                       doctest::Contains("\"mean_pt\" is not in the metric table"), ConfigError);
}

TEST_CASE("metrics/evaluation_table: an added metric is selected by name, by all, and by the presets that list it") {
  const MetricTable table = table_with_mean_pt();
  CHECK(metric_selection_string(parse_metric_selection("mean_pt,w1m", table)) == "w1m,mean_pt");
  CHECK(metric_selection_string(parse_metric_selection("all", table)) == "w1m,w1p,w1efp,cov_mmd,fpnd,fpd,kpd,mean_pt");
  CHECK_THROWS_WITH_AS(parse_metric_selection("w1m,emd", table),
                       doctest::Contains("unknown metric \"emd\" in \"w1m,emd\" (expected all, preset, or a "
                                         "comma-separated list of w1m, w1p, w1efp, cov_mmd, fpnd, fpd, kpd, mean_pt)"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(parse_metric_selection("mean_pt"), doctest::Contains("unknown metric \"mean_pt\""),
                       ConfigError);  // not in the built-in table
  CHECK(names_of(selected_metrics(table, MetricSelection{}, Preset::Full)).back() == "mean_pt");
  CHECK(names_of(selected_metrics(table, MetricSelection{}, Preset::Talk)).back() == "kpd");
}

TEST_CASE("metrics/evaluation_table: evaluate() computes an added metric; the row and the JSON show it") {
  const JetArray real = sample_jets("g", 100), gen = sample_jets("q", 100);
  const MetricTable table = table_with_mean_pt();
  const EvaluationResult r = evaluate(real, gen, full_options(table, "mean_pt,w1m"));
  JetArray real_clipped = real, gen_clipped = gen;
  clip_negative_pt(real_clipped);
  clip_negative_pt(gen_clipped);
  const double difference = mean_particle_pt(gen_clipped) - mean_particle_pt(real_clipped);
  REQUIRE(r.extra.count("mean_pt") == 1);
  CHECK(std::any_cast<MeanPtResult>(r.extra.at("mean_pt")).gen == mean_particle_pt(gen_clipped));
  REQUIRE(difference != 0.0);

  // The row: the built-in columns, then the added one last (report_position after the built-ins).
  const auto cells = table_cells(r);
  REQUIRE(cells.size() == 9);
  CHECK(cells[0].first == "W1M ×10⁻³");
  CHECK(cells[1].second == "—");
  CHECK(cells[8] == std::pair<std::string, std::string>{"ΔpT ×10⁻³", fmt::format("{:.3f}", difference * 1e3)});
  const std::string row = format_table_row(r);
  CHECK(row.find("KPD  ΔpT ×10⁻³\n") != std::string::npos);
  CHECK(row.find(cells[8].second + "\n") == row.size() - cells[8].second.size() - 1);

  // The JSON: its column after the built-in headline keys, its field after theirs.
  const JsonValue doc = parse_json(to_json(r));
  const std::vector<std::string> keys = doc.keys();
  REQUIRE(keys.size() > 14);
  CHECK(keys[12] == "kpd_std");
  CHECK(keys[13] == "mean_pt");
  CHECK(doc["mean_pt"].number == difference);
  const auto at = [&](const std::string& key) { return std::find(keys.begin(), keys.end(), key) - keys.begin(); };
  CHECK(at("mean_pt_samples") == at("kpd_batches") + 1);
  CHECK(at("warnings") == at("mean_pt_samples") + 1);
  CHECK(doc["mean_pt_samples"].items.size() == 2);
  CHECK(doc["mean_pt_samples"].items[0].number == mean_particle_pt(real_clipped));
  CHECK(doc["seconds"].keys() == std::vector<std::string>{"w1m", "mean_pt"});
  CHECK(doc["settings"]["metrics"].text == "w1m,mean_pt");
}

TEST_CASE("metrics/evaluation_table: an added metric that was not selected is null and \"—\"; NaN is an error") {
  const JetArray real = sample_jets("g", 50);
  const MetricTable table = table_with_mean_pt();
  EvaluationResult r = evaluate(real, real, full_options(table, "w1m"));
  CHECK(r.extra.empty());
  CHECK(table_cells(r).back().second == "—");
  const JsonValue doc = parse_json(to_json(r));
  CHECK(doc["mean_pt"].kind == JsonValue::Kind::Null);
  CHECK(doc["mean_pt_samples"].kind == JsonValue::Kind::Null);
  r.extra["mean_pt"] = MeanPtResult{0.0, std::nan("")};
  CHECK_THROWS_WITH_AS(check_quoted_finite(r, {}), doctest::Contains("ΔpT: not finite (nan)"), NumericError);
}

TEST_CASE("metrics/evaluation_table: entries on the particles run first, then the EFPs once, then the entries on them") {
  const JetArray real = sample_jets("g", 60), gen = sample_jets("t", 60);
  const EvaluationResult r = evaluate(real, gen, full_options(builtin_metric_table(), "kpd,w1efp,cov_mmd,w1m"));
  std::vector<std::string> steps;
  for (const auto& [name, seconds] : r.seconds) steps.push_back(name);
  CHECK(steps == std::vector<std::string>{"w1m", "cov_mmd", "efps", "w1efp", "kpd"});
}

TEST_CASE("metrics/evaluation_table: docs/evaluation.md lists every built-in metric name and JSON key") {
  std::ifstream file("docs/evaluation.md");
  REQUIRE_MESSAGE(file, "docs/evaluation.md (the tests run from the repository root)");
  std::stringstream text;
  text << file.rdbuf();
  const std::string docs = text.str();
  for (const MetricEntry& entry : builtin_metric_table()) {
    std::vector<std::string> keys = {entry.name};
    for (const MetricColumn& column : entry.columns) {
      keys.push_back(column.json_key);
      if (column.has_error) keys.push_back(column.json_key + "_std");
    }
    for (const JsonField& field : entry.json_fields) keys.push_back(field.key);
    for (const std::string& key : keys)
      CHECK_MESSAGE(docs.find("`" + key + "`") != std::string::npos, "docs/evaluation.md lacks `" << key << "`");
  }
}

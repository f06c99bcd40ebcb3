// evaluate(): agreement with direct metric calls, the table row, the JSON keys, clipping,
// warnings and errors, on the committed stand-in samples (data/samples, read from the repo root).
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/core/error.h"
#include "metrics/evaluation/evaluation.h"
#include "metrics/w1/w1_metrics.h"
#include "tests/metrics/json_parse.h"
#include "tests/metrics/sample_jets.h"

using namespace flowjet;
using namespace flowjet::metrics;
using flowjet::metrics::testing::JsonValue;
using flowjet::metrics::testing::parse_json;
using flowjet::metrics::testing::first_jets;
using flowjet::metrics::testing::sample_jets;

namespace {

// FPD and KPD with batches small enough for a unit test.
EvaluationOptions small_options(Preset preset) {
  EvaluationOptions options;
  options.preset = preset;
  options.fpd.min_samples = 100;
  options.fpd.max_samples = 300;
  options.fpd.num_points = 3;
  options.fpd.num_batches = 2;
  options.kpd.num_batches = 3;
  options.kpd.batch_size = 100;
  return options;
}

BatchedMetric metric_of(std::vector<std::vector<double>> batches) {
  BatchedMetric metric;
  metric.batch_values = std::move(batches);
  aggregate_batches(metric);
  return metric;
}

// Splits a table line into cells separated by two or more spaces; start columns in `starts`.
std::vector<std::string> cells(const std::string& line, std::vector<size_t>* starts) {
  std::vector<std::string> out;
  size_t column = 0, i = 0;
  while (i < line.size()) {
    size_t spaces = 0;
    while (i + spaces < line.size() && line[i + spaces] == ' ') ++spaces;
    if (spaces > 0 && (spaces >= 2 || out.empty())) {
      i += spaces;
      column += spaces;
      continue;
    }
    starts->push_back(column);
    std::string cell;
    while (i < line.size() && !(line[i] == ' ' && i + 1 < line.size() && line[i + 1] == ' ')) {
      if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) ++column;
      cell += line[i++];
    }
    out.push_back(cell);
  }
  return out;
}

}  // namespace

TEST_CASE("metrics/evaluation: table row in the talk's scaled units, aligned under the header") {
  EvaluationResult r;
  r.w1m = metric_of({{0.4e-3}, {0.6e-3}});                        // 0.5e-3 +- 0.1e-3
  r.w1p = metric_of({{1e-3, 2e-3, 3e-3}, {1e-3, 2e-3, 3e-3}});    // mean of means 2e-3, std 0
  r.cov_mmd = CovMmdResult{};
  r.cov_mmd->cov = 0.5625;
  r.cov_mmd->mmd = 0.0371;
  r.fpd = FpdResult{};
  r.fpd->value = 2.5e-3;
  r.fpd->error = 1.2e-4;
  const std::string table = format_table_row(r);
  const size_t newline = table.find('\n');
  REQUIRE(newline != std::string::npos);
  REQUIRE(table.back() == '\n');
  const std::string header = table.substr(0, newline), row = table.substr(newline + 1, table.size() - newline - 2);
  std::vector<size_t> header_starts, row_starts;
  CHECK(cells(header, &header_starts) ==
        std::vector<std::string>{"W1M ×10⁻³", "W1P ×10⁻³", "W1EFP ×10⁻⁵", "FPND", "COV", "MMD", "FPD", "KPD"});
  CHECK(cells(row, &row_starts) == std::vector<std::string>{"0.50 ± 0.10", "2.00 ± 0.00", "—", "—", "0.56",
                                                            "0.037", "2.50e-03 ± 1.2e-04", "—"});
  CHECK(header_starts == row_starts);
}

TEST_CASE("metrics/evaluation: W1P quoted as mean of feature means +- norm of feature stds (metric-definitions.md §3)") {
  const BatchedMetric m = metric_of({{1.0, 2.0, 4.0}, {3.0, 2.0, 0.0}});  // means 2, 2, 2; stds 1, 0, 2
  CHECK(quoted(m).value == doctest::Approx(2.0));
  CHECK(quoted(m).error == doctest::Approx(std::sqrt(5.0)));
}

TEST_CASE("metrics/evaluation: the full preset equals the direct metric calls") {
  const JetArray real = sample_jets("g", 300), gen = sample_jets("q", 250);
  EvaluationOptions options = small_options(Preset::Full);
  options.cov_n = 40;
  options.seed = 7;
  const EvaluationResult r = evaluate(real, gen, options);

  const BatchPlan all = identity_batch(real.jets, gen.jets);
  REQUIRE(r.w1m);
  CHECK(r.w1m->batch_values == w1m(real, gen, all).batch_values);
  CHECK(r.w1m->std == std::vector<double>{0.0});
  CHECK(r.w1p->mean == w1p(real, gen, all).mean);
  CHECK(r.w1efp->mean == w1efp(real, gen, all).mean);
  const CovMmdResult cm = cov_mmd(first_jets(real, 40), first_jets(gen, 40), identity_batch(40, 40));
  CHECK(r.cov_mmd->cov == cm.cov);
  CHECK(r.cov_mmd->mmd == cm.mmd);
  CHECK(r.cov_mmd->cov_batches.size() == 1);

  FpdOptions fpd_options = options.fpd;
  fpd_options.seed = 7;
  KpdOptions kpd_options = options.kpd;
  kpd_options.seed = 7;
  const FeatureMatrix fr = fpd_kpd_jet_features(real), fg = fpd_kpd_jet_features(gen);
  CHECK(r.fpd->value == fpd(fr, fg, fpd_options).value);
  CHECK(r.kpd->value == kpd(fr, fg, kpd_options).value);
  REQUIRE(r.fpd_least_squares);
  CHECK(*r.fpd_least_squares >= 0.0);
  CHECK_FALSE(r.fpnd);
  CHECK(r.real_jets == 300);
  CHECK(r.gen_jets == 250);
}

TEST_CASE("metrics/evaluation: g vs q samples give finite, positive numbers under the talk preset") {
  const JetArray real = sample_jets("g", 2000), gen = sample_jets("q", 2000);
  EvaluationOptions options = small_options(Preset::Talk);
  options.metrics = parse_metric_selection("w1m,w1p,w1efp,fpd,kpd");
  const EvaluationResult r = evaluate(real, gen, options);
  for (const auto* metric : {&r.w1m, &r.w1p, &r.w1efp}) {
    REQUIRE(*metric);
    CHECK(std::isfinite(quoted(**metric).value));
    CHECK(quoted(**metric).value > 0.0);
    CHECK(quoted(**metric).error > 0.0);  // 5 resampled batches differ
    CHECK((*metric)->batch_values.size() == 5);
  }
  CHECK(std::isfinite(r.fpd->value));
  CHECK(std::isfinite(r.kpd->value));
  CHECK_FALSE(r.cov_mmd);
  // The same batches as the metric functions under the same settings (W1EFP from the shared EFPs).
  const EvalSettings settings = preset_settings(Preset::Talk);
  CHECK(r.w1m->batch_values == w1m(real, gen, settings).batch_values);
  CHECK(r.w1p->batch_values == w1p(real, gen, settings).batch_values);
  CHECK(r.w1efp->batch_values == w1efp(real, gen, settings).batch_values);
  // 2,000 jets: jetnet's 50,000-jet warning and the 10,000-jet batches repeating jets.
  bool repeat_warning = false, size_warning = false;
  for (const auto& w : r.warnings) {
    repeat_warning |= w.find("drawn with replacement") != std::string::npos;
    size_warning |= w.find("recommends at least 50,000") != std::string::npos;
  }
  CHECK(repeat_warning);
  CHECK(size_warning);
}

TEST_CASE("metrics/evaluation: JSON has the issue's keys first, null where not computed, and the settings") {
  const JetArray real = sample_jets("g", 200), gen = sample_jets("t", 200);
  EvaluationOptions options = small_options(Preset::Full);
  options.cov_n = 20;
  options.metrics = parse_metric_selection("w1m,cov_mmd");
  options.order = CovMmdOrder::Talk;
  options.jet_type = 'g';
  const EvaluationResult r = evaluate(real, gen, options);
  const JsonValue doc = parse_json(to_json(r, {"real \"g\".h5", "gen.h5"}));
  const std::vector<std::string> required = {"w1m", "w1m_std", "w1p", "w1p_std", "w1efp", "w1efp_std", "fpnd",
                                             "cov", "mmd",     "fpd",   "fpd_std", "kpd",   "kpd_std"};
  const std::vector<std::string> keys = doc.keys();
  REQUIRE(keys.size() > required.size());
  CHECK(std::vector<std::string>(keys.begin(), keys.begin() + 13) == required);
  CHECK(doc["w1m"].number == quoted(*r.w1m).value);
  CHECK(doc["w1m_std"].number == 0.0);
  CHECK(doc["cov"].number == r.cov_mmd->cov);
  CHECK(doc["mmd"].number == r.cov_mmd->mmd);
  for (const char* absent : {"w1p", "w1p_std", "w1efp", "w1efp_std", "fpnd", "fpd", "fpd_std", "kpd", "kpd_std",
                             "w1p_per_feature", "w1efp_per_efp", "fpd_least_squares", "kpd_batches"})
    CHECK_MESSAGE(doc[absent].kind == JsonValue::Kind::Null, absent);
  const JsonValue& settings = doc["settings"];
  CHECK(settings["real"].text == "real \"g\".h5");
  CHECK(settings["preset"].text == "full");
  CHECK(settings["cov_n"].number == 20);
  CHECK(settings["cov_batch_size"].number == 20);
  CHECK(settings["cov_mmd_order"].text == "talk");
  CHECK(settings["jet_type"].text == "g");
  CHECK(settings["fpnd_dir"].kind == JsonValue::Kind::Null);
  CHECK(settings["fpnd_device"].text == "cpu");
  CHECK(settings["metrics"].text == "w1m,cov_mmd");
  CHECK(settings["seed"].number == 42);
  CHECK(doc["seconds"].has("w1m"));
}

TEST_CASE("metrics/evaluation: per-feature arrays in the JSON") {
  const JetArray real = sample_jets("g", 100), gen = sample_jets("q", 100);
  EvaluationOptions options = small_options(Preset::Full);
  options.metrics = parse_metric_selection("w1p,w1efp");
  const EvaluationResult r = evaluate(real, gen, options);
  const JsonValue doc = parse_json(to_json(r));
  const JsonValue& features = doc["w1p_per_feature"];
  REQUIRE(features["names"].items.size() == 3);
  CHECK(features["names"].items[2].text == "pt_rel");
  for (size_t c = 0; c < 3; ++c) CHECK(features["mean"].items[c].number == r.w1p->mean[c]);
  CHECK(doc["w1efp_per_efp"]["mean"].items.size() == 5);
  CHECK(doc["w1efp_batches"].items.size() == 1);
  CHECK_FALSE(doc["settings"].has("real"));
}

TEST_CASE("metrics/evaluation: negative pt is clipped in both samples first, and said so") {
  const JetArray real = sample_jets("g", 100);
  JetArray gen = sample_jets("q", 100);
  gen.pt_rel(3, 0) = -0.2;
  gen.pt_rel(7, 1) = -0.1;
  EvaluationOptions options;
  options.preset = Preset::Full;
  options.metrics = parse_metric_selection("w1m,cov_mmd");  // COV/MMD would refuse negative pt
  options.cov_n = 10;
  const EvaluationResult r = evaluate(real, gen, options);
  CHECK(r.gen_clipped == 2);
  CHECK(r.real_clipped == 0);
  JetArray clipped = gen;
  clip_negative_pt(clipped);
  CHECK(r.w1m->mean == w1m(real, clipped, identity_batch(100, 100)).mean);
  REQUIRE_FALSE(r.warnings.empty());
  CHECK(r.warnings[0].find("clipped") != std::string::npos);
}

TEST_CASE("metrics/evaluation: errors for NaN input, bad options and unknown metric names") {
  const JetArray real = sample_jets("g", 20);
  JetArray gen = sample_jets("q", 20);
  gen.eta_rel(5, 2) = std::nan("");
  try {
    evaluate(real, gen);
    FAIL("no NumericError");
  } catch (const NumericError& e) {
    const std::string message = e.what();
    CHECK(message.find("generated jets") != std::string::npos);
    CHECK(message.find("jet 5") != std::string::npos);
  }
  EvaluationOptions bad;
  bad.cov_n = 0;
  CHECK_THROWS_AS(evaluate(real, real, bad), ConfigError);
  bad = EvaluationOptions{};
  bad.jet_type = 'w';
  CHECK_THROWS_AS(evaluate(real, real, bad), ConfigError);
  CHECK_THROWS_WITH_AS(parse_metric_selection("w1m,w1x"), doctest::Contains("w1x"), ConfigError);
  CHECK_THROWS_AS(parse_metric_selection(""), ConfigError);
  CHECK(metric_selection_string(parse_metric_selection("all")) == "w1m,w1p,w1efp,cov_mmd,fpnd,fpd,kpd");
  CHECK(metric_selection_string(parse_metric_selection("kpd,w1m")) == "w1m,kpd");
}

TEST_CASE("metrics/evaluation: a sample of only zero padding, or values far out of range, fail before any metric") {
  const JetArray real = sample_jets("g", 20);
  JetArray zeros(20, real.particles);
  CHECK_THROWS_WITH_AS(evaluate(real, zeros, {}, {"g.h5", "zeros.h5"}),
                       "evaluate: generated jets zeros.h5: every particle of the 20 jets is zero (all padding), so "
                       "there are no particles to compare",
                       DataError);
  CHECK_THROWS_WITH_AS(evaluate(zeros, real), doctest::Contains("evaluate: real jets: every particle"), DataError);
  JetArray huge = real;
  huge.pt_rel(3, 1) = 5e9;
  CHECK_THROWS_WITH_AS(evaluate(real, huge, {}, {"g.h5", "huge.h5"}),
                       doctest::Contains("evaluate: generated jets huge.h5: pt_rel = 5000000000 in jet 3 (particle 1) is "
                                         "out of range (|value| <= 1000)"),
                       DataError);
}

TEST_CASE("metrics/evaluation: a quoted number that is not finite is an error naming the metric and the inputs") {
  EvaluationResult result;
  result.w1m = metric_of({{1e-3}, {2e-3}});
  result.cov_mmd = CovMmdResult{};
  CHECK_NOTHROW(check_quoted_finite(result, {"g.h5", "gen.h5"}));
  result.w1p = metric_of({{1.0, 2.0, 3.0}});
  result.w1p->combined_mean = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH_AS(check_quoted_finite(result, {"g.h5", "gen.h5"}),
                       "W1P: not finite (inf) for samples real=g.h5 gen=gen.h5: are the particle features finite and "
                       "in range?",
                       NumericError);
  result.w1p.reset();
  result.kpd = KpdResult{};
  result.kpd->error = std::nan("");
  CHECK_THROWS_WITH_AS(check_quoted_finite(result, {}), doctest::Contains("KPD: not finite (nan) for samples "
                                                                          "real=(in memory) gen=(in memory)"),
                       NumericError);
}

TEST_CASE("metrics/evaluation: the thread count applies to the call only") {
  const int before = num_threads();
  const JetArray real = sample_jets("g", 50);
  EvaluationOptions options;
  options.preset = Preset::Full;
  options.metrics = parse_metric_selection("w1m");
  options.threads = 1;
  const EvaluationResult r = evaluate(real, real, options);
  CHECK(r.threads == 1);
  CHECK(num_threads() == before);
  CHECK(r.w1m->mean[0] == 0.0);
}

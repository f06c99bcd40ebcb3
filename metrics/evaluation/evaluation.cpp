// evaluate(): input checks, the talk's negative-pt clipping (metric-definitions.md §2), then each selected
// entry of the metric table under the preset, timed, with its warnings collected.
#include "metrics/evaluation/evaluation.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>

#include <fmt/format.h>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/core/error.h"

namespace flowjet::metrics {

namespace {

// Sets the thread count for the lifetime of the object and restores the previous one.
class ThreadCountScope {
 public:
  explicit ThreadCountScope(int threads) : previous_(num_threads()) {
    if (threads < 0) throw ConfigError(fmt::format("evaluate: threads = {} must be >= 0", threads));
    if (threads > 0) set_num_threads(threads);
  }
  ~ThreadCountScope() { set_num_threads(previous_); }
  ThreadCountScope(const ThreadCountScope&) = delete;
  ThreadCountScope& operator=(const ThreadCountScope&) = delete;

 private:
  int previous_;
};

void add_warnings(EvaluationResult& result, const std::vector<std::string>& warnings) {
  for (const auto& warning : warnings)
    if (std::find(result.warnings.begin(), result.warnings.end(), warning) == result.warnings.end())
      result.warnings.push_back(warning);
}

void timed(EvaluationResult& result, const char* name, const std::function<void()>& compute) {
  const auto start = std::chrono::steady_clock::now();
  compute();
  result.seconds.emplace_back(name, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

// Runs one entry, timed under its name, unless it says it cannot run with these options.
void run_metric(EvaluationResult& result, const MetricEntry& entry, const MetricInputs& inputs) {
  if (entry.unavailable)
    if (const auto reason = entry.unavailable(inputs)) {
      result.warnings.push_back(*reason);
      return;
    }
  timed(result, entry.name.c_str(), [&] { entry.compute(inputs, result); });
}

}  // namespace

// A NaN or infinity means inputs the metric cannot handle: an error naming the metric and the
// inputs rather than a printed "inf ± nan".
void check_quoted_finite(const EvaluationResult& result, const EvaluationInputs& inputs) {
  for (const MetricEntry& entry : result.options.metric_table)
    for (const MetricColumn& column : entry.columns) {
      const std::optional<ValueWithError> quoted_number = column.value(result);
      if (!quoted_number) continue;
      for (const double value : {quoted_number->value, quoted_number->error}) {
        if (!std::isfinite(value))
          throw NumericError(fmt::format("{}: not finite ({}) for samples real={} gen={}: are the particle features "
                                         "finite and in range?",
                                         column.label, value, inputs.real.empty() ? "(in memory)" : inputs.real,
                                         inputs.gen.empty() ? "(in memory)" : inputs.gen));
        if (!column.has_error) break;
      }
    }
}

ValueWithError quoted(const BatchedMetric& metric) { return {metric.combined_mean, metric.combined_std}; }

EvaluationResult evaluate(const JetArray& real_in, const JetArray& gen_in, const EvaluationOptions& options,
                          const EvaluationInputs& inputs) {
  ThreadCountScope thread_scope(options.threads);
  const std::pair<const JetArray*, std::string> samples[] = {
      {&real_in, "evaluate: real jets" + (inputs.real.empty() ? "" : " " + inputs.real)},
      {&gen_in, "evaluate: generated jets" + (inputs.gen.empty() ? "" : " " + inputs.gen)}};
  for (const auto& [jets, what] : samples) {
    check_jet_array_shape(*jets, what);
    check_jet_array_finite(*jets, what);
    check_jet_array_range(*jets, what);
    check_jet_array_has_particles(*jets, what);
  }
  if (options.jet_type && std::string("gqt").find(*options.jet_type) == std::string::npos)
    throw ConfigError(fmt::format("evaluate: jet type '{}' has no FPND statistics (expected g, q or t)",
                                  *options.jet_type));
  if (options.cov_n < 1) throw ConfigError(fmt::format("evaluate: cov_n = {} must be >= 1", options.cov_n));

  EvaluationResult result;
  result.options = options;
  result.settings = preset_settings(options.preset);
  result.settings.seed = options.seed;
  result.settings.cov_n = options.cov_n;
  result.real_jets = real_in.jets;
  result.gen_jets = gen_in.jets;
  result.particles = real_in.particles;
  result.threads = num_threads();

  // The talk clips negative pt in both samples before any metric (metric-definitions.md §2).
  JetArray real = real_in, gen = gen_in;
  result.real_clipped = clip_negative_pt(real);
  result.gen_clipped = clip_negative_pt(gen);
  if (result.real_clipped + result.gen_clipped > 0)
    result.warnings.push_back(fmt::format("negative pt_rel clipped to 0 before every metric: {} particles of the "
                                          "real jets, {} of the generated jets", result.real_clipped,
                                          result.gen_clipped));
  const std::vector<const MetricEntry*> selected =
      selected_metrics(options.metric_table, options.metrics, options.preset);
  std::vector<std::string> names;
  for (const MetricEntry* entry : selected) names.push_back(entry->name);
  result.options.metrics = MetricSelection(std::move(names));
  for (const MetricEntry* entry : selected)
    if (entry->size_warning)
      if (const auto warning = entry->size_warning(result)) add_warnings(result, {*warning});

  MetricInputs metric_inputs{real, gen, options, result.settings};
  for (const MetricEntry* entry : selected)
    if (entry->input == MetricInput::Particles) run_metric(result, *entry, metric_inputs);
  if (std::any_of(selected.begin(), selected.end(),
                  [](const MetricEntry* entry) { return entry->input == MetricInput::Efps; })) {
    // The 36 EFPs with d <= 4 of every jet, once for every entry that uses them.
    FeatureMatrix real_efps, gen_efps;
    timed(result, "efps", [&] {
      real_efps = fpd_kpd_jet_features(real);
      gen_efps = fpd_kpd_jet_features(gen);
    });
    metric_inputs.real_efps = &real_efps;
    metric_inputs.gen_efps = &gen_efps;
    for (const MetricEntry* entry : selected)
      if (entry->input == MetricInput::Efps) run_metric(result, *entry, metric_inputs);
  }
  for (const MetricEntry* entry : selected)
    if (entry->warnings) add_warnings(result, entry->warnings(result));
  check_quoted_finite(result, inputs);
  return result;
}

}  // namespace flowjet::metrics

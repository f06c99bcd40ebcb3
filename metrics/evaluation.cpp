// evaluate(): input checks, the talk's negative-pt clipping (metric-definitions.md §2), then each selected
// metric under the preset, timed, with its warnings collected.
#include "metrics/evaluation.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <sstream>

#include <fmt/format.h>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/core/error.h"
#include "metrics/bounded_line_fit.h"
#include "metrics/efp.h"
#include "metrics/fpnd.h"
#include "metrics/fpnd_resources.h"
#include "metrics/w1_metrics.h"

namespace flowjet::metrics {

namespace {

struct NamedFlag {
  const char* name;
  bool MetricSelection::*flag;
};
constexpr NamedFlag kMetricNames[] = {
    {"w1m", &MetricSelection::w1m},         {"w1p", &MetricSelection::w1p}, {"w1efp", &MetricSelection::w1efp},
    {"cov_mmd", &MetricSelection::cov_mmd}, {"fpnd", &MetricSelection::fpnd}, {"fpd", &MetricSelection::fpd},
    {"kpd", &MetricSelection::kpd},
};

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

// The five n = 4, d = 4 EFPs (W1EFP's) out of the 36 with d <= 4: [rows, 5].
std::vector<double> n4d4_columns(const FeatureMatrix& efps) {
  std::vector<double> out(static_cast<size_t>(efps.rows * kNumEfpN4D4));
  for (int64_t r = 0; r < efps.rows; ++r)
    for (int k = 0; k < kNumEfpN4D4; ++k)
      out[static_cast<size_t>(r * kNumEfpN4D4 + k)] = efps.values[static_cast<size_t>(r * efps.cols + kEfpN4D4InD4[k])];
  return out;
}

void timed(EvaluationResult& result, const char* name, const std::function<void()>& compute) {
  const auto start = std::chrono::steady_clock::now();
  compute();
  result.seconds.emplace_back(name, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

// Warnings for batches larger than the samples they are drawn from (indices repeat).
void preset_size_warnings(EvaluationResult& result) {
  const EvalSettings& s = result.settings;
  const int64_t smaller = std::min(result.real_jets, result.gen_jets);
  const MetricSelection& m = result.options.metrics;
  if (s.preset == Preset::Full) {
    if (m.cov_mmd && smaller < s.cov_n)
      result.warnings.push_back(fmt::format("preset full: COV/MMD uses {} jets of a sample, fewer than cov_n = {}",
                                            smaller, s.cov_n));
    return;
  }
  if ((m.w1m || m.w1p || m.w1efp) && smaller < s.w1_batch_size)
    result.warnings.push_back(fmt::format(
        "preset {}: W1 batches of {} jets are drawn with replacement from samples of {} real and {} generated "
        "jets, so jets repeat within a batch", preset_name(s.preset), s.w1_batch_size, result.real_jets,
        result.gen_jets));
  if (m.cov_mmd && smaller < s.cov_batch_size)
    result.warnings.push_back(fmt::format("preset {}: COV/MMD batches of {} jets are larger than a sample of {} jets",
                                          preset_name(s.preset), s.cov_batch_size, smaller));
}

}  // namespace

MetricSelection parse_metric_selection(const std::string& list) {
  if (list == "all") return MetricSelection{};
  MetricSelection selection;
  for (const auto& named : kMetricNames) selection.*named.flag = false;
  std::stringstream stream(list);
  std::string name;
  bool any = false;
  while (std::getline(stream, name, ',')) {
    const auto* found = std::find_if(std::begin(kMetricNames), std::end(kMetricNames),
                                     [&](const NamedFlag& named) { return name == named.name; });
    if (found == std::end(kMetricNames))
      throw ConfigError(fmt::format("unknown metric \"{}\" in \"{}\" (expected all, or a comma-separated list of "
                                    "w1m, w1p, w1efp, cov_mmd, fpnd, fpd, kpd)", name, list));
    selection.*found->flag = true;
    any = true;
  }
  if (!any) throw ConfigError("empty metric list (expected all, or names such as w1m,w1p)");
  return selection;
}

std::string metric_selection_string(const MetricSelection& selection) {
  std::string out;
  for (const auto& named : kMetricNames)
    if (selection.*named.flag) out += (out.empty() ? "" : ",") + std::string(named.name);
  return out;
}

// A NaN or infinity means inputs the metric cannot handle: an error naming the metric and the
// inputs rather than a printed "inf ± nan".
void check_quoted_finite(const EvaluationResult& result, const EvaluationInputs& inputs) {
  std::vector<std::pair<const char*, double>> quoted_numbers;
  const std::pair<const char*, const std::optional<BatchedMetric>*> w1[] = {
      {"W1M", &result.w1m}, {"W1P", &result.w1p}, {"W1EFP", &result.w1efp}};
  for (const auto& [name, metric] : w1)
    if (*metric) quoted_numbers.insert(quoted_numbers.end(), {{name, (*metric)->combined_mean}, {name, (*metric)->combined_std}});
  if (result.cov_mmd) quoted_numbers.insert(quoted_numbers.end(), {{"COV", result.cov_mmd->cov}, {"MMD", result.cov_mmd->mmd}});
  if (result.fpnd) quoted_numbers.push_back({"FPND", *result.fpnd});
  if (result.fpd) quoted_numbers.insert(quoted_numbers.end(), {{"FPD", result.fpd->value}, {"FPD", result.fpd->error}});
  if (result.kpd) quoted_numbers.insert(quoted_numbers.end(), {{"KPD", result.kpd->value}, {"KPD", result.kpd->error}});
  for (const auto& [name, value] : quoted_numbers)
    if (!std::isfinite(value))
      throw NumericError(fmt::format("{}: not finite ({}) for samples real={} gen={}: are the particle features "
                                     "finite and in range?",
                                     name, value, inputs.real.empty() ? "(in memory)" : inputs.real,
                                     inputs.gen.empty() ? "(in memory)" : inputs.gen));
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
  preset_size_warnings(result);

  const EvalSettings& settings = result.settings;
  const MetricSelection& selected = options.metrics;
  if (selected.w1m) timed(result, "w1m", [&] { result.w1m = w1m(real, gen, settings); });
  if (selected.w1p) timed(result, "w1p", [&] { result.w1p = w1p(real, gen, settings); });
  if (selected.cov_mmd)
    timed(result, "cov_mmd", [&] { result.cov_mmd = cov_mmd(real, gen, settings, options.order); });
  if (selected.fpnd) {
    // FPND needs the reference statistics of one jet type and jetnet's ParticleNet weights (metric-definitions.md §9):
    // the given directory, else the default one (fpnd_resources.h). Without a jet type, or when the
    // default directory is not found, it stays unset (null in JSON) with a warning saying why.
    const std::string fpnd_dir = options.fpnd_dir.empty() ? default_fpnd_directory() : options.fpnd_dir;
    if (!options.jet_type)
      result.warnings.push_back("FPND not computed: no jet type (g, q or t) given");
    else if (options.fpnd_dir.empty() && !has_fpnd_resources(fpnd_dir))
      result.warnings.push_back(fmt::format("FPND not computed: no pnet_state_dict.pt in {} (set FLOWJET_FPND_DIR "
                                            "or --fpnd-dir to the FPND resources)", fmt::join(fpnd_search_path(), ", ")));
    else
      timed(result, "fpnd", [&] {
        result.options.fpnd_dir = fpnd_dir;  // the settings name the directory used
        FpndOptions fpnd_options;
        fpnd_options.directory = fpnd_dir;
        // The talk's jetnet 0.1.1 used every generated jet; current jetnet caps at 50,000 (metric-definitions.md §1, 9.1).
        fpnd_options.max_jets = options.preset == Preset::Talk ? 0 : 50000;
        fpnd_options.device = options.fpnd_device;
        // A GPU needs large batches to be busy (1,000 jets: ~0.5 GB of per-edge intermediates); the CPU
        // default keeps them in cache. The batch size does not change the result.
        if (options.fpnd_device == Device::CUDA) fpnd_options.batch_size = 1000;
        result.fpnd = fpnd(gen, *options.jet_type, fpnd_options, &result.warnings);
      });
  }
  if (selected.w1efp || selected.fpd || selected.kpd) {
    // The 36 EFPs with d <= 4 of every jet, once: W1EFP uses five of them, FPD and KPD all.
    FeatureMatrix real_efps, gen_efps;
    timed(result, "efps", [&] {
      real_efps = fpd_kpd_jet_features(real);
      gen_efps = fpd_kpd_jet_features(gen);
    });
    if (selected.w1efp)
      timed(result, "w1efp", [&] {
        result.w1efp = w1efp_from_efps(n4d4_columns(real_efps), n4d4_columns(gen_efps), settings);
      });
    if (selected.fpd)
      timed(result, "fpd", [&] {
        FpdOptions fpd_options = options.fpd;
        fpd_options.seed = options.seed;
        result.fpd = fpd(real_efps, gen_efps, fpd_options);
        result.fpd_least_squares = bounded_line_fit(result.fpd->x, result.fpd->y).intercept;
      });
    if (selected.kpd)
      timed(result, "kpd", [&] {
        KpdOptions kpd_options = options.kpd;
        kpd_options.seed = options.seed;
        result.kpd = kpd(real_efps, gen_efps, kpd_options);
      });
  }
  for (const auto* metric : {&result.w1m, &result.w1p, &result.w1efp})
    if (*metric) add_warnings(result, (*metric)->warnings);
  if (result.cov_mmd) add_warnings(result, result.cov_mmd->warnings);
  if (result.fpd) add_warnings(result, result.fpd->warnings);
  check_quoted_finite(result, inputs);
  return result;
}

}  // namespace flowjet::metrics

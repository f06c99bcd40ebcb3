// One call that scores generated jets against real jets with the metrics of a metric table
// (evaluation_table.h; built in: W1M, W1P, W1EFP, COV/MMD, FPND, FPD/KPD of metric-definitions.md)
// under one preset, and the two ways of printing the result: the talk's table row (scaled units)
// and a JSON object of raw values. Used by bin/evaluate and at the end of a training run.
#pragma once

#include <any>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/device.h"
#include "metrics/batches/batches.h"
#include "metrics/emd/cov_mmd.h"
#include "metrics/evaluation/evaluation_table.h"
#include "metrics/frechet/fpd_kpd.h"
#include "metrics/jets/jet_array.h"

namespace flowjet::metrics {

struct EvaluationOptions {
  Preset preset = Preset::Talk;
  int64_t cov_n = 500;  ///< full preset: COV/MMD on the first cov_n jets of each sample
  /// Seed of every random draw: the W1 and COV/MMD batches (batches.h) and the FPD/KPD batches
  /// (42 is jetnet's seed for FPD/KPD). Replaces the seeds inside `fpd` and `kpd`.
  uint64_t seed = 42;
  std::optional<char> jet_type;  ///< 'g', 'q' or 't': selects FPND's reference statistics
  /// Directory of the FPND resources; empty: default_fpnd_directory() (fpnd_resources.h), the copy
  /// in the repository unless FLOWJET_FPND_DIR names another.
  std::string fpnd_dir;
  /// Where FPND's ParticleNet runs (FpndOptions::device); the other metrics always run on the CPU.
  Device fpnd_device = Device::CPU;
  CovMmdOrder order = CovMmdOrder::Jetnet;
  /// The metrics that can be selected, and how each is computed and printed.
  MetricTable metric_table = builtin_metric_table();
  MetricSelection metrics;  ///< default: the preset's metrics (every built-in one)
  int threads = 0;  ///< threads for this call (0: keep num_threads(), i.e. FLOWJET_THREADS or all cores)
  FpdOptions fpd;   ///< batch sizes of FPD (jetnet 0.2.5 defaults)
  KpdOptions kpd;   ///< batch sizes of KPD (jetnet 0.2.5 defaults)
};

/// Every number of one evaluation. A metric that was not selected (or, for FPND, not computed)
/// is empty.
struct EvaluationResult {
  EvaluationOptions options;  ///< metrics: the names evaluated (the preset's selection resolved)
  EvalSettings settings;  ///< batch sizes and counts the preset fixed (with options' seed and cov_n)
  int64_t real_jets = 0;
  int64_t gen_jets = 0;
  int64_t particles = 0;
  int64_t real_clipped = 0;  ///< negative pt_rel set to 0 before any metric (metric-definitions.md §2)
  int64_t gen_clipped = 0;
  int threads = 0;  ///< threads the metrics ran on

  std::optional<BatchedMetric> w1m;    ///< component "mass"
  std::optional<BatchedMetric> w1p;    ///< components eta_rel, phi_rel, pt_rel
  std::optional<BatchedMetric> w1efp;  ///< components efp0 .. efp4
  std::optional<CovMmdResult> cov_mmd;
  std::optional<double> fpnd;
  std::optional<FpdResult> fpd;            ///< value: jetnet 0.2.5's FPD (its early-stopping fit)
  std::optional<double> fpd_least_squares;  ///< exact bounded least-squares intercept (diagnostic)
  std::optional<KpdResult> kpd;
  /// Results of metrics without a field above (added through the metric table), by entry name:
  /// what the entry's compute function stored, read back by its own functions with std::any_cast.
  std::map<std::string, std::any> extra;

  std::vector<std::string> warnings;
  std::vector<std::pair<std::string, double>> seconds;  ///< wall time of each metric, in order
};

/// What to record about the inputs in the JSON "settings" (file names; empty: omitted).
struct EvaluationInputs {
  std::string real;
  std::string gen;
};

/// Scores `gen` against `real` with the metrics options.metrics selects from options.metric_table.
/// Both are copied and their negative pt_rel clipped to 0 first, as
/// the talk's evaluation does (the counts are in the result). W1 metrics take (real, gen); COV/MMD
/// follows options.order; FPD and KPD take real first (the normalisation comes from it).
/// Throws ShapeError (shapes), NumericError (NaN/inf, naming the sample and jet), DataError (a value
/// beyond kMaxJetArrayValue, or a sample whose every particle is zero), ConfigError (bad options,
/// or a selected name missing from the table),
/// and NumericError when a quoted number comes out non-finite (naming the metric and `inputs`,
/// the file names; "(in memory)" when empty): such a number is never returned. Warns
/// (result.warnings) for samples smaller than jetnet's 50,000 jets or than the preset's batches.
EvaluationResult evaluate(const JetArray& real, const JetArray& gen, const EvaluationOptions& options = {},
                          const EvaluationInputs& inputs = {});

/// Throws NumericError naming the first column (in table order) whose quoted value or error is NaN
/// or infinite, and
/// `inputs` ("W1P: not finite (inf) for samples real=... gen=...: ..."); evaluate() calls it last.
void check_quoted_finite(const EvaluationResult& result, const EvaluationInputs& inputs);

/// The quoted value of a W1 metric: mean over components of the batch means, ± the Euclidean norm
/// of the components' batch stds (jetnet 0.1.1's averaging, metric-definitions.md §3; for W1M simply mean ± std).
ValueWithError quoted(const BatchedMetric& metric);

/// The talk's table as (header, cell) pairs: the columns of every entry of the result's metric
/// table, in report order ("W1M ×10⁻³" .. "KPD" for the built-in table; see format_table_row).
std::vector<std::pair<std::string, std::string>> table_cells(const EvaluationResult& result);

/// Header line and row of the talk's table (metric-definitions.md §3); built in: W1M x1e3, W1P x1e3,
/// W1EFP x1e5 as mean ± std, then FPND, COV, MMD plain, then FPD and KPD (raw) as value ± error. A metric that
/// was not computed shows "—". Two lines, each ending with a newline, columns aligned.
std::string format_table_row(const EvaluationResult& result);

/// One JSON object of raw (unscaled) values: the columns' keys in report order (built in: w1m,
/// w1m_std, w1p, w1p_std, w1efp, w1efp_std, fpnd, cov, mmd, fpd, fpd_std, kpd, kpd_std; null where
/// not computed or not finite), then the entries' Components fields (per-feature / per-EFP arrays),
/// their Details fields (per-batch values, diagnostics), warnings, timings and settings.
/// The keys are listed in docs/evaluation.md.
std::string to_json(const EvaluationResult& result, const EvaluationInputs& inputs = {});

}  // namespace flowjet::metrics

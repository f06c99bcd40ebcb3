// The seeded batch-resampling loop shared by W1^M, W1^P, W1^EFP and COV/MMD (metric-definitions.md
// §3), the three evaluation presets (talk / jetnet / full) and batch aggregation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/random/sequential_rng.h"

namespace flowjet::metrics {

/// Index lists of one batch: `first` indexes the first argument of a metric (set 1, or the
/// real jets for COV/MMD), `second` the second. Repeats are allowed and count repeatedly.
struct BatchIndices {
  std::vector<int64_t> first;
  std::vector<int64_t> second;
};
/// The batches of one metric call, in order (the explicit-index hook of metric-definitions.md §11.3).
using BatchPlan = std::vector<BatchIndices>;

/// Uniform index draws for the W1 and COV/MMD batches. Any uniform generator matches jetnet
/// (jetnet's is unseeded); flowjet uses SequentialRng (mt19937_64, engine/random) seeded with
/// `seed`, and maps each 64-bit output to {0..n-1} with Lemire's multiply-and-reject method, so
/// the indices are the same on every platform and compiler.
class IndexSampler {
 public:
  explicit IndexSampler(uint64_t seed) : rng_(seed) {}
  /// One index uniform in {0 .. n-1}; n >= 1.
  int64_t draw(int64_t n);
  /// `count` indices uniform in {0 .. n-1}, with replacement.
  std::vector<int64_t> draw(int64_t n, int64_t count);

 private:
  SequentialRng rng_;
};

/// num_batches batches of batch_size indices each, drawn with replacement from {0..n1-1}
/// (first) then {0..n2-1} (second) per batch, from one IndexSampler(seed) (metric-definitions.md §3).
/// Throws ConfigError for batch_size or num_batches < 1, ShapeError for n1 or n2 < 1.
BatchPlan draw_batches(int64_t n1, int64_t n2, int64_t batch_size, int64_t num_batches,
                       uint64_t seed);

/// One batch holding every index once: first = 0..n1-1, second = 0..n2-1.
BatchPlan identity_batch(int64_t n1, int64_t n2);

/// Evaluation presets (metric-definitions.md §1).
enum class Preset {
  Talk,    ///< jetnet 0.1.1 (default): W1 10,000 x 5 averaged over components; COV/MMD 100 x 10
  Jetnet,  ///< current jetnet: W1 50,000 x 5 per component; COV/MMD 100 x 10
  Full,    ///< deterministic: all jets once in one batch; COV/MMD once on the first cov_n jets
};

/// Every number that a preset fixes.
struct EvalSettings {
  Preset preset = Preset::Talk;
  int64_t w1_batch_size = 10000;
  int64_t w1_num_batches = 5;
  int64_t cov_batch_size = 100;
  int64_t cov_num_batches = 10;
  int64_t cov_n = 500;          ///< Full preset: COV/MMD on the first cov_n jets of each set
  bool average_components = true;  ///< talk: W1P/W1EFP quoted as mean of means, norm of stds
  uint64_t seed = 42;           ///< seed of the IndexSampler (W1 and COV/MMD batches)
};

/// Settings of a preset with its defaults.
EvalSettings preset_settings(Preset preset);
/// "talk", "jetnet" or "full"; throws ConfigError naming the value otherwise.
Preset parse_preset(const std::string& name);
/// "talk", "jetnet" or "full".
const char* preset_name(Preset preset);

/// Batches for W1^M / W1^P / W1^EFP under `settings` (Full: identity_batch). `stream`
/// (0, 1, 2, ...) offsets the seed so that different metrics draw different batches.
BatchPlan w1_batch_plan(const EvalSettings& settings, int64_t n1, int64_t n2, uint64_t stream = 0);
/// Batches for COV/MMD (real indices first); Full: one batch of the first min(cov_n, n) jets.
BatchPlan cov_batch_plan(const EvalSettings& settings, int64_t n_real, int64_t n_gen);

/// The per-batch values of a metric and their aggregation (metric-definitions.md §3).
struct BatchedMetric {
  std::vector<std::string> component_names;       ///< e.g. {"eta_rel", "phi_rel", "pt_rel"}
  std::vector<std::vector<double>> batch_values;  ///< [batches][components]
  std::vector<double> mean;                       ///< [components], mean over batches
  std::vector<double> std;                        ///< [components], population std (ddof 0)
  double combined_mean = 0;  ///< (1/C) sum_c mean_c (jetnet 0.1.1 averaging)
  double combined_std = 0;   ///< sqrt(sum_c std_c^2) (not divided by C)
  std::vector<std::string> warnings;
};

/// Fills mean, std, combined_mean and combined_std from batch_values (>= 1 batch).
void aggregate_batches(BatchedMetric& metric);

/// Checks that every index of `plan` lies in range; throws ShapeError naming `what`, the batch
/// and the bad index. Also rejects an empty plan or an empty batch.
void check_batch_plan(const BatchPlan& plan, int64_t n1, int64_t n2, const std::string& what);

/// jetnet's sample-size warning (fewer than 50,000 jets), or "" when both are large enough.
std::string sample_size_warning(const std::string& metric, int64_t n1, int64_t n2);

}  // namespace flowjet::metrics

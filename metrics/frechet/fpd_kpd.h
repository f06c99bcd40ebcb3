// FPD (Fréchet physics distance, extrapolated to infinite sample size) and KPD (kernel physics
// distance, unbiased polynomial-kernel MMD^2) as jetnet 0.2.5 defines them (metric-definitions.md §13).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "metrics/jets/jet_array.h"

namespace flowjet::metrics {

/// Per-jet feature vectors: values [rows, cols] row-major.
struct FeatureMatrix {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<double> values;
};

/// jetnet's get_fpd_kpd_jet_features: the 36 EFPs with d <= 4 of every jet, [jets, 36].
FeatureMatrix fpd_kpd_jet_features(const JetArray& jets);

/// Replaces the random generator for tests (metric-definitions.md §13.9.5): draw call `call` (0, 1, 2, ... in the
/// order of 13.4, real and generated alternating) asks for `size` indices into `n` rows.
using IndexSource = std::function<std::vector<int64_t>(int64_t call, int64_t n, int64_t size)>;

struct FpdOptions {
  int64_t min_samples = 20000;
  int64_t max_samples = 50000;
  int64_t num_points = 10;
  int64_t num_batches = 20;
  bool normalise = true;
  uint64_t seed = 42;
};

struct FpdResult {
  double value = 0;   ///< intercept of jetnet's fit (its FPD)
  double error = 0;   ///< standard error of the intercept
  std::vector<int64_t> batch_sizes;      ///< B_k
  std::vector<double> x, y;              ///< x_k = 1/B_k, y_k = mean FD at B_k
  std::vector<double> batch_distances;   ///< FD_{k,r}, k-major
  std::vector<std::string> warnings;
};

/// The batch sizes of metric-definitions.md §13.5 step 3 (numpy linspace in 1/N, truncated). Throws ConfigError
/// for min or max < 2, num_points < 2, or min == max.
std::vector<int64_t> fpd_batch_sizes(int64_t min_samples, int64_t max_samples, int64_t num_points);

/// FPD(real, gen) (argument order matters: the normalisation comes from `real`). Indices come
/// from one numpy-compatible PCG64 stream seeded with options.seed, or from `indices` if given.
/// Throws ShapeError (feature counts), NumericError (non-finite input, naming the row), ConfigError.
FpdResult fpd(const FeatureMatrix& real, const FeatureMatrix& gen, const FpdOptions& options = {},
              const IndexSource& indices = nullptr);

struct KpdOptions {
  int64_t num_batches = 10;
  int64_t batch_size = 5000;
  bool normalise = true;
  uint64_t seed = 42;
};

struct KpdResult {
  double value = 0;  ///< median of the per-batch MMD^2
  double error = 0;  ///< (Q(83.725) - Q(16.275)) / 2
  std::vector<double> batch_values;
};

/// KPD(real, gen): batch i draws with a fresh numpy-compatible PCG64(seed + 1000 i) (or from
/// `indices`), kernel (a.b / F + 1)^4. Batches run in parallel. Throws as fpd; ConfigError for
/// batch_size < 2 or num_batches < 1.
KpdResult kpd(const FeatureMatrix& real, const FeatureMatrix& gen, const KpdOptions& options = {},
              const IndexSource& indices = nullptr);

}  // namespace flowjet::metrics

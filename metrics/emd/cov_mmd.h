// Coverage (COV) and minimum matching distance (MMD) with the jet EMD, as jetnet's
// cov_mmd(real_jets, gen_jets) defines them (metric-definitions.md §8.2), plus the talk's swapped order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "metrics/batches/batches.h"
#include "metrics/jets/jet_array.h"

namespace flowjet::metrics {

/// Which sample plays "real" in jetnet's cov_mmd(real, gen).
enum class CovMmdOrder {
  Jetnet,  ///< cov_mmd(real, gen): COV = fraction of real jets nearest to some generated jet
  Talk,    ///< cov_mmd(gen, real), as the talk's training code calls it
};

struct CovMmdResult {
  double cov = 0;                   ///< mean over batches of COV (a fraction in [0, 1])
  double mmd = 0;                   ///< mean over batches of MMD (EMD units)
  std::vector<double> cov_batches;  ///< per batch
  std::vector<double> mmd_batches;  ///< per batch
  int64_t both_empty_pairs = 0;     ///< EMDs between two jets of total weight 0 (defined as 0)
  std::vector<std::string> warnings;
};

/// jetnet's cov_mmd on explicit batches: plan[b].first indexes `real`, plan[b].second `gen`.
/// Per batch D[g][r] = EMD(gen_g, real_r); MMD = mean_r min_g D; COV = #distinct argmin_r D[g][.]
/// (lowest index on ties) / number of real positions. EMDs run in parallel over pairs.
/// Throws ShapeError (shapes, indices), NumericError (non-finite), DataError (negative pt_rel).
CovMmdResult cov_mmd(const JetArray& real, const JetArray& gen, const BatchPlan& plan);

/// COV/MMD under a preset: batches from cov_batch_plan (seeded, or the first cov_n jets for
/// Full); with CovMmdOrder::Talk the samples are swapped before anything is drawn.
CovMmdResult cov_mmd(const JetArray& real, const JetArray& gen, const EvalSettings& settings,
                     CovMmdOrder order = CovMmdOrder::Jetnet);

}  // namespace flowjet::metrics

// W1^M, W1^P and W1^EFP between two jet samples (metric-definitions.md §5.2, 6 and 7.4), on an
// explicit batch plan (batches.h) so that fixed index lists reproduce jetnet exactly.
#pragma once

#include <cstdint>
#include <vector>

#include "metrics/batches/batches.h"
#include "metrics/jets/jet_array.h"

namespace flowjet::metrics {

/// W1 between the relative jet masses of each batch. One component ("mass").
/// Throws ShapeError (shapes, plan indices) or NumericError (non-finite input, naming the jet).
BatchedMetric w1m(const JetArray& set1, const JetArray& set2, const BatchPlan& plan);

/// W1 per particle feature (eta_rel, phi_rel, pt_rel) over the particles of each batch's jets,
/// dropping particles whose three features are all exactly 0; +inf if either list is empty.
/// Three components. Throws as w1m.
BatchedMetric w1p(const JetArray& set1, const JetArray& set2, const BatchPlan& plan);

/// W1 per EFP (n = 4, d = 4; five components "efp0".."efp4"). EFPs are computed once per jet.
/// Throws as w1m.
BatchedMetric w1efp(const JetArray& set1, const JetArray& set2, const BatchPlan& plan);

/// The same three metrics under a preset: batches from w1_batch_plan(settings, n1, n2, stream)
/// with stream 0 (w1m), 1 (w1p), 2 (w1efp), and jetnet's warning for samples below 50,000 jets.
/// With settings.average_components the quoted numbers are combined_mean +- combined_std.
BatchedMetric w1m(const JetArray& set1, const JetArray& set2, const EvalSettings& settings);
BatchedMetric w1p(const JetArray& set1, const JetArray& set2, const EvalSettings& settings);
BatchedMetric w1efp(const JetArray& set1, const JetArray& set2, const EvalSettings& settings);

/// W1^EFP under a preset from precomputed EFPs: efps1 [n1, 5], efps2 [n2, 5] as efps_n4d4 returns
/// them (or the kEfpN4D4InD4 columns of efps_d4). Equals w1efp(set1, set2, settings) for the jets
/// they came from; lets a caller that also needs the 36 EFPs (FPD/KPD) compute them once.
BatchedMetric w1efp_from_efps(const std::vector<double>& efps1, const std::vector<double>& efps2,
                              const EvalSettings& settings);

/// The batch loop on precomputed per-jet features: features1 [n1, components],
/// features2 [n2, components]; value[b][c] = W1 of column c over the batch's rows.
BatchedMetric w1_of_jet_features(const std::vector<double>& features1,
                                 const std::vector<double>& features2, int64_t components,
                                 const BatchPlan& plan);

}  // namespace flowjet::metrics

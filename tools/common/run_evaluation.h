// The end-of-run evaluation of bin/train: the one place where a finished run's generated jets are
// compared with the real test jets. It reports W1M and W1P (metrics/w1_metrics.h) until the full
// evaluation library (metrics/evaluation.h: W1M, W1P, W1EFP, FPND, COV, MMD, the talk's table row)
// is wired in here.
#pragma once

#include <ostream>
#include <string>

#include "data/jet_set.h"

namespace flowjet::tools {

/// Compares `generated` with `real` (both with negative pt_rel clipped to 0, training.md §9.6)
/// under the evaluation preset `preset` ("talk", "jetnet" or "full") and prints the results to
/// `out`. Throws ShapeError/NumericError from the metrics for malformed jets.
void evaluate_generated_jets(const data::JetSet& real, const data::JetSet& generated, const std::string& preset,
                             std::ostream& out);

}  // namespace flowjet::tools

// The end-of-run evaluation of bin/train: the one place where a finished run's generated jets are
// compared with the real test jets, through the same library as bin/evaluate (metrics/evaluation.h).
#pragma once

#include <ostream>
#include <string>

#include "data/jet_set.h"

namespace flowjet::tools {

struct RunEvaluationOptions {
  std::string preset = "talk";  // "talk", "jetnet" or "full"
  std::string jet_type;         // "g", "q" or "t": the FPND reference statistics
  std::string fpnd_dir;         // empty: the default FPND resources (metrics/fpnd_resources.h)
  std::string json_path;        // where the raw values go (written atomically); empty: not written
  std::string real_name;        // how the JSON settings name the two samples
  std::string generated_name;
};

/// Compares `generated` with `real` (negative pt_rel clipped to 0 in both, training.md §9.6) and
/// prints the talk's table row (W1M, W1P, W1EFP, FPND, COV, MMD, then FPD and KPD) and the
/// evaluation's warnings to `out`. Throws ShapeError/NumericError from the metrics for malformed jets.
void evaluate_generated_jets(const data::JetSet& real, const data::JetSet& generated,
                             const RunEvaluationOptions& options, std::ostream& out);

}  // namespace flowjet::tools

// The end-of-run evaluation of bin/train: the one place where a finished run's generated jets are
// compared with the real test jets, through the same library as bin/evaluate (metrics/evaluation/evaluation.h).
#pragma once

#include <ostream>
#include <string>

#include "data/jet_set.h"
#include "metrics/evaluation/evaluation.h"
#include "metrics/jets/jet_array.h"

namespace flowjet::tools {

struct RunEvaluationOptions {
  std::string preset = "talk";  // "talk", "jetnet" or "full"
  std::string jet_type;         // "g", "q" or "t": the FPND reference statistics
  std::string fpnd_dir;         // empty: the default FPND resources (metrics/fpnd/fpnd_resources.h)
  std::string json_path;        // where the raw values go (written atomically); empty: not written
  std::string report_path;      // where the HTML report goes (written atomically); empty: not written
  std::string heading = "metrics";  // first word of the printed table's title
  std::string real_name;        // how the JSON settings name the two samples
  std::string generated_name;
};

/// Compares `generated` with `real` (negative pt_rel clipped to 0 in both, training-recipe.md §9.6) and
/// prints the talk's table row (W1M, W1P, W1EFP, FPND, COV, MMD, then FPD and KPD) and the
/// evaluation's warnings to `out`. Throws ShapeError/NumericError from the metrics for malformed jets.
void evaluate_generated_jets(const data::JetSet& real, const data::JetSet& generated,
                             const RunEvaluationOptions& options, std::ostream& out);

/// Writes the self-contained HTML report of an evaluation to `path` (atomically). It shows what the
/// metrics saw: negative pt_rel clipped to 0 in both samples, as evaluate() clipped its own copies.
void write_evaluation_report(const std::string& path, metrics::JetArray real, metrics::JetArray generated,
                             const metrics::EvaluationResult& result, const std::string& real_name,
                             const std::string& generated_name);

}  // namespace flowjet::tools

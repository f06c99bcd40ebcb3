// A test-only metric added through the metric table as docs/architecture.md ("Add a metric")
// says: the difference of the mean particle pt_rel, generated minus real.
#pragma once

#include "metrics/evaluation/evaluation_table.h"

namespace flowjet::metrics::testing {

/// Mean pt_rel over the particles that are not padding (a padded particle is all zero).
double mean_particle_pt(const JetArray& jets);

/// What the entry stores in EvaluationResult::extra["mean_pt"].
struct MeanPtResult {
  double real = 0;
  double gen = 0;
};

/// The entry: name "mean_pt", column "ΔpT ×10⁻³" (JSON "mean_pt"), JSON "mean_pt_samples"
/// ([real, gen]); selected by the full preset only.
MetricEntry mean_pt_metric();

}  // namespace flowjet::metrics::testing

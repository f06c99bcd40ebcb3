// The evaluation report: one self-contained HTML file (inline SVG, CSS, no scripts, no network)
// with the metrics table at the top and the distributions the talk compares, real vs generated.
#pragma once

#include <string>

#include "metrics/evaluation/evaluation.h"
#include "metrics/jets/jet_array.h"

namespace flowjet::metrics {

struct ReportOptions {
  std::string title = "flowjet evaluation";
  std::string real_label = "real";
  std::string gen_label = "generated";
  std::string real_source;  ///< shown in the header (e.g. the file name); may be empty
  std::string gen_source;
  int bins = 50;     ///< bins of the 1-D histograms
  int bins_2d = 32;  ///< bins per axis of the 2-D histograms
};

/// The report for `result`, with plots of `real` and `gen` (pass the jets the metrics saw, i.e.
/// with negative pt clipped: clip_negative_pt). Figures: eta_rel, phi_rel, pt_rel of all
/// particles and of the 1st, 5th, 10th, 20th and 30th particle (as stored; ranks beyond the
/// particle count are left out; padding excluded), jet mass, multiplicity, the five EFPs (each
/// real vs generated with a ratio panel and the W1 of the plotted samples in the legend), and 2-D
/// histograms eta-phi, phi-pt, eta-pt of all particles for both samples.
/// Throws ShapeError for malformed arrays, ConfigError for bins < 1.
std::string html_report(const JetArray& real, const JetArray& gen, const EvaluationResult& result,
                        const ReportOptions& options = {});

/// Number of figures (<svg> elements) html_report draws for jets with `particles` particles.
int report_figure_count(int64_t particles);

}  // namespace flowjet::metrics

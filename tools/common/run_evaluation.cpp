// End-of-run metrics (interim: W1M and W1P).
#include "tools/common/run_evaluation.h"

#include <fmt/format.h>

#include "metrics/batches.h"
#include "metrics/jet_array.h"
#include "metrics/w1_metrics.h"

namespace flowjet::tools {
namespace {

/// JetNet particle features [N, P, 4] -> the metrics' [N, P, 3] (mask dropped), pt_rel clipped at 0.
metrics::JetArray to_jet_array(const data::JetSet& jets) {
  metrics::JetArray array(jets.jets, jets.particles);
  for (int64_t j = 0; j < jets.jets; ++j)
    for (int64_t p = 0; p < jets.particles; ++p) {
      array.eta_rel(j, p) = jets.particle(j, p, data::kEtaRel);
      array.phi_rel(j, p) = jets.particle(j, p, data::kPhiRel);
      array.pt_rel(j, p) = jets.particle(j, p, data::kPtRel);
    }
  metrics::clip_negative_pt(array);
  return array;
}

}  // namespace

void evaluate_generated_jets(const data::JetSet& real, const data::JetSet& generated, const std::string& preset,
                             std::ostream& out) {
  // ---- When metrics/evaluation.h lands: replace the body below by evaluate(real, generated,
  // options) and print its table row (W1M, W1P, W1EFP, FPND, COV, MMD). ----
  const metrics::EvalSettings settings = metrics::preset_settings(metrics::parse_preset(preset));
  const metrics::JetArray r = to_jet_array(real), g = to_jet_array(generated);
  const metrics::BatchedMetric m = metrics::w1m(r, g, settings), p = metrics::w1p(r, g, settings);
  out << fmt::format(
      "metrics ({} preset, {} real vs {} generated jets): W1M = {:.3e} ± {:.1e}, W1P = {:.3e} ± {:.1e}\n", preset,
      real.jets, generated.jets, m.combined_mean, m.combined_std, p.combined_mean, p.combined_std);
  for (const std::string& w : m.warnings) out << "  note: " << w << '\n';
  out << "  (W1EFP, FPND, COV and MMD: not computed by this build's end-of-run evaluation)\n";
}

}  // namespace flowjet::tools

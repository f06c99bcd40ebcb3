// End-of-run metrics of bin/train through metrics/evaluation.h.
#include "tools/common/run_evaluation.h"

#include <fmt/format.h>

#include "engine/io/atomic_file.h"
#include "metrics/evaluation.h"
#include "metrics/jet_set_input.h"

namespace flowjet::tools {

void evaluate_generated_jets(const data::JetSet& real, const data::JetSet& generated,
                             const RunEvaluationOptions& options, std::ostream& out) {
  metrics::EvaluationOptions e;
  e.preset = metrics::parse_preset(options.preset);
  if (!options.jet_type.empty()) e.jet_type = options.jet_type.front();
  e.fpnd_dir = options.fpnd_dir;
  const metrics::EvaluationResult result =
      metrics::evaluate(metrics::to_jet_array(real), metrics::to_jet_array(generated), e);
  out << fmt::format("metrics ({} preset, {} real test jets vs {} generated jets):\n", options.preset, real.jets,
                     generated.jets)
      << metrics::format_table_row(result);
  for (const std::string& w : result.warnings) out << "  note: " << w << '\n';
  if (!options.json_path.empty()) {
    write_text_file_atomically(options.json_path, metrics::to_json(result, {options.real_name, options.generated_name}));
    out << "  raw values: " << options.json_path << '\n';
  }
}

}  // namespace flowjet::tools

// End-of-run metrics of bin/train through metrics/evaluation/evaluation.h.
#include "tools/common/run_evaluation.h"

#include <filesystem>

#include <fmt/format.h>

#include "engine/io/atomic_file.h"
#include "metrics/evaluation/evaluation.h"
#include "metrics/jets/jet_set_input.h"
#include "metrics/report/html_report.h"

namespace flowjet::tools {

void evaluate_generated_jets(const data::JetSet& real, const data::JetSet& generated,
                             const RunEvaluationOptions& options, std::ostream& out) {
  metrics::EvaluationOptions e;
  e.preset = metrics::parse_preset(options.preset);
  if (!options.jet_type.empty()) e.jet_type = options.jet_type.front();
  e.fpnd_dir = options.fpnd_dir;
  metrics::JetArray real_array = metrics::to_jet_array(real), generated_array = metrics::to_jet_array(generated);
  const metrics::EvaluationResult result =
      metrics::evaluate(real_array, generated_array, e, {options.real_name, options.generated_name});
  out << fmt::format("{} ({} preset, {} jets of the {} vs {} jets of the {}):\n", options.heading, options.preset,
                     real.jets, options.real_name, generated.jets, options.generated_name)
      << metrics::format_table_row(result);
  for (const std::string& w : result.warnings) out << "  note: " << w << '\n';
  if (!options.json_path.empty()) {
    write_text_file_atomically(options.json_path, metrics::to_json(result, {options.real_name, options.generated_name}));
    out << "  raw values: " << options.json_path << '\n';
  }
  if (!options.report_path.empty()) {
    write_evaluation_report(options.report_path, std::move(real_array), std::move(generated_array), result,
                            options.real_name, options.generated_name);
    out << "  report: " << options.report_path << '\n';
  }
}

void write_evaluation_report(const std::string& path, metrics::JetArray real, metrics::JetArray generated,
                             const metrics::EvaluationResult& result, const std::string& real_name,
                             const std::string& generated_name) {
  metrics::clip_negative_pt(real);
  metrics::clip_negative_pt(generated);
  metrics::ReportOptions report;
  report.title = fmt::format("flowjet evaluation: {} vs {}", std::filesystem::path(generated_name).filename().string(),
                             std::filesystem::path(real_name).filename().string());
  report.real_source = real_name;
  report.gen_source = generated_name;
  write_text_file_atomically(path, metrics::html_report(real, generated, result, report));
}

}  // namespace flowjet::tools

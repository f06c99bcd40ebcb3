// bin/evaluate's run (evaluate_files.h).
#include "tools/common/evaluate_files.h"

#include <cstdio>
#include <utility>

#include "engine/io/atomic_file.h"
#include "metrics/jets/jet_set_input.h"
#include "tools/common/interrupt.h"
#include "tools/common/run_evaluation.h"

namespace flowjet::tools {
namespace {

// When `interrupt` is set, says which outputs were written and returns the exit status; else 0.
int stop_if_interrupted(const std::string& program, const std::atomic<int>* interrupt,
                        const std::vector<std::string>& written) {
  if (interrupt == nullptr || interrupt->load() == 0) return 0;
  std::string kept;
  for (const auto& path : written) kept += (kept.empty() ? "" : ", ") + path;
  std::fprintf(stderr, "%s: interrupted by signal %d; %s\n", program.c_str(), interrupt->load(),
               kept.empty() ? "no output written" : ("wrote only " + kept).c_str());
  return interrupted_exit_status(interrupt->load());
}

}  // namespace

EvaluateFilesResult evaluate_files(const EvaluateFilesOptions& options) {
  const std::string& real_path = options.real_path;
  const std::string& gen_path = options.generated_path;
  std::optional<data::JetType> type = options.jet_type;
  if (!type) type = data::jet_type_from_file_name(real_path);
  if (!type) type = data::jet_type_from_file_name(gen_path);
  metrics::EvaluationOptions evaluation = options.evaluation;
  if (!evaluation.jet_type && type && (*type == data::JetType::G || *type == data::JetType::Q || *type == data::JetType::T))
    evaluation.jet_type = data::to_string(*type)[0];

  // The reader wants a type label; it does not change the values read.
  const data::JetType label = type.value_or(data::JetType::G);
  std::vector<std::string> read_warnings;
  metrics::JetArray real = metrics::read_jet_array(real_path, options.particles, label, &read_warnings);
  metrics::JetArray gen = metrics::read_jet_array(gen_path, options.particles, label, &read_warnings);
  for (const auto& warning : read_warnings) std::fprintf(stderr, "warning: %s\n", warning.c_str());
  std::fprintf(stderr, "%s: %lld real and %lld generated jets, %lld particles, preset %s, seed %llu, %s\n",
               options.program.c_str(), static_cast<long long>(real.jets), static_cast<long long>(gen.jets),
               static_cast<long long>(real.particles), metrics::preset_name(evaluation.preset),
               static_cast<unsigned long long>(evaluation.seed),
               evaluation.order == metrics::CovMmdOrder::Jetnet ? "COV/MMD as cov_mmd(real, gen)"
                                                                : "COV/MMD swapped as in the talk: cov_mmd(gen, real)");

  EvaluateFilesResult out;
  out.result = metrics::evaluate(real, gen, evaluation, {real_path, gen_path});
  const metrics::EvaluationResult& result = out.result;
  const std::atomic<int>* interrupt = options.install_interrupt ? options.install_interrupt() : nullptr;
  for (const auto& warning : result.warnings) std::fprintf(stderr, "warning: %s\n", warning.c_str());
  for (const auto& [name, seconds] : result.seconds) std::fprintf(stderr, "  %-18s %8.2f s\n", name.c_str(), seconds);
  std::fputs(metrics::format_table_row(result).c_str(), stdout);
  if (result.fpd_least_squares)
    std::printf("FPD, exact bounded least-squares intercept (diagnostic, not jetnet's FPD): %.3e\n",
                *result.fpd_least_squares);

  if (!options.json_path.empty()) {
    if ((out.exit_status = stop_if_interrupted(options.program, interrupt, out.written))) return out;
    write_text_file_atomically(options.json_path, metrics::to_json(result, {real_path, gen_path}));
    std::fprintf(stderr, "wrote %s\n", options.json_path.c_str());
    out.written.push_back(options.json_path);
  }
  if (!options.report_path.empty()) {
    if ((out.exit_status = stop_if_interrupted(options.program, interrupt, out.written))) return out;
    write_evaluation_report(options.report_path, std::move(real), std::move(gen), result, real_path, gen_path);
    std::fprintf(stderr, "wrote %s\n", options.report_path.c_str());
    out.written.push_back(options.report_path);
  }
  out.exit_status = stop_if_interrupted(options.program, interrupt, out.written);
  return out;
}

}  // namespace flowjet::tools

// bin/evaluate: scores a JetNet-layout file of generated jets against one of real jets with the
// JetNet metrics (metrics/evaluation/evaluation.h), prints the talk's table row and optionally writes the
// raw numbers as JSON and the plots as a self-contained HTML report (the run itself:
// tools/common/evaluate_files.h). Flags and outputs: docs/evaluation.md.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "data/jet_set.h"
#include "engine/backend/device_choice.h"
#include "engine/core/error.h"
#include "metrics/evaluation/evaluation.h"
#include "tools/common/cli.h"
#include "tools/common/evaluate_files.h"
#include "tools/common/interrupt.h"
#include "tools/common/output_path.h"

using namespace flowjet;

namespace {

// The description of --help: what the program does and one line per metric of the table.
std::string description() {
  std::string text =
      "Scores generated jets against real jets with the JetNet metrics and prints the talk's table row.\n"
      "Negative pt_rel is clipped to 0 in both samples first.\n\nMetrics (--metrics):\n";
  size_t width = 0;
  for (const metrics::MetricEntry& entry : metrics::builtin_metric_table()) width = std::max(width, entry.name.size());
  for (const metrics::MetricEntry& entry : metrics::builtin_metric_table())
    text += fmt::format("  {:<{}}{}\n", entry.name, width + 3, entry.summary);
  text.pop_back();
  return text;
}

tools::CommandLine make_command_line() {
  tools::CommandLine cli(
      "bin/evaluate",
      "usage: bin/evaluate --real REAL.h5 --gen GEN.h5 [--jet-type g|q|t] [--preset talk|jetnet|full] [--cov-n N]\n"
      "                    [--seed S] [--fpnd-dir DIR] [--device cpu|cuda|auto] [--json OUT.json]\n"
      "                    [--report OUT.html] [--threads N]",
      description());
  cli.add_option("real", "REAL.h5", "real jets (JetNet HDF5 layout)");
  cli.add_option("gen", "GEN.h5", "generated jets (JetNet HDF5 layout)");
  cli.add_option("jet-type", "g|q|t", "jet type for FPND's reference statistics", "from the --real file name");
  cli.add_option("preset", "NAME", "talk (jetnet 0.1.1), jetnet (current jetnet) or full (deterministic)", "talk");
  cli.add_option("cov-n", "N", "full preset: COV/MMD on the first N jets of each file", "500");
  cli.add_option("seed", "S", "seed of every batch draw", "42");
  cli.add_option("fpnd-dir", "DIR", "directory of the FPND resources (each file's SHA-256 is checked)",
                 "$FLOWJET_FPND_DIR, else the copy in metrics/resources/fpnd");
  cli.add_option("device", "D", "FPND's ParticleNet on cpu, cuda, or auto (cuda if usable)", "cpu");
  cli.add_option("order", "jetnet|talk", "COV/MMD argument order: jetnet's cov_mmd(real, gen) or the talk's swap",
                 "jetnet");
  cli.add_option("metrics", "LIST",
                 "comma-separated subset of " + metrics::metric_names(metrics::builtin_metric_table()) +
                     ", all, or preset (the metrics the preset selects)",
                 "preset");
  cli.add_option("particles", "N", "particles per jet to read (0: all stored)", "30");
  cli.add_option("json", "OUT.json", "write the raw values, per-feature arrays and settings as JSON");
  cli.add_option("report", "OUT.html", "write a self-contained HTML report with the plots");
  tools::add_profile_switch(cli);
  cli.add_option("threads", "N", "CPU threads", "$FLOWJET_THREADS or all cores");
  return cli;
}

tools::EvaluateFilesOptions parse_arguments(const tools::CommandLine& cli) {
  tools::EvaluateFilesOptions run;
  run.real_path = cli.required("real");
  run.generated_path = cli.required("gen");
  // Fails early (before minutes of computing) when an input is missing or an output cannot be placed.
  tools::check_input_file("--real", run.real_path);
  tools::check_input_file("--gen", run.generated_path);
  for (const char* flag : {"json", "report"})
    if (cli.has(flag))
      tools::check_output_path(fmt::format("--{}", flag), cli.required(flag), {run.real_path, run.generated_path});
  run.json_path = cli.value("json").value_or("");
  run.report_path = cli.value("report").value_or("");
  // Without --jet-type, evaluate_files takes it from the file names.
  if (cli.has("jet-type")) run.jet_type = data::parse_jet_type(cli.choice("jet-type", {"g", "q", "t"}, "g"));
  metrics::EvaluationOptions& options = run.evaluation;
  options.preset = metrics::parse_preset(cli.choice("preset", {"talk", "jetnet", "full"}, "talk"));
  options.cov_n = cli.integer("cov-n", 500, 1, 1'000'000'000);
  options.seed = static_cast<uint64_t>(cli.integer("seed", 42, 0, INT64_MAX));
  options.order = cli.choice("order", {"jetnet", "talk"}, "jetnet") == "talk" ? metrics::CovMmdOrder::Talk
                                                                            : metrics::CovMmdOrder::Jetnet;
  try {
    options.metrics = metrics::parse_metric_selection(cli.value("metrics").value_or("preset"));
  } catch (const ConfigError& e) {
    throw tools::UsageError(fmt::format("--metrics: {}", e.what()));
  }
  options.threads = static_cast<int>(cli.integer("threads", 0, 1, 1024));
  if (const auto dir = cli.value("fpnd-dir")) {
    if (!std::filesystem::is_directory(*dir))
      throw tools::UsageError(fmt::format("--fpnd-dir: '{}' is not a directory", *dir));
    options.fpnd_dir = *dir;
  }  // else the library's default: FLOWJET_FPND_DIR, else the committed copy
  std::string note;
  options.fpnd_device = choose_device(cli.choice("device", {"cpu", "cuda", "auto"}, "cpu"), "--device", note);
  if (!note.empty()) std::fprintf(stderr, "evaluate: %s\n", note.c_str());
  run.particles = cli.integer("particles", 30, 0, 1'000'000);
  return run;
}

int run(const tools::CommandLine& cli) {
  // Nothing is written before the metrics are done, so until then Ctrl-C ends the run at once; then
  // each output is whole (a temporary and a rename) and those not yet begun are skipped.
  tools::exit_on_interrupt("\nevaluate: interrupted; no output written\n");
  tools::EvaluateFilesOptions options = parse_arguments(cli);
  options.install_interrupt = [] { return &tools::install_interrupt_handler(""); };
  return tools::evaluate_files(options).exit_status;
}

}  // namespace

int main(int argc, char** argv) { return tools::run_program(make_command_line(), argc, argv, run); }

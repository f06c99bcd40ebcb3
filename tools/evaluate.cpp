// bin/evaluate: scores a JetNet-layout file of generated jets against one of real jets with the
// JetNet metrics (metrics/evaluation.h), prints the talk's table row and optionally writes the
// raw numbers as JSON and the plots as a self-contained HTML report. Flags and outputs:
// docs/evaluation.md.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "data/jet_set.h"
#include "engine/backend/device_choice.h"
#include "engine/core/error.h"
#include "engine/io/atomic_file.h"
#include "metrics/evaluation/evaluation.h"
#include "metrics/jets/jet_set_input.h"
#include "tools/common/cli.h"
#include "tools/common/interrupt.h"
#include "tools/common/output_path.h"
#include "tools/common/run_evaluation.h"

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

// Fails early (before minutes of computing) when an input is missing or an output cannot be placed.
void check_input_file(const std::string& flag, const std::string& path) {
  if (!std::filesystem::exists(path))
    throw tools::UsageError(fmt::format("--{}: file '{}' does not exist", flag, path));
  if (std::filesystem::is_directory(path))
    throw tools::UsageError(fmt::format("--{}: '{}' is a directory", flag, path));
}


// --jet-type, else the real file's name (g.hdf5, q150.h5, ...), else the generated file's name.
std::optional<data::JetType> resolve_jet_type(const tools::CommandLine& cli, const std::string& real,
                                              const std::string& gen) {
  if (cli.has("jet-type")) return data::parse_jet_type(cli.choice("jet-type", {"g", "q", "t"}, "g"));
  if (auto type = data::jet_type_from_file_name(real)) return type;
  return data::jet_type_from_file_name(gen);
}

metrics::EvaluationOptions evaluation_options(const tools::CommandLine& cli, std::optional<data::JetType> type) {
  metrics::EvaluationOptions options;
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
  if (type && (*type == data::JetType::G || *type == data::JetType::Q || *type == data::JetType::T))
    options.jet_type = data::to_string(*type)[0];
  if (const auto dir = cli.value("fpnd-dir")) {
    if (!std::filesystem::is_directory(*dir))
      throw tools::UsageError(fmt::format("--fpnd-dir: '{}' is not a directory", *dir));
    options.fpnd_dir = *dir;
  }  // else the library's default: FLOWJET_FPND_DIR, else the committed copy
  std::string note;
  options.fpnd_device = choose_device(cli.choice("device", {"cpu", "cuda", "auto"}, "cpu"), "--device", note);
  if (!note.empty()) std::fprintf(stderr, "evaluate: %s\n", note.c_str());
  return options;
}

// Ctrl-C (SIGINT) or SIGTERM while the outputs are written: each output is whole (a temporary and a
// rename) and those not yet begun are skipped. Returns the exit status, 0 when not interrupted.
int stop_if_interrupted(const std::atomic<int>& interrupt, const std::vector<std::string>& written) {
  if (interrupt.load() == 0) return 0;
  std::string kept;
  for (const auto& path : written) kept += (kept.empty() ? "" : ", ") + path;
  std::fprintf(stderr, "evaluate: interrupted by signal %d; %s\n", interrupt.load(),
               kept.empty() ? "no output written" : ("wrote only " + kept).c_str());
  return tools::interrupted_exit_status(interrupt.load());
}

int run(const tools::CommandLine& cli) {
  // Nothing is written before the metrics are done, so until then Ctrl-C ends the run at once.
  tools::exit_on_interrupt("\nevaluate: interrupted; no output written\n");
  const std::string real_path = cli.required("real"), gen_path = cli.required("gen");
  check_input_file("real", real_path);
  check_input_file("gen", gen_path);
  for (const char* flag : {"json", "report"})
    if (cli.has(flag)) tools::check_output_path(fmt::format("--{}", flag), cli.required(flag), {real_path, gen_path});

  const std::optional<data::JetType> type = resolve_jet_type(cli, real_path, gen_path);
  const metrics::EvaluationOptions options = evaluation_options(cli, type);
  const int64_t particles = cli.integer("particles", 30, 0, 1'000'000);

  // The reader wants a type label; it does not change the values read.
  const data::JetType label = type.value_or(data::JetType::G);
  std::vector<std::string> read_warnings;
  metrics::JetArray real = metrics::read_jet_array(real_path, particles, label, &read_warnings);
  metrics::JetArray gen = metrics::read_jet_array(gen_path, particles, label, &read_warnings);
  for (const auto& warning : read_warnings) std::fprintf(stderr, "warning: %s\n", warning.c_str());
  std::fprintf(stderr, "evaluate: %lld real and %lld generated jets, %lld particles, preset %s, seed %llu, %s\n",
               static_cast<long long>(real.jets), static_cast<long long>(gen.jets),
               static_cast<long long>(real.particles), metrics::preset_name(options.preset),
               static_cast<unsigned long long>(options.seed),
               options.order == metrics::CovMmdOrder::Jetnet ? "COV/MMD as cov_mmd(real, gen)"
                                                             : "COV/MMD swapped as in the talk: cov_mmd(gen, real)");

  const metrics::EvaluationResult result = metrics::evaluate(real, gen, options, {real_path, gen_path});
  const std::atomic<int>& interrupt = tools::install_interrupt_handler("");
  for (const auto& warning : result.warnings) std::fprintf(stderr, "warning: %s\n", warning.c_str());
  for (const auto& [name, seconds] : result.seconds) std::fprintf(stderr, "  %-18s %8.2f s\n", name.c_str(), seconds);
  std::fputs(metrics::format_table_row(result).c_str(), stdout);
  if (result.fpd_least_squares)
    std::printf("FPD, exact bounded least-squares intercept (diagnostic, not jetnet's FPD): %.3e\n",
                *result.fpd_least_squares);

  std::vector<std::string> written;
  if (const auto json_path = cli.value("json")) {
    if (const int status = stop_if_interrupted(interrupt, written)) return status;
    write_text_file_atomically(*json_path, metrics::to_json(result, {real_path, gen_path}));
    std::fprintf(stderr, "wrote %s\n", json_path->c_str());
    written.push_back(*json_path);
  }
  if (const auto report_path = cli.value("report")) {
    if (const int status = stop_if_interrupted(interrupt, written)) return status;
    tools::write_evaluation_report(*report_path, std::move(real), std::move(gen), result, real_path, gen_path);
    std::fprintf(stderr, "wrote %s\n", report_path->c_str());
    written.push_back(*report_path);
  }
  return stop_if_interrupted(interrupt, written);
}

}  // namespace

int main(int argc, char** argv) { return tools::run_program(make_command_line(), argc, argv, run); }

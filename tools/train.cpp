// bin/train CONFIG.ini [section.key=value ...] [--resume RUN_DIR] [--dry-run]: trains one of the
// talk's flows (training-recipe.md) with progress on stderr, a CSV log and checkpoints in the run
// directory, then generates as many jets as the test split and evaluates them. docs/train.md.
// Under `mpirun -np N` with train.distributed = mpi|nccl it is one rank of a data-parallel run
// (docs/distributed.md): rank 0 prints, writes the run directory and evaluates.
#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <vector>

#include "tools/common/cli.h"
#include "tools/common/interrupt.h"
#include "tools/common/train_config.h"
#include "tools/common/training_pipeline.h"

using namespace flowjet;

namespace {

tools::CommandLine make_command_line() {
  tools::CommandLine cli(
      "bin/train",
      "usage: bin/train CONFIG.ini [section.key=value ...] [--resume RUN_DIR] [--dry-run]\n"
      "       bin/train --resume RUN_DIR [section.key=value ...]   (reads RUN_DIR/config.ini)\n"
      "       bin/train --keys      (prints the Markdown table of every configuration key)",
      "Trains the flow of CONFIG.ini; every key and the run directory layout: docs/train.md.\n"
      "Exit status: 0 done, 1 an error, 2 a command-line mistake, 3 stopped after too many bad steps.");
  cli.add_positional_list("CONFIG.ini | section.key=value",
                          "the configuration file, then overrides applied in order after it");
  cli.add_option("resume", "RUN_DIR", "continue the run in RUN_DIR (without CONFIG.ini: RUN_DIR/config.ini)");
  cli.add_switch("dry-run", "check configuration, data and model, print the plan, train nothing");
  tools::add_profile_switch(cli);
  cli.add_switch("keys", "print the Markdown table of every configuration key");
  return cli;
}

// The positional words: overrides contain '=', the one other word is the configuration file.
tools::TrainingPipelineOptions parse_arguments(const tools::CommandLine& cli) {
  tools::TrainingPipelineOptions a;
  a.resume_dir = cli.value("resume").value_or("");
  a.dry_run = cli.has("dry-run");
  for (const std::string& word : cli.positional()) {
    if (word.find('=') != std::string::npos) {
      a.overrides.push_back(word);
    } else if (a.config.empty()) {
      a.config = word;
    } else {
      throw tools::UsageError(fmt::format(
          "a second configuration file \"{}\" (overrides look like section.key=value)", word));
    }
  }
  if (a.config.empty() && a.resume_dir.empty())
    throw tools::UsageError("no configuration file given (CONFIG.ini, or --resume RUN_DIR)");
  return a;
}

int run(tools::TrainingPipelineOptions options) {
  options.install_interrupt = [] {
    return &tools::install_interrupt_handler(
        "\nbin/train: interrupted; finishing the current step and writing a checkpoint (again to quit at once)\n");
  };
  options.restore_interrupt = tools::restore_default_interrupt_handling;
  const tools::TrainingPipelineResult r = tools::run_training_pipeline(options);
  if (!r.lead || !r.trained) return r.exit_status;
  if (r.summary.interrupted_by != 0)
    std::fprintf(stderr, "bin/train: %s\ncontinue with: bin/train --resume %s\n", r.summary.stop_reason.c_str(),
                 r.run_dir.c_str());
  else if (!r.summary.completed)
    std::fprintf(stderr, "bin/train: error: %s\n", r.summary.stop_reason.c_str());
  return r.exit_status;
}

}  // namespace

int main(int argc, char** argv) {
  return tools::run_program(make_command_line(), argc, argv, [](const tools::CommandLine& cli) {
    if (cli.has("keys")) {
      std::fputs(tools::train_schema().markdown().c_str(), stdout);
      return 0;
    }
    return run(parse_arguments(cli));
  });
}

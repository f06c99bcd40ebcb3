// bin/sample: generates jets from a trained jet model into a JetNet HDF5 file (training-recipe.md §9).
// Flags, the conditions file format and the output are documented in docs/sampling.md; the run
// itself is tools/common/sample_file.h.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "tools/common/cli.h"
#include "tools/common/interrupt.h"
#include "tools/common/output_path.h"
#include "tools/common/sample_file.h"

using namespace flowjet;

namespace {

tools::CommandLine make_command_line() {
  tools::CommandLine cli(
      "bin/sample",
      "usage: bin/sample CKPT -n N -o OUT.h5 [--seed S] [--batch B] [--conditions FILE] [--threads T]\n"
      "                  [--jet-pt GEV] [--min-pt-rel X] [--device cpu|cuda|auto]",
      "Generates jets from a trained jet model into a JetNet HDF5 file (docs/sampling.md).");
  cli.add_positional("CKPT", "a jet-model checkpoint written by bin/train");
  cli.add_option("n", "N", "jets to generate (with --conditions: one per condition, or a multiple repeating each)");
  cli.add_option("o", "OUT.h5", "output file in the JetNet layout (written atomically)");
  cli.add_option("seed", "S", "seed of every random draw", "42");
  cli.add_option("batch", "B", "jets per pass through the flow; bounds memory", "10000");
  cli.add_option("conditions", "FILE", "text rows \"mass n\" (mass = m/pt as in training) or a JetNet .h5 file");
  cli.add_option("threads", "T", "CPU threads", "all cores, or FLOWJET_THREADS");
  cli.add_option("jet-pt", "GEV", "jet pt written to jet_features, scale of the written mass", "1000");
  cli.add_option("min-pt-rel", "X", "slots with pt_rel <= X are padding", "0");
  cli.add_option("device", "D", "cpu, cuda, or auto (cuda when a GPU is usable, else cpu)", "cpu");
  tools::add_profile_switch(cli);
  return cli;
}

tools::SampleFileOptions parse_arguments(const tools::CommandLine& cli) {
  tools::SampleFileOptions args;
  args.checkpoint = cli.positional()[0];
  args.output = cli.required("o");
  std::vector<std::string> inputs{args.checkpoint};
  if (const auto conditions = cli.value("conditions")) inputs.push_back(*conditions);
  tools::check_output_path("-o", args.output, inputs);  // before the model is even read
  if (cli.has("n")) args.count = cli.integer("n", 0, 1);
  args.conditions = cli.value("conditions");
  args.threads = static_cast<int>(cli.integer("threads", 0, 1, 1024));
  args.device = cli.choice("device", {"cpu", "cuda", "auto"}, "cpu");
  args.generate.seed = cli.unsigned_integer("seed", args.generate.seed);
  args.generate.batch_size = cli.integer("batch", args.generate.batch_size, 1);
  args.generate.jet_pt = cli.number("jet-pt", args.generate.jet_pt);
  args.generate.min_pt_rel = cli.number("min-pt-rel", args.generate.min_pt_rel);
  // pt_rel is a fraction of the jet's pt, so a threshold of 1 or more would drop every particle.
  if (!(args.generate.min_pt_rel >= 0.0 && args.generate.min_pt_rel < 1.0))
    throw tools::UsageError(fmt::format("--min-pt-rel: {} is outside [0, 1) (pt_rel is a fraction of the jet pt, so "
                                        ">= 1 removes every particle)",
                                        args.generate.min_pt_rel));
  if (!args.count && !args.conditions) throw tools::UsageError("the number of jets is missing (-n N)");
  return args;
}

int run(tools::SampleFileOptions options) {
  options.interrupt =
      &tools::install_interrupt_handler("\nsample: interrupted; stopping after this batch (again to quit at once)\n");
  return tools::sample_file(options).exit_status;
}

}  // namespace

int main(int argc, char** argv) {
  return tools::run_program(make_command_line(), argc, argv,
                            [](const tools::CommandLine& cli) { return run(parse_arguments(cli)); });
}

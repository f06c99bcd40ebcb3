// bin/sample: generates jets from a trained jet model into a JetNet HDF5 file (training-recipe.md §9).
// Flags, the conditions file format and the output are documented in docs/sampling.md.
#include <fmt/format.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "data/jetnet_stream_writer.h"
#include "engine/backend/cpu/thread_pool.h"
#include "engine/backend/device_choice.h"
#include "engine/core/error.h"
#include "engine/io/atomic_file.h"
#include "flows/conditions_file.h"
#include "flows/generate.h"
#include "tools/common/cli.h"
#include "tools/common/interrupt.h"
#include "tools/common/output_path.h"
#include "tools/common/progress.h"

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

struct Arguments {
  std::string checkpoint;
  std::string output;
  std::optional<int64_t> count;
  std::optional<std::string> conditions;
  std::optional<int64_t> threads;
  std::string device;
  flows::GenerateOptions generate;
};

Arguments parse_arguments(const tools::CommandLine& cli) {
  Arguments args;
  args.checkpoint = cli.positional()[0];
  args.output = cli.required("o");
  std::vector<std::string> inputs{args.checkpoint};
  if (const auto conditions = cli.value("conditions")) inputs.push_back(*conditions);
  tools::check_output_path("-o", args.output, inputs);  // before the model is even read
  if (cli.has("n")) args.count = cli.integer("n", 0, 1);
  args.conditions = cli.value("conditions");
  if (cli.has("threads")) args.threads = cli.integer("threads", 0, 1, 1024);
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

// Thrown by the batch sink after Ctrl-C (SIGINT) or SIGTERM: the run stops after the current batch,
// and the writer's destructor removes the temporary file, so an interrupted run leaves nothing behind.
struct Interrupted {
  int signal_number;
};

// The file needs about this many bytes (float32 particle and jet features; HDF5's own overhead is
// small); refused up front when the output's file system has less free space.
void check_free_space(const std::string& output, int64_t jets, int64_t particles) {
  const double bytes = static_cast<double>(jets) * static_cast<double>((particles * 4 + 4) * 4);
  std::error_code error;
  const std::filesystem::path folder = std::filesystem::absolute(output).parent_path();
  const std::filesystem::space_info space = std::filesystem::space(folder, error);
  if (error || bytes <= static_cast<double>(space.available)) return;
  throw tools::UsageError(fmt::format("-n {}: {} jets of {} particles need {:.3g} GB, and {} has {:.3g} GB free", jets,
                                      jets, particles, bytes / 1e9, folder.string(),
                                      static_cast<double>(space.available) / 1e9));
}

data::WriteOptions file_attributes(const Arguments& args, const flows::JetModel& model) {
  data::WriteOptions write;
  write.attributes = {{"generator", "flowjet bin/sample"},
                      {"checkpoint", args.checkpoint},
                      {"model_kind", model.kind},
                      {"seed", std::to_string(args.generate.seed)},
                      {"conditions", args.conditions.value_or("sampled from the model")},
                      {"jet_pt", fmt::format("{}", args.generate.jet_pt)},
                      {"min_pt_rel", fmt::format("{}", args.generate.min_pt_rel)}};
  return write;
}

int run(const Arguments& args) {
  const std::atomic<int>& interrupt =
      tools::install_interrupt_handler("\nsample: interrupted; stopping after this batch (again to quit at once)\n");
  if (args.threads) set_num_threads(static_cast<int>(*args.threads));
  std::string note;
  const Device device = choose_device(args.device, "--device", note);
  if (!note.empty()) std::fprintf(stderr, "sample: %s\n", note.c_str());
  flows::JetModel model = flows::load_jet_model(args.checkpoint);
  model.flow->to(device);
  if (model.jet_type.empty())
    std::fprintf(stderr, "sample: the checkpoint does not name its jet type; the file says \"g\"\n");
  if (args.count) check_free_space(args.output, *args.count, model.particles);
  for (const std::string& stale : remove_stale_temporaries(args.output))
    std::fprintf(stderr, "sample: removed %s, left by a writer that was killed\n", stale.c_str());
  // Opened before any work, so a missing or read-only output folder fails at once; each batch
  // goes to the file as it is made, so memory does not grow with -n (docs/sampling.md).
  data::JetNetStreamWriter writer(args.output, model.particles, flows::generated_jet_type(model),
                                  file_attributes(args, model));

  tools::CountProgress progress(tools::StatusLine::for_stderr(), "sample", "jets");
  flows::GenerateOptions options = args.generate;
  options.progress = [&progress](int64_t done, int64_t total) { progress.update(done, total); };
  int64_t empty_jets = 0;  // jets left with no particle: rare from a VNF model, common with a high --min-pt-rel
  const flows::JetBatchSink write = [&writer, &interrupt, &empty_jets](const data::JetSet& batch, int64_t /*first*/) {
    for (int64_t j = 0; j < batch.jets; ++j) empty_jets += batch.real_particles(j) == 0 ? 1 : 0;
    writer.append(batch);
    if (interrupt.load() != 0) throw Interrupted{interrupt.load()};
  };
  try {
    if (args.conditions) {
      const flows::SampledConditions given = flows::read_conditions_file(*args.conditions, model);
      flows::generate_jet_batches(model, given, args.count.value_or(given.size()), options, write);
    } else {
      flows::generate_jet_batches(model, *args.count, options, write);
    }
  } catch (const Interrupted& stop) {
    std::fprintf(stderr, "sample: interrupted by signal %d after %lld jets; no output written\n", stop.signal_number,
                 static_cast<long long>(writer.jets_written()));
    return tools::interrupted_exit_status(stop.signal_number);  // the writer's destructor removes the temporary file
  }
  writer.finish();
  if (empty_jets > 0)
    std::fprintf(stderr, "sample: warning: %lld of %lld jets have no particle (every slot padding%s)\n",
                 static_cast<long long>(empty_jets), static_cast<long long>(writer.jets_written()),
                 args.generate.min_pt_rel > 0 ? "; a lower --min-pt-rel keeps more" : "");
  std::fprintf(stderr, "sample: wrote %s: %lld jets x %lld particles in %.1f s\n", args.output.c_str(),
               static_cast<long long>(writer.jets_written()), static_cast<long long>(model.particles),
               progress.elapsed());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return tools::run_program(make_command_line(), argc, argv,
                            [](const tools::CommandLine& cli) { return run(parse_arguments(cli)); });
}

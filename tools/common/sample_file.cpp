// bin/sample's run (sample_file.h).
#include "tools/common/sample_file.h"

#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "data/jetnet_stream_writer.h"
#include "engine/backend/cpu/thread_pool.h"
#include "engine/backend/device_choice.h"
#include "engine/core/error.h"
#include "engine/io/atomic_file.h"
#include "flows/conditions_file.h"
#include "tools/common/cli.h"
#include "tools/common/interrupt.h"
#include "tools/common/progress.h"

namespace flowjet::tools {
namespace {

// Thrown by the batch sink after the interrupt flag is set: the run stops after the current batch,
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
  throw UsageError(fmt::format("-n {}: {} jets of {} particles need {:.3g} GB, and {} has {:.3g} GB free", jets, jets,
                               particles, bytes / 1e9, folder.string(), static_cast<double>(space.available) / 1e9));
}

data::WriteOptions file_attributes(const SampleFileOptions& options, const flows::JetModel& model) {
  data::WriteOptions write;
  write.attributes = {{"generator", "flowjet bin/sample"},
                      {"checkpoint", options.checkpoint},
                      {"model_kind", model.kind},
                      {"seed", std::to_string(options.generate.seed)},
                      {"conditions", options.conditions.value_or("sampled from the model")},
                      {"jet_pt", fmt::format("{}", options.generate.jet_pt)},
                      {"min_pt_rel", fmt::format("{}", options.generate.min_pt_rel)}};
  return write;
}

}  // namespace

SampleFileResult sample_file(const SampleFileOptions& options) {
  const char* program = options.program.c_str();
  if (!options.count && !options.conditions)
    throw ConfigError(fmt::format("{}: the number of jets is missing (no count and no conditions)", program));
  if (options.threads > 0) set_num_threads(options.threads);
  std::string note;
  const Device device = choose_device(options.device, "--device", note);
  if (!note.empty()) std::fprintf(stderr, "%s: %s\n", program, note.c_str());
  flows::JetModel model = flows::load_jet_model(options.checkpoint);
  model.flow->to(device);
  if (model.jet_type.empty())
    std::fprintf(stderr, "%s: the checkpoint does not name its jet type; the file says \"g\"\n", program);
  if (options.count) check_free_space(options.output, *options.count, model.particles);
  for (const std::string& stale : remove_stale_temporaries(options.output))
    std::fprintf(stderr, "%s: removed %s, left by a writer that was killed\n", program, stale.c_str());
  // Opened before any work, so a missing or read-only output folder fails at once; each batch
  // goes to the file as it is made, so memory does not grow with the count (docs/sampling.md).
  data::JetNetStreamWriter writer(options.output, model.particles, flows::generated_jet_type(model),
                                  file_attributes(options, model));

  CountProgress progress(StatusLine::for_stderr(), options.program, "jets");
  flows::GenerateOptions generate = options.generate;
  generate.progress = [&progress](int64_t done, int64_t total) { progress.update(done, total); };
  SampleFileResult result;
  result.particles = model.particles;
  const std::atomic<int>* interrupt = options.interrupt;
  const flows::JetBatchSink write = [&writer, interrupt, &result](const data::JetSet& batch, int64_t /*first*/) {
    for (int64_t j = 0; j < batch.jets; ++j) result.empty_jets += batch.real_particles(j) == 0 ? 1 : 0;
    writer.append(batch);
    if (interrupt != nullptr && interrupt->load() != 0) throw Interrupted{interrupt->load()};
  };
  try {
    if (options.conditions) {
      const flows::SampledConditions given = flows::read_conditions_file(*options.conditions, model);
      flows::generate_jet_batches(model, given, options.count.value_or(given.size()), generate, write);
    } else {
      flows::generate_jet_batches(model, options.count.value(), generate, write);
    }
  } catch (const Interrupted& stop) {
    std::fprintf(stderr, "%s: interrupted by signal %d after %lld jets; no output written\n", program,
                 stop.signal_number, static_cast<long long>(writer.jets_written()));
    result.jets = writer.jets_written();
    result.exit_status = interrupted_exit_status(stop.signal_number);
    return result;  // the writer's destructor removes the temporary file
  }
  writer.finish();
  result.jets = writer.jets_written();
  result.seconds = progress.elapsed();
  if (result.empty_jets > 0)  // rare from a VNF model, common with a high --min-pt-rel
    std::fprintf(stderr, "%s: warning: %lld of %lld jets have no particle (every slot padding%s)\n", program,
                 static_cast<long long>(result.empty_jets), static_cast<long long>(result.jets),
                 options.generate.min_pt_rel > 0 ? "; a lower --min-pt-rel keeps more" : "");
  std::fprintf(stderr, "%s: wrote %s: %lld jets x %lld particles in %.1f s\n", program, options.output.c_str(),
               static_cast<long long>(result.jets), static_cast<long long>(model.particles), result.seconds);
  return result;
}

}  // namespace flowjet::tools

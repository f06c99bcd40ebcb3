// bin/train's pipeline (training_pipeline.h): the plan and dry-run lines, training, then the
// end-of-run generation, evaluation and truth floor.
#include "tools/common/training_pipeline.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>

#include "data/jetnet_stream_writer.h"
#include "engine/backend/cpu/thread_pool.h"
#include "engine/backend/device_choice.h"
#include "engine/core/error.h"
#include "engine/dist/communicator.h"
#include "flows/coupling/coupling_registry.h"
#include "flows/generate.h"
#include "flows/train/peak_memory.h"
#include "flows/train/trainer.h"
#include "flows/train/training_data.h"
#include "tools/common/cli.h"
#include "tools/common/interrupt.h"
#include "tools/common/progress.h"
#include "tools/common/run_evaluation.h"
#include "tools/common/train_config.h"

namespace flowjet::tools {

namespace {

void print_model_summary(const flows::Trainer& trainer) {
  const flows::TrainOptions& o = trainer.options();
  const flows::FlowSpec& s = o.flow;
  const std::string coupling = flows::describe_coupling(s);
  fmt::print("model: {}, {} coupling layers ({}), {} blocks x H {}, context {}, dropout {}, batch norm {}, {} masks\n",
             flows::model_kind_name(o.model), s.coupling_layers, coupling, s.num_blocks, s.hidden_features,
             s.context_features, s.dropout, s.batch_norm ? "on" : "off", flows::mask_kind_name(s.mask));
  fmt::print("parameters: {} per coupling layer, {} in total (the built flow has {})\n",
             format_count(s.parameters_per_layer()), format_count(s.parameter_count()),
             format_count(trainer.model().flow->parameter_count()));
}

void print_plan(const flows::Trainer& trainer) {
  const flows::TrainOptions& o = trainer.options();
  const data::PreparedData& d = trainer.prepared();
  fmt::print("data: {}, {} jets -> train {}, validation {}, test {} (noise {}, scaler fitted on {})\n", o.data.path,
             d.rows, d.split.train.size(), d.split.validation_rows().size(), d.split.test.size(),
             o.data.prepare.add_noise ? "on" : "off",
             o.data.prepare.fit_on_all_rows ? "all jets" : "the training jets");
  fmt::print(
      "plan: {} steps of {} jets, {} batches per epoch ({}), {:.1f} epochs; validation every {} steps, "
      "checkpoints every {}, log every {}\n",
      o.max_steps, o.batch_size, trainer.batches_per_epoch(), o.data.shuffle ? "reshuffled every epoch" : "fixed order",
      static_cast<double>(o.max_steps) / static_cast<double>(trainer.batches_per_epoch()), o.validate_every,
      o.checkpoint_every, o.log_every);
  if (trainer.world_size() > 1) {
    const int64_t ranks = trainer.world_size(), smaller = o.batch_size / ranks;
    const std::string shard =
        o.batch_size % ranks == 0 ? fmt::format("{}", smaller) : fmt::format("{} or {}", smaller + 1, smaller);
    fmt::print("data parallel: {} ranks over {}, each takes {} jets of every batch of {}; one gradient all-reduce "
               "per step\n",
               ranks, o.distributed, shard, o.batch_size);
  }
  if (model_uses_mass_loss(o.model))
    fmt::print("mass loss: lambda {} while {} < step{}\n", o.lambda, o.n_mse_delay,
               o.n_mse_turnoff < 0 ? std::string(" (never switched off)") : fmt::format(" < {}", o.n_mse_turnoff));
  fmt::print("run directory: {}\n", o.run_dir);
}

/// The --dry-run line "predicted peak memory: X GiB (batch B)", measured on scratch trainers.
void print_peak_memory(const flows::Trainer& trainer) {
  const flows::TrainOptions& o = trainer.options();
  const flows::PeakMemoryFit fit = flows::fit_training_peak(o, trainer.prepared());
  constexpr double kMiB = 1 << 20, kGiB = 1 << 30;
  fmt::print("predicted peak memory: {:.2f} GiB (batch {})\n", fit.predict(o.batch_size) / kGiB, o.batch_size);
  fmt::print(
      "  tensor bytes of a training step: {:.1f} MiB + {:.1f} KiB per jet, fitted to two steps at batch {} "
      "({:.1f} MiB) and {} ({:.1f} MiB)\n",
      fit.fixed_bytes / kMiB, fit.bytes_per_row / 1024.0, fit.small_batch, fit.small_peak / kMiB, fit.large_batch,
      fit.large_peak / kMiB);
}

/// The truth floor: what the metrics give for two real samples of the test split's size, the test
/// jets against the first jets of the training split (disjoint from them). A model cannot be
/// expected to score better than this on the same number of jets.
void print_truth_floor(const flows::Trainer& trainer, const data::JetSet& all_jets, const data::JetSet& test_jets,
                       const flows::RunPaths& paths, RunEvaluationOptions e) {
  const std::vector<int64_t>& train_rows = trainer.prepared().split.train;
  if (train_rows.size() < static_cast<size_t>(test_jets.jets))
    throw ConfigError(fmt::format("eval.truth_floor: the training split has {} jets, fewer than the test split's {}",
                                  train_rows.size(), test_jets.jets));
  const std::vector<int64_t> rows(train_rows.begin(), train_rows.begin() + test_jets.jets);
  e.heading = "truth floor";
  e.json_path = paths.truth_floor();
  e.report_path.clear();
  e.generated_name = fmt::format("training split of {} (first {} jets)", trainer.options().data.path, rows.size());
  evaluate_generated_jets(test_jets, flows::select_jets(all_jets, rows), e, std::cout);
}

/// End of a completed run: generated jets in the JetNet layout, then the evaluation. Each batch is
/// written to the file as it is made and also kept, since the evaluation needs every jet (as many
/// as the test split, which is held in memory anyway).
void generate_and_evaluate(flows::Trainer& trainer, const data::JetSet& all_jets, const flows::RunPaths& paths,
                           ProgressPrinter& printer, TrainingPipelineResult& result) {
  const flows::TrainOptions& o = trainer.options();
  const std::vector<int64_t>& test_rows = trainer.prepared().split.test;
  const int64_t count = static_cast<int64_t>(test_rows.size());
  flows::JetModel& model = trainer.model();
  flows::GenerateOptions g;
  g.batch_size = o.validation_batch_size;
  g.seed = o.seed;
  data::WriteOptions w;
  w.attributes["generator"] = fmt::format("bin/train: {} model, {} steps, seed {}", model.kind, trainer.steps_done(),
                                          o.seed);
  data::JetNetStreamWriter writer(paths.generated(), model.particles, flows::generated_jet_type(model), w, count);
  data::JetSet generated = data::JetSet::zeros(count, model.particles, flows::generated_jet_type(model));
  const flows::JetBatchSink keep = flows::collect_into(generated);
  flows::generate_jet_batches(model, count, g, [&](const data::JetSet& batch, int64_t first) {
    writer.append(batch);
    keep(batch, first);
  });
  writer.finish();
  result.generated = paths.generated();
  printer.on_message(
      fmt::format("generated {} jets (as many as the test split): {}", generated.jets, paths.generated()));
  if (o.metrics == "none") return;
  RunEvaluationOptions e;
  e.preset = o.metrics;
  e.jet_type = o.data.jet_type;
  e.fpnd_dir = o.fpnd_dir;
  e.json_path = paths.evaluation();
  e.real_name = fmt::format("test split of {}", o.data.path);
  e.generated_name = paths.generated();
  if (o.report) e.report_path = paths.report();
  const data::JetSet test_jets = flows::select_jets(all_jets, test_rows);
  evaluate_generated_jets(test_jets, generated, e, std::cout);
  result.evaluation = e.json_path;
  result.report = e.report_path;
  if (!o.truth_floor) return;
  print_truth_floor(trainer, all_jets, test_jets, paths, e);
  result.truth_floor = paths.truth_floor();
}

/// Test hook of the failure tests (tests/dist): FLOWJET_TEST_RANK_FAILURE = "RANK:STEP:exit" makes
/// that rank exit at once (without MPI_Finalize, like a crash) in step STEP, after its backward pass;
/// "RANK:STEP:hang" makes it sleep there instead, so the other ranks' all-reduce times out.
void install_test_rank_failure(flows::Trainer& trainer) {
  const char* spec = std::getenv("FLOWJET_TEST_RANK_FAILURE");
  if (!spec) return;
  int rank = -1;
  long long step = -1;
  char mode[8] = {};
  if (std::sscanf(spec, "%d:%lld:%7s", &rank, &step, mode) != 3 ||
      (std::string(mode) != "exit" && std::string(mode) != "hang"))
    throw ConfigError(fmt::format("FLOWJET_TEST_RANK_FAILURE = {}: expected RANK:STEP:exit or RANK:STEP:hang", spec));
  if (rank != trainer.rank()) return;
  const bool hang = std::string(mode) == "hang";
  trainer.set_gradient_hook([&trainer, step, hang](const NamedTensors&) {
    if (trainer.steps_done() + 1 != step) return;
    std::fprintf(stderr, "bin/train: rank %d: FLOWJET_TEST_RANK_FAILURE: %s in step %lld\n", trainer.rank(),
                 hang ? "hanging" : "exiting", step);
    if (!hang) std::_Exit(9);
    for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
  });
}

TrainingPipelineResult train(const TrainingPipelineOptions& options, const IniConfig& config, flows::TrainOptions o,
                             dist::Communicator& comm) {
  TrainingPipelineResult result;
  result.lead = comm.rank() == 0;  // prints, writes the run directory, evaluates
  result.run_dir = o.run_dir;
  std::string note;
  const Device device = choose_device(o.device, "[train] device", note);
  if (!note.empty() && result.lead) std::fprintf(stderr, "%s\n", note.c_str());
  if (o.threads > 0) set_num_threads(static_cast<int>(o.threads));

  flows::TrainingData data = flows::load_training_data(o.data);
  if (result.lead)
    for (const std::string& w : data.warnings)
      std::fprintf(stderr, "%s: warning: %s\n", o.data.path.c_str(), w.c_str());
  flows::Trainer trainer(o, std::move(data.prepared), device, &comm);
  install_test_rank_failure(trainer);
  flows::RunSettings settings;
  settings.resume = !options.resume_dir.empty();
  if (!result.lead) {
    if (options.dry_run) return result;
    flows::TrainingObserver silent;
    result.summary = flows::run_training(trainer, flows::RunPaths(o.run_dir), settings, silent);
    result.trained = true;
    comm.barrier("the barrier at the end of training");
    result.exit_status = result.summary.completed ? 0 : 3;
    return result;
  }
  fmt::print("configuration: {}, device {}, {} CPU thread(s)\n", config.name(), device_name(device), num_threads());
  print_model_summary(trainer);
  print_plan(trainer);
  std::fflush(stdout);
  if (options.dry_run) {
    print_peak_memory(trainer);
    fmt::print("dry run: configuration, data and model are valid; nothing was trained\n");
    return result;
  }

  const flows::RunPaths paths(o.run_dir);
  const std::string ini = effective_ini(config);
  settings.extra["train.config"] = ini;
  settings.config_ini = ini;  // written by run_training after its check that a fresh run overwrites nothing
  ProgressPrinter printer = ProgressPrinter::for_stderr();

  // Under mpirun, mpirun owns the signals (it ends every rank): a distributed run resumes from its
  // last periodic checkpoint.
  if (comm.size() == 1 && options.install_interrupt) settings.interrupt = options.install_interrupt();
  result.summary = flows::run_training(trainer, paths, settings, printer);
  result.trained = true;
  // Every rank has finished the same steps (rank 0 also its last checkpoints); the others then
  // wait in MPI_Finalize while rank 0 generates and evaluates.
  comm.barrier("the barrier at the end of training");
  if (options.restore_interrupt) options.restore_interrupt();  // generation and scoring are redone by --resume
  printer.finish_line();
  const flows::RunSummary& s = result.summary;
  if (s.interrupted_by != 0) {
    result.exit_status = interrupted_exit_status(s.interrupted_by);
    return result;
  }
  if (!s.completed) {
    result.exit_status = 3;  // distinct from 2 (a command-line mistake), so scripts can tell a diverged run apart
    return result;
  }
  fmt::print(
      "trained {} steps in {} ({:.0f} jets/s this session); validation NLL {:.5f}, best {:.5f} at step {}; "
      "{} skipped step(s)\n",
      s.steps, format_duration(s.elapsed_seconds), s.jets_per_second, s.final_validation.value_or(NAN),
      s.best_validation.value_or(NAN), s.best_step, s.bad_steps);
  std::fflush(stdout);
  if (o.generate) generate_and_evaluate(trainer, data.jets, paths, printer, result);
  return result;
}

}  // namespace

TrainingPipelineResult run_training_pipeline(const TrainingPipelineOptions& options) {
  std::string config_path = options.config;
  if (config_path.empty() && options.resume_dir.empty())
    throw ConfigError(fmt::format("{}: no configuration file given (CONFIG.ini, or a run directory to resume)",
                                  options.program));
  if (config_path.empty()) config_path = flows::RunPaths(options.resume_dir).config();
  const IniConfig config = load_train_config(config_path, options.overrides);
  flows::TrainOptions o = train_options_from(config);
  if (!options.resume_dir.empty()) o.run_dir = options.resume_dir;
  const std::unique_ptr<dist::Communicator> comm = dist::make_communicator(o.distributed, o.distributed_timeout);
  if (comm->size() == 1) return train(options, config, o, *comm);
  try {
    return train(options, config, o, *comm);
  } catch (const std::exception& e) {
    // The other ranks would wait for this one in their next collective: end the job now.
    dist::abort_job(*comm, fmt::format("{}: rank {} of {}: error: {}", options.program, comm->rank(), comm->size(),
                                       e.what()));
  }
}

}  // namespace flowjet::tools

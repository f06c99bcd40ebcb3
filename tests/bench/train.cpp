// Benchmark of one configuration's training step, sampling and log_prob, the flowjet half of the
// comparison with PyTorch + nflows (tools/bench_vs_torch.sh, docs/performance.md). The Trainer is
// built from the INI exactly as bin/train builds it, on the CPU; the batch size is --batch.
//   bin/bench_train CONFIG [--threads N] [--steps S] [--batch B] [--warmup W]
// Each figure: median and best of S timed calls after W warm-up calls, and the median CPU time of
// the process per call (on a shared machine less disturbed by other jobs than the wall time). For CCNF models the
// training step includes the mass-constraint sampling pass, recorded from the first step
// (n_mse_delay is set to -1), and the step of the same flow without it (the CNF equivalent) is
// timed as well. The last lines are "RESULT key=value ..." for scripts.
#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "engine/backend/cpu/thread_pool.h"
#include "flows/generate.h"
#include "flows/jet_log_prob.h"
#include "flows/train/trainer.h"
#include "flows/train/training_data.h"
#include "tests/bench/timing.h"
#include "tools/common/cli.h"
#include "tools/common/train_config.h"

using namespace flowjet;

namespace {

struct Settings {
  std::string config;
  int threads = 0;  // 0: the configuration's train.threads, else FLOWJET_THREADS or every core
  int steps = 5;
  int warmup = 1;
  int64_t batch = 2000;
};

tools::CommandLine make_command_line() {
  tools::CommandLine cli("bin/bench_train",
                         "usage: bin/bench_train CONFIG [--threads N] [--steps S] [--batch B] [--warmup W]",
                         "Times the training step, sampling and log_prob of CONFIG's model on the CPU "
                         "(docs/performance.md). Exit status: 0 done, 1 an error, 2 a command-line mistake.");
  cli.add_positional("CONFIG", "the training configuration (INI) whose model is timed");
  cli.add_option("threads", "N", "CPU threads", "the configuration's, else FLOWJET_THREADS or every core");
  cli.add_option("steps", "S", "timed calls per measurement", "5");
  cli.add_option("batch", "B", "jets per training step, per sampling call and per log_prob call", "2000");
  cli.add_option("warmup", "W", "untimed calls before the timed ones", "1");
  return cli;
}

Settings parse_settings(const tools::CommandLine& cli) {
  Settings s;
  s.config = cli.positional().at(0);
  if (!std::filesystem::is_regular_file(s.config))
    throw tools::UsageError(fmt::format("configuration file \"{}\" not found", s.config));
  s.threads = static_cast<int>(cli.integer("threads", 0, 1, 1024));
  s.steps = static_cast<int>(cli.integer("steps", s.steps, 1, 100000));
  s.warmup = static_cast<int>(cli.integer("warmup", s.warmup, 0, 100000));
  s.batch = cli.integer("batch", s.batch, 1);
  return s;
}

struct Timing {
  double median, best;  // wall-clock seconds per call
  double cpu_median;    // CPU seconds of the whole process per call (all threads)
};

double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

/// `steps` timed calls after `warmup` untimed ones; `before` (untimed) runs ahead of every call.
Timing time_calls(int warmup, int steps, const std::function<void()>& call,
                  const std::function<void()>& before = [] {}) {
  for (int w = 0; w < warmup; ++w) {
    before();
    call();
  }
  std::vector<double> wall, cpu;
  for (int r = 0; r < steps; ++r) {
    before();
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = process_cpu_seconds();
    call();
    cpu.push_back(process_cpu_seconds() - cpu_start);
    wall.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return {median_of(wall), *std::min_element(wall.begin(), wall.end()), median_of(cpu)};
}

/// The CNF model trained by the same flow as a CCNF model.
flows::ModelKind without_mass_loss(flows::ModelKind kind) {
  return kind == flows::ModelKind::CCNF_M ? flows::ModelKind::CNF_M : flows::ModelKind::CNF_MN;
}

/// One printed line and the RESULT fields of a timed measurement.
void report(const char* name, const char* key, const Timing& t, int64_t jets, std::string& result) {
  const double per_s = static_cast<double>(jets) / t.median;
  fmt::print("{:<34} median {:9.1f} ms  best {:9.1f} ms  {:9.0f} jets/s  CPU {:9.1f} ms\n", name, t.median * 1e3,
             t.best * 1e3, per_s, t.cpu_median * 1e3);
  result += fmt::format(" {0}_ms={1:.2f} {0}_best_ms={2:.2f} {0}_jets_per_s={3:.0f} {0}_cpu_ms={4:.2f}", key,
                        t.median * 1e3, t.best * 1e3, per_s, t.cpu_median * 1e3);
}

/// The epoch's last batch holds the remainder of the training rows (4,000 of 14,000 at batch
/// 10,000): step over it untimed, so that every timed step sees a full batch.
void skip_partial_batch(flows::Trainer& trainer) {
  const int64_t rows = static_cast<int64_t>(trainer.prepared().split.train.size());
  const int64_t batch = trainer.options().batch_size;
  const bool last_of_epoch = trainer.batches_seen() % trainer.batches_per_epoch() == trainer.batches_per_epoch() - 1;
  if (last_of_epoch && rows % batch != 0) trainer.step();
}

int run(const Settings& s) {
  flows::TrainOptions o = tools::train_options_from(tools::load_train_config(s.config));
  o.batch_size = s.batch;
  o.n_mse_delay = -1;  // the mass loss is back-propagated from the first step (CCNF)
  if (s.threads > 0) o.threads = s.threads;
  if (o.threads > 0) set_num_threads(static_cast<int>(o.threads));

  const flows::TrainingData data = flows::load_training_data(o.data);
  const std::vector<int64_t>& train_rows = data.prepared.split.train;
  if (s.batch > static_cast<int64_t>(train_rows.size()))
    throw tools::UsageError(
        fmt::format("--batch {} is larger than the {} training jets of {}", s.batch, train_rows.size(), o.data.path));
  flows::Trainer trainer(o, data.prepared, Device::CPU);
  const std::vector<int64_t> first_rows(train_rows.begin(), train_rows.begin() + s.batch);
  const data::JetSet scored = flows::select_jets(data.jets, first_rows);
  const bool ccnf = flows::model_uses_mass_loss(o.model);

  fmt::print("cpu: {}\nthreads: {}\nload average at start: {}\n", bench::cpu_model(), num_threads(), bench::load_average());
  fmt::print("config: {} ({}, {} parameters), batch {}, {} timed call(s) after {} warm-up call(s), f32\n", s.config,
             flows::model_kind_name(o.model), o.flow.parameter_count(), s.batch, s.steps, s.warmup);
  std::string result;
  report(ccnf ? "train step (with mass constraint)" : "train step", "train_step",
         time_calls(s.warmup, s.steps, [&] { trainer.step(); }, [&] { skip_partial_batch(trainer); }), s.batch,
         result);

  flows::GenerateOptions g;
  g.batch_size = s.batch;
  report("sample (generate_jets)", "sample", time_calls(s.warmup, s.steps, [&] {
           flows::generate_jets(trainer.model(), s.batch, g);
         }), s.batch, result);
  report("log_prob (jet_log_prob)", "logprob", time_calls(s.warmup, s.steps, [&] {
           flows::jet_log_prob(trainer.model(), scored, s.batch);
         }), s.batch, result);

  if (ccnf) {
    flows::TrainOptions cnf = o;
    cnf.model = without_mass_loss(o.model);
    flows::Trainer cnf_trainer(cnf, data.prepared, Device::CPU);
    report("train step (cnf equivalent)", "train_step_cnf",
           time_calls(s.warmup, s.steps, [&] { cnf_trainer.step(); }, [&] { skip_partial_batch(cnf_trainer); }),
           s.batch, result);
  }

  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double peak_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB
  const double user_s = static_cast<double>(usage.ru_utime.tv_sec) + usage.ru_utime.tv_usec * 1e-6;
  const double sys_s = static_cast<double>(usage.ru_stime.tv_sec) + usage.ru_stime.tv_usec * 1e-6;
  fmt::print("peak RSS {:.0f} MiB, user {:.1f} s, sys {:.1f} s (whole process)\n", peak_rss_mb, user_s, sys_s);
  fmt::print("load average at end: {}\n", bench::load_average());
  fmt::print("RESULT engine=flowjet{} peak_rss_mb={:.0f} user_s={:.2f} sys_s={:.2f} threads={} batch={}\n", result,
             peak_rss_mb, user_s, sys_s, num_threads(), s.batch);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return tools::run_program(make_command_line(), argc, argv,
                            [](const tools::CommandLine& cli) { return run(parse_settings(cli)); });
}

// Benchmark of jet generation (training-recipe.md §9) with the talk's model size: 15 RQS layers, K = 5,
// H = 256, 2 residual blocks, context (m, n), random initial weights; scaler and conditional
// sampler fitted on the committed gluon sample. Reports jets/s of generate_jets (conditions,
// inverse flow, post-processing) and of jet_log_prob on 1 and 2 threads. f32, CPU.
// Besides jets per wall-clock second, jets per CPU-second of the process: on a shared machine the
// first depends on how much of the cores the process got, the second much less.
// Each figure is one timed call (a warm-up would double a run of minutes for nothing: the first
// batch already warms the caches).
//   bin/bench_sample [JETS]   (default 10000; run from the repository root)
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>

#include "data/jetnet_hdf5.h"
#include "data/preprocess.h"
#include "engine/backend/cpu/thread_pool.h"
#include "flows/generate.h"
#include "flows/jet_log_prob.h"
#include "tests/bench/timing.h"

using namespace flowjet;

namespace {

struct Seconds {
  double wall, cpu;  // cpu: of the whole process, all threads (std::clock)
};

Seconds seconds_of(const std::function<void()>& call) {
  const auto start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  call();
  return {std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
          static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC};
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t jets = argc > 1 ? std::atoll(argv[1]) : 10000;
  const data::PreparedData prepared = data::prepare(data::read_jetnet("data/samples/g.h5"));

  flows::FlowSpec spec;  // defaults: 90 features, 15 RQS layers, K = 5, H = 256, 2 blocks
  spec.context_features = 2;
  flows::JetModel model;
  model.flow = std::make_unique<flows::Flow>(spec);
  model.scaler = prepared.scaler;
  model.sampler = flows::ConditionalSampler::fit(prepared, 42);
  model.kind = "cnf_mn";
  model.scaled_zero_mass = prepared.scaled_zero_mass;
  model.jet_type = "g";

  std::printf("load average at start %s\n", bench::load_average().c_str());
  std::printf("jet generation, talk-sized CNF(m, n) (%lld parameters), %lld jets, batch 10000, f32\n",
              static_cast<long long>(spec.parameter_count()), static_cast<long long>(jets));
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    flows::GenerateOptions options;
    data::JetSet generated;
    const Seconds sample = seconds_of([&] { generated = flows::generate_jets(model, jets, options); });
    const Seconds score = seconds_of([&] { flows::jet_log_prob(model, generated); });
    const double n = static_cast<double>(jets);
    std::printf("threads %d: sample %.0f jets/s (%.0f per CPU-second), log_prob %.0f jets/s (%.0f per CPU-second)\n",
                threads, n / sample.wall, n / sample.cpu, n / score.wall, n / score.cpu);
  }
  std::printf("load average at end %s\n", bench::load_average().c_str());
  return 0;
}

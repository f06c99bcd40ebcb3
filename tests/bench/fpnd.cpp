// Benchmark of FPND's ParticleNet forward pass (metric-definitions.md §9.2) on CPU, float32: the time for
// N jets (default 50,000) in batches, on the given number of threads (default 2), by the wall clock
// and by the process's CPU time (which leaves out waiting for a core on a shared machine), and the
// FPND of those jets against the gluon statistics, so that a run of jetnet on the same jets
// (tools/py/bench_jetnet_fpnd.py, `make bench-fpnd-vs-jetnet`) can be checked to agree.
// Usage: bin/bench_fpnd [jets] [threads] [batch_size] [jets.h5]: the first N jets of a JetNet-layout
// file (30 particles), else N synthetic jets (bench_jets.h). Weights from $FLOWJET_FPND_DIR, else the
// committed metrics/resources/fpnd (skipped with a note when they are not there).
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/core/error.h"
#include "metrics/fpnd/fpnd.h"
#include "metrics/fpnd/fpnd_pipeline.h"
#include "metrics/fpnd/fpnd_resources.h"
#include "metrics/jets/jet_set_input.h"
#include "metrics/fpnd/particlenet_weights.h"
#include "tests/bench/bench_jets.h"
#include "tests/bench/timing.h"

using namespace flowjet;
using namespace flowjet::metrics;

namespace {

/// CPU seconds of the whole process (all threads).
double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const int64_t jets = argc > 1 ? std::atoll(argv[1]) : 50000;
    const int threads = argc > 2 ? std::atoi(argv[2]) : 2;
    const int64_t batch_size = argc > 3 ? std::atoll(argv[3]) : FpndOptions().batch_size;
    const std::string jets_file = argc > 4 ? argv[4] : "";
    set_num_threads(threads);
    const std::string directory = default_fpnd_directory();
    const std::string weights = directory + "/pnet_state_dict.pt";
    if (!std::ifstream(weights).good()) {
      std::printf("ParticleNet forward (FPND): skipped, no %s (set FLOWJET_FPND_DIR)\n", weights.c_str());
      return 0;
    }
    const auto net = load_particlenet(weights);
    int64_t used = 0;
    const std::vector<float> input =
        jets_file.empty() ? fpnd_network_input(bench::bench_jets(jets), 0, used)
                          : fpnd_network_input(read_jet_array(jets_file, 30, data::JetType::G), jets, used);
    const double wall_start = bench::wall_seconds(), cpu_start = process_cpu_seconds();
    const std::vector<float> activations = particlenet_activations(*net, input, used, 30, batch_size);
    const double wall = bench::wall_seconds() - wall_start, cpu = process_cpu_seconds() - cpu_start;
    const double fpnd_g =
        fpnd_from_activations(activations, used, ParticleNet::kActivations, load_fpnd_statistics(directory, 'g'));
    // ~8.6e7 multiply-adds per jet (metric-definitions.md §9.2, first layer per node).
    std::printf("CPU: %s\n", bench::cpu_model().c_str());
    std::printf("ParticleNet forward (FPND), %lld jets of %s, batch %lld, %d threads, f32: %.2f s wall, %.2f s CPU "
                "(%.2f ms/jet, %.1f GFLOP/s by wall time), FPND vs g %.6f, load average %s\n",
                static_cast<long long>(used), jets_file.empty() ? "bench_jets" : jets_file.c_str(),
                static_cast<long long>(batch_size), threads, wall, cpu, 1e3 * wall / static_cast<double>(used),
                2 * 8.6e7 * static_cast<double>(used) / wall / 1e9, fpnd_g, bench::load_average().c_str());
    std::printf("RESULT engine=flowjet wall_s=%.3f cpu_s=%.3f fpnd=%.6f\n", wall, cpu, fpnd_g);
    return activations.empty() ? 1 : 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "bench_fpnd: %s\n", e.what());
    return 1;
  }
}

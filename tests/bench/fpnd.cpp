// Benchmark of FPND's ParticleNet forward pass (spec metrics.md 9.2) on CPU, float32: the time for
// N jets (default 50,000) in batches, on the given number of threads (default 2).
// Usage: bin/bench_fpnd [jets] [threads] [batch_size]; weights from $FLOWJET_FPND_DIR, else the
// committed metrics/resources/fpnd (skipped with a note when they are not there).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/core/error.h"
#include "metrics/fpnd.h"
#include "metrics/fpnd_pipeline.h"
#include "metrics/fpnd_resources.h"
#include "metrics/particlenet_weights.h"
#include "tests/bench/bench_jets.h"
#include "tests/bench/timing.h"

using namespace flowjet;
using namespace flowjet::metrics;

int main(int argc, char** argv) {
  try {
    const int64_t jets = argc > 1 ? std::atoll(argv[1]) : 50000;
    const int threads = argc > 2 ? std::atoi(argv[2]) : 2;
    const int64_t batch_size = argc > 3 ? std::atoll(argv[3]) : FpndOptions().batch_size;
    set_num_threads(threads);
    const std::string weights = default_fpnd_directory() + "/pnet_state_dict.pt";
    if (!std::ifstream(weights).good()) {
      std::printf("ParticleNet forward (FPND): skipped, no %s (set FLOWJET_FPND_DIR)\n", weights.c_str());
      return 0;
    }
    const auto net = load_particlenet(weights);
    int64_t used = 0;
    const std::vector<float> input = fpnd_network_input(bench::bench_jets(jets), 0, used);
    const auto start = std::chrono::steady_clock::now();
    const std::vector<float> activations = particlenet_activations(*net, input, used, 30, batch_size);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // ~8.6e7 multiply-adds per jet (spec 9.2, first layer per node).
    std::printf("ParticleNet forward (FPND), %lld jets, batch %lld, %d threads, f32: %.1f s (%.2f ms/jet, "
                "%.1f GFLOP/s), load average %s\n",
                static_cast<long long>(used), static_cast<long long>(batch_size), threads, seconds,
                1e3 * seconds / static_cast<double>(used), 2 * 8.6e7 * static_cast<double>(used) / seconds / 1e9,
                bench::load_average().c_str());
    return activations.empty() ? 1 : 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "bench_fpnd: %s\n", e.what());
    return 1;
  }
}

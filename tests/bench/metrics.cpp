// bench_metrics: wall time of every metric of evaluate() except FPND under the talk preset, on two
// 50,000-jet samples made by resampling the committed 20,000-jet stand-in files with replacement
// (real: data/samples/g.h5, generated: data/samples/q.h5; seeded, so every run sees the same jets).
// First it times the exact EMD alone: a 100 x 100 batch of jet pairs on one thread.
// Usage: bench_metrics [THREADS ...]   (default: 2). Run from the repository root.
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "metrics/batches/batches.h"
#include "metrics/emd/emd.h"
#include "metrics/evaluation/evaluation.h"
#include "metrics/jets/jet_set_input.h"
#include "tests/bench/timing.h"

using namespace flowjet;
using namespace flowjet::metrics;

namespace {

constexpr int64_t kJets = 50000;

// `count` jets drawn with replacement from `jets`.
JetArray resample(const JetArray& jets, int64_t count, uint64_t seed) {
  IndexSampler sampler(seed);
  JetArray out(count, jets.particles);
  const auto block = static_cast<size_t>(jets.particles * 3);
  for (int64_t j = 0; j < count; ++j) {
    const double* source = jets.jet(sampler.draw(jets.jets));
    std::copy(source, source + block, out.jet(j));
  }
  return out;
}

// User + system CPU time of the whole process (all threads), which a busy machine inflates less
// than wall time.
double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec); };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> thread_counts;
  for (int i = 1; i < argc; ++i) thread_counts.push_back(std::atoi(argv[i]));
  if (thread_counts.empty()) thread_counts = {2};

  const JetArray real = resample(read_jet_array("data/samples/g.h5", 30, data::JetType::G), kJets, 1);
  const JetArray gen = resample(read_jet_array("data/samples/q.h5", 30, data::JetType::Q), kJets, 2);
  std::printf("evaluate(), talk preset, all metrics but FPND, on %lld + %lld jets resampled from data/samples/g.h5 "
              "and q.h5.\nSeconds of wall time per step of one call per thread count, then the call's wall and CPU time. "
              "Load average at start: %s\n",
              static_cast<long long>(real.jets), static_cast<long long>(gen.jets), bench::load_average().c_str());

  // One COV/MMD batch's worth of EMDs on this thread; the sum keeps the calls from being
  // optimised away.
  double emd_sum = 0;
  const bench::Timing emd_time = bench::time_calls(3, [&] {
    for (int64_t g = 0; g < 100; ++g)
      for (int64_t r = 0; r < 100; ++r)
        emd_sum += emd(gen.jet(g), gen.particles, real.jet(r), real.particles);
  });
  std::printf("emd: %.1f us per EMD of two %lld-particle jets on 1 thread (best of 3 batches of "
              "100 x 100; median %.1f us), %.0f EMDs per second (checksum %.6f)\n",
              emd_time.best / 1e4 * 1e6, static_cast<long long>(real.particles),
              emd_time.median / 1e4 * 1e6, 1e4 / emd_time.best, emd_sum / 4e4);

  EvaluationOptions options;
  options.metrics = parse_metric_selection("w1m,w1p,w1efp,cov_mmd,fpd,kpd");
  for (const int threads : thread_counts) {
    options.threads = threads;
    const double cpu_before = process_cpu_seconds();
    const EvaluationResult result = evaluate(real, gen, options);
    const double cpu = process_cpu_seconds() - cpu_before;
    double total = 0;
    std::printf("threads %d:", threads);
    for (const auto& [name, seconds] : result.seconds) {
      std::printf("  %s %.2f", name.c_str(), seconds);
      total += seconds;
    }
    std::printf("  | total %.1f s wall, %.1f s CPU\n", total, cpu);
    std::fflush(stdout);
  }
  return 0;
}

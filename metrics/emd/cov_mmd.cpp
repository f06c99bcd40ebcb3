// COV and MMD (metric-definitions.md §8.2): per batch a [gen, real] matrix of exact jet EMDs (emd.h).
#include "metrics/emd/cov_mmd.h"

#include <atomic>
#include <limits>

#include <fmt/format.h>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/core/error.h"
#include "metrics/emd/emd.h"

namespace flowjet::metrics {

CovMmdResult cov_mmd(const JetArray& real, const JetArray& gen, const BatchPlan& plan) {
  check_jet_array_shape(real, "cov_mmd: real jets");
  check_jet_array_shape(gen, "cov_mmd: generated jets");
  check_jet_array_finite(real, "cov_mmd: real jets");
  check_jet_array_finite(gen, "cov_mmd: generated jets");
  check_jet_array_nonnegative_pt(real, "cov_mmd: real jets");
  check_jet_array_nonnegative_pt(gen, "cov_mmd: generated jets");
  check_batch_plan(plan, real.jets, gen.jets, "cov_mmd");

  CovMmdResult out;
  std::atomic<int64_t> both_empty{0};
  for (const auto& batch : plan) {
    const auto num_real = static_cast<int64_t>(batch.first.size());
    const auto num_gen = static_cast<int64_t>(batch.second.size());
    std::vector<double> dist(static_cast<size_t>(num_gen * num_real));  // [gen, real]
    parallel_for(num_gen * num_real, 64, [&](int64_t begin, int64_t end) {
      int64_t empty_here = 0;
      for (int64_t t = begin; t < end; ++t) {
        const int64_t g = t / num_real, r = t % num_real;
        bool is_empty = false;
        dist[static_cast<size_t>(t)] = emd(gen.jet(batch.second[static_cast<size_t>(g)]), gen.particles,
                                           real.jet(batch.first[static_cast<size_t>(r)]), real.particles,
                                           &is_empty);
        empty_here += is_empty ? 1 : 0;
      }
      both_empty += empty_here;
    });
    // MMD: for each real position, the distance to its nearest generated jet.
    double mmd = 0.0;
    for (int64_t r = 0; r < num_real; ++r) {
      double nearest = std::numeric_limits<double>::infinity();
      for (int64_t g = 0; g < num_gen; ++g) nearest = std::min(nearest, dist[static_cast<size_t>(g * num_real + r)]);
      mmd += nearest;
    }
    // COV: real positions that are the (first) nearest real jet of some generated jet.
    std::vector<char> covered(static_cast<size_t>(num_real), 0);
    for (int64_t g = 0; g < num_gen; ++g) {
      int64_t best = 0;
      for (int64_t r = 1; r < num_real; ++r)
        if (dist[static_cast<size_t>(g * num_real + r)] < dist[static_cast<size_t>(g * num_real + best)]) best = r;
      covered[static_cast<size_t>(best)] = 1;
    }
    int64_t num_covered = 0;
    for (const char c : covered) num_covered += c;
    out.cov_batches.push_back(static_cast<double>(num_covered) / static_cast<double>(num_real));
    out.mmd_batches.push_back(mmd / static_cast<double>(num_real));
  }
  for (size_t b = 0; b < plan.size(); ++b) {
    out.cov += out.cov_batches[b];
    out.mmd += out.mmd_batches[b];
  }
  out.cov /= static_cast<double>(plan.size());
  out.mmd /= static_cast<double>(plan.size());
  out.both_empty_pairs = both_empty.load();
  if (out.both_empty_pairs > 0)
    out.warnings.push_back(fmt::format("cov_mmd: {} EMDs between two jets of total pt 0 were set to 0",
                                       out.both_empty_pairs));
  return out;
}

CovMmdResult cov_mmd(const JetArray& real, const JetArray& gen, const EvalSettings& settings,
                     CovMmdOrder order) {
  const JetArray& first = order == CovMmdOrder::Jetnet ? real : gen;
  const JetArray& second = order == CovMmdOrder::Jetnet ? gen : real;
  return cov_mmd(first, second, cov_batch_plan(settings, first.jets, second.jets));
}

}  // namespace flowjet::metrics

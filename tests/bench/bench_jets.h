// Jets for the FPND benches (bench_fpnd on the CPU, bench_cuda on the GPU): shaped like spec
// metric-definitions.md §11.8's deterministic sample, cycling through 1,000 patterns.
#pragma once

#include <cmath>
#include <cstdint>

#include "metrics/jets/jet_array.h"

namespace flowjet::bench {

/// `count` jets of 30 particles (10 to 30 of them real, the rest padding).
inline metrics::JetArray bench_jets(int64_t count) {
  metrics::JetArray jets(count, 30);
  for (int64_t j = 0; j < count; ++j) {
    const double pattern = static_cast<double>(j % 1000);
    const int64_t n = 10 + (7 * j) % 21;
    const double a = 0.1 + 0.3 * (static_cast<double>((37 * j) % 100) / 100.0);
    const double lambda = 0.1 + 0.0002 * pattern;
    double norm = 0;
    for (int64_t k = 0; k < n; ++k) norm += std::exp(-lambda * static_cast<double>(k));
    for (int64_t i = 0; i < n; ++i) {
      const double di = static_cast<double>(i);
      jets.eta_rel(j, i) = a * std::sin(0.9 * di + 0.11 * pattern) * std::exp(-0.04 * di);
      jets.phi_rel(j, i) = a * std::cos(1.1 * di + 0.07 * pattern) * std::exp(-0.04 * di);
      jets.pt_rel(j, i) = std::exp(-lambda * di) / norm;
    }
  }
  return jets;
}

}  // namespace flowjet::bench

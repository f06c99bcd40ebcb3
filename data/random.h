// The data layer's one random number generator: a seeded std::mt19937_64 with portable,
// hand-written draws (uniform, bounded integer, normal, shuffle). The same seed gives the same
// sequence on every platform and standard library (std::*_distribution is not portable).
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace flowjet::data {

/// Mixes a seed with a stream tag (SplitMix64 finaliser) so that independent consumers
/// (split, noise, jitter, epoch shuffles) get unrelated streams from one user seed.
uint64_t derive_seed(uint64_t seed, uint64_t stream);

/// Seeded generator. Deterministic: equal seeds give equal draws, call for call.
class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}

  /// Raw 64 random bits.
  uint64_t next_u64() { return engine_(); }
  /// Uniform double in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  /// Unbiased integer in [0, n) (rejection sampling); n must be >= 1.
  uint64_t uniform_index(uint64_t n);
  /// Standard normal draw (Box–Muller, one value per call).
  double normal();
  /// In-place Fisher–Yates shuffle using uniform_index.
  void shuffle(std::vector<int64_t>& values);

 private:
  std::mt19937_64 engine_;
};

}  // namespace flowjet::data

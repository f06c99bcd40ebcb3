// The sequential generator of engine/random, for host-side draws that are consumed one after the
// other (the data split, padding noise, epoch shuffles, the conditional sampler, test fixtures): a
// seeded std::mt19937_64 with portable, hand-written draws. The C++ standard fixes mt19937_64's
// output sequence, and std::*_distribution is not portable, so the same seed gives the same draws
// on every platform and standard library.
//
// Why a second algorithm next to Generator (Philox): the splits, noise and shuffles of every
// committed result were drawn from these streams; switching them to Philox would change which jets
// are trained and evaluated on. Seed it with derive_seed (engine/random/derive_seed.h).
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace flowjet {

/// Seeded sequential generator. Deterministic: equal seeds give equal draws, call for call.
class SequentialRng {
 public:
  explicit SequentialRng(uint64_t seed) : engine_(seed) {}

  /// Raw 64 random bits (the next mt19937_64 output).
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

}  // namespace flowjet

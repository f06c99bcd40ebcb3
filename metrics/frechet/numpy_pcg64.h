// numpy's default_rng(seed): SeedSequence -> PCG64, and Generator.choice(n, size) (uniform
// indices with replacement), reproduced bit for bit for FPD/KPD (metric-definitions.md §13.4).
#pragma once

#include <cstdint>
#include <vector>

namespace flowjet::metrics {

/// PCG64 (XSL-RR 128/64) seeded like numpy.random.default_rng(seed), with numpy's buffered
/// 32-bit draws and Lemire bounded integers.
class NumpyPcg64 {
 public:
  explicit NumpyPcg64(uint64_t seed);

  /// Next 64-bit output (advances the state, then permutes the new state).
  uint64_t next_uint64();
  /// Next 32-bit draw: the low half of a fresh 64-bit output, or the kept high half.
  uint32_t next_uint32();
  /// One index uniform in {0 .. n-1}, 1 <= n <= 2^32 (numpy's buffered Lemire method).
  int64_t bounded(int64_t n);
  /// numpy's Generator.choice(n, size=count): count successive bounded draws.
  std::vector<int64_t> choice(int64_t n, int64_t count);

  /// The 128-bit state and increment as (high, low) words, for tests.
  uint64_t state_high() const { return static_cast<uint64_t>(state_ >> 64); }
  uint64_t state_low() const { return static_cast<uint64_t>(state_); }
  uint64_t increment_high() const { return static_cast<uint64_t>(increment_ >> 64); }
  uint64_t increment_low() const { return static_cast<uint64_t>(increment_); }

 private:
  void step();
  unsigned __int128 state_ = 0;
  unsigned __int128 increment_ = 0;
  bool has_kept_half_ = false;
  uint32_t kept_half_ = 0;
};

}  // namespace flowjet::metrics

// The documented way to give each random consumer of a run its own stream: mix the user seed with
// a fixed stream tag. Both generators of engine/random take the result as their seed:
//   Generator(derive_seed(seed, tag))      counter-based Philox (tensors, CPU and GPU)
//   SequentialRng(derive_seed(seed, tag))  mt19937_64 (host-side index draws of the data layer)
// Different tags give unrelated streams; derive_seed(derive_seed(seed, a), b) nests (a stream per
// batch and rank, say). The tags in use and what draws from each are listed in
// docs/data_pipeline.md §5.
#pragma once

#include <cstdint>

namespace flowjet {

/// The SplitMix64 output (Steele, Lea, Flood 2014) for the state seed + (stream + 1) times the
/// golden-ratio increment: a 64-bit seed unrelated to that of any other (seed, stream) pair.
constexpr uint64_t derive_seed(uint64_t seed, uint64_t stream) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace flowjet

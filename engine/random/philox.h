// Philox-4x32-10, the counter-based generator of Salmon et al., "Parallel random numbers: as easy
// as 1, 2, 3" (SC 2011), also provided by cuRAND. Pure functions usable on the host and in CUDA
// kernels, so the CPU and the GPU draw identical streams from the same (seed, offset).
#pragma once

#include <cstdint>

#include "engine/core/host_device.h"

namespace flowjet {

struct Philox4x32 {
  uint32_t v[4];
};

// Round multipliers and Weyl key increments from the Philox paper (Table 2).
constexpr uint32_t kPhiloxMul0 = 0xD2511F53u, kPhiloxMul1 = 0xCD9E8D57u;
constexpr uint32_t kPhiloxWeyl0 = 0x9E3779B9u, kPhiloxWeyl1 = 0xBB67AE85u;

/// One Philox round on the counter words (c0, c1, c2, c3) with the round key (key0, key1); the CPU's
/// eight-block AVX2 version in engine/random/generator.cpp (philox_group) follows it step by step.
FLOWJET_HOST_DEVICE inline void philox_round(uint32_t& c0, uint32_t& c1, uint32_t& c2, uint32_t& c3, uint32_t key0,
                                             uint32_t key1) {
  const uint64_t p0 = static_cast<uint64_t>(kPhiloxMul0) * c0;
  const uint64_t p1 = static_cast<uint64_t>(kPhiloxMul1) * c2;
  const uint32_t n0 = static_cast<uint32_t>(p1 >> 32) ^ c1 ^ key0;
  const uint32_t n2 = static_cast<uint32_t>(p0 >> 32) ^ c3 ^ key1;
  c1 = static_cast<uint32_t>(p1);
  c3 = static_cast<uint32_t>(p0);
  c0 = n0;
  c2 = n2;
}

/// One Philox-4x32-10 block: 10 rounds on a 128-bit counter with a 64-bit key.
FLOWJET_HOST_DEVICE inline Philox4x32 philox4x32_10(Philox4x32 counter, uint32_t key0, uint32_t key1) {
  for (int round = 0; round < 10; ++round) {
    philox_round(counter.v[0], counter.v[1], counter.v[2], counter.v[3], key0, key1);
    key0 += kPhiloxWeyl0;
    key1 += kPhiloxWeyl1;
  }
  return counter;
}

/// Block number `block` of the stream of `seed`: the counter (block, 0) under the key seed.
FLOWJET_HOST_DEVICE inline Philox4x32 philox_block(uint64_t seed, uint64_t block) {
  Philox4x32 counter{{static_cast<uint32_t>(block), static_cast<uint32_t>(block >> 32), 0u, 0u}};
  return philox4x32_10(counter, static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32));
}

/// The 32-bit word number `index` of the stream (seed, offset): word i of block (offset + i/4).
FLOWJET_HOST_DEVICE inline uint32_t philox_word(uint64_t seed, uint64_t offset, uint64_t index) {
  return philox_block(seed, offset + index / 4).v[index % 4];
}

/// Uniform float in (0, 1): the top 24 bits of a word, centred in their cell.
FLOWJET_HOST_DEVICE inline float philox_uniform_float(uint32_t word) {
  return (static_cast<float>(word >> 8) + 0.5f) * (1.0f / 16777216.0f);
}

/// Uniform double in (0, 1) from two words (53 bits), centred in their cell.
FLOWJET_HOST_DEVICE inline double philox_uniform_double(uint32_t hi, uint32_t lo) {
  uint64_t bits = (static_cast<uint64_t>(hi) << 21) ^ (lo >> 11);
  return (static_cast<double>(bits & ((1ull << 53) - 1)) + 0.5) * (1.0 / 9007199254740992.0);
}

}  // namespace flowjet

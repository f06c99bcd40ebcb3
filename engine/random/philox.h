// Philox-4x32-10, the counter-based generator of Salmon et al., "Parallel random numbers: as easy
// as 1, 2, 3" (SC 2011), also provided by cuRAND. Pure functions usable on the host and in CUDA
// kernels, so the CPU and the GPU draw identical streams from the same (seed, offset).
#pragma once

#include <cstdint>

#if defined(__CUDACC__)
#define FLOWJET_HOST_DEVICE __host__ __device__
#else
#define FLOWJET_HOST_DEVICE
#endif

namespace flowjet {

struct Philox4x32 {
  uint32_t v[4];
};

/// One Philox-4x32-10 block: 10 rounds on a 128-bit counter with a 64-bit key.
FLOWJET_HOST_DEVICE inline Philox4x32 philox4x32_10(Philox4x32 counter, uint32_t key0, uint32_t key1) {
  // Round multipliers and Weyl key increments from the Philox paper (Table 2).
  const uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
  const uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    uint64_t p0 = static_cast<uint64_t>(kMul0) * counter.v[0];
    uint64_t p1 = static_cast<uint64_t>(kMul1) * counter.v[2];
    Philox4x32 next;
    next.v[0] = static_cast<uint32_t>(p1 >> 32) ^ counter.v[1] ^ key0;
    next.v[1] = static_cast<uint32_t>(p1);
    next.v[2] = static_cast<uint32_t>(p0 >> 32) ^ counter.v[3] ^ key1;
    next.v[3] = static_cast<uint32_t>(p0);
    counter = next;
    key0 += kWeyl0;
    key1 += kWeyl1;
  }
  return counter;
}

/// The 32-bit word number `index` of the stream (seed, offset): word i of block (offset + i/4).
FLOWJET_HOST_DEVICE inline uint32_t philox_word(uint64_t seed, uint64_t offset, uint64_t index) {
  uint64_t block = offset + index / 4;
  Philox4x32 counter{{static_cast<uint32_t>(block), static_cast<uint32_t>(block >> 32), 0u, 0u}};
  Philox4x32 out = philox4x32_10(counter, static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32));
  return out.v[index % 4];
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

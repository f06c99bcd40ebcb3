// numpy-compatible PCG64 and SeedSequence (metric-definitions.md §13.4; numpy's bit_generator.pyx
// SeedSequence, pcg64.h XSL-RR output, distributions.c buffered bounded Lemire for uint32).
#include "metrics/frechet/numpy_pcg64.h"

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet::metrics {

namespace {

using u128 = unsigned __int128;

constexpr u128 make_u128(uint64_t high, uint64_t low) { return (static_cast<u128>(high) << 64) | low; }
constexpr u128 kMultiplier = make_u128(0x2360ED051FC65DA4ULL, 0x4385DF649FCCF645ULL);

// numpy SeedSequence for a non-negative integer seed, pool size 4, generating 4 uint64 words.
void seed_sequence(uint64_t seed, uint64_t words[4]) {
  std::vector<uint32_t> entropy;
  do {
    entropy.push_back(static_cast<uint32_t>(seed & 0xFFFFFFFFu));
    seed >>= 32;
  } while (seed != 0);
  uint32_t hash_a = 0x43B0D7E5u;
  auto hash_mix = [&hash_a](uint32_t v) {
    v ^= hash_a;
    hash_a *= 0x931E8875u;
    v *= hash_a;
    v ^= v >> 16;
    return v;
  };
  auto mix = [](uint32_t x, uint32_t y) {
    uint32_t r = 0xCA01F9DDu * x - 0x4973F715u * y;
    return r ^ (r >> 16);
  };
  uint32_t pool[4];
  for (size_t i = 0; i < 4; ++i) pool[i] = hash_mix(i < entropy.size() ? entropy[i] : 0u);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j)
      if (i != j) pool[j] = mix(pool[j], hash_mix(pool[i]));
  for (size_t i = 4; i < entropy.size(); ++i)
    for (int j = 0; j < 4; ++j) pool[j] = mix(pool[j], hash_mix(entropy[i]));
  uint32_t hash_b = 0x8B51F9DDu;
  uint32_t out[8];
  for (int k = 0; k < 8; ++k) {
    uint32_t v = pool[k % 4];
    v ^= hash_b;
    hash_b *= 0x58F38DEDu;
    v *= hash_b;
    v ^= v >> 16;
    out[k] = v;
  }
  for (int i = 0; i < 4; ++i) words[i] = static_cast<uint64_t>(out[2 * i]) | (static_cast<uint64_t>(out[2 * i + 1]) << 32);
}

}  // namespace

NumpyPcg64::NumpyPcg64(uint64_t seed) {
  uint64_t w[4];
  seed_sequence(seed, w);
  const u128 initial_state = make_u128(w[0], w[1]);
  const u128 sequence = make_u128(w[2], w[3]);
  increment_ = (sequence << 1) | 1u;
  state_ = 0;
  step();
  state_ += initial_state;
  step();
}

void NumpyPcg64::step() { state_ = state_ * kMultiplier + increment_; }

uint64_t NumpyPcg64::next_uint64() {
  step();
  const auto high = static_cast<uint64_t>(state_ >> 64), low = static_cast<uint64_t>(state_);
  const unsigned rotation = static_cast<unsigned>(state_ >> 122);
  const uint64_t x = high ^ low;
  return (x >> rotation) | (x << ((64 - rotation) & 63));
}

uint32_t NumpyPcg64::next_uint32() {
  if (has_kept_half_) {
    has_kept_half_ = false;
    return kept_half_;
  }
  const uint64_t v = next_uint64();
  has_kept_half_ = true;
  kept_half_ = static_cast<uint32_t>(v >> 32);
  return static_cast<uint32_t>(v);
}

int64_t NumpyPcg64::bounded(int64_t n) {
  if (n < 1 || n > (int64_t{1} << 32))
    throw ConfigError(fmt::format("NumpyPcg64::bounded: population {} outside [1, 2^32]", n));
  if (n == 1) return 0;
  if (n == (int64_t{1} << 32)) return next_uint32();
  const auto range = static_cast<uint64_t>(n);
  uint64_t m = static_cast<uint64_t>(next_uint32()) * range;
  uint64_t low = m & 0xFFFFFFFFu;
  if (low < range) {
    const uint64_t threshold = ((uint64_t{1} << 32) - range) % range;
    while (low < threshold) {
      m = static_cast<uint64_t>(next_uint32()) * range;
      low = m & 0xFFFFFFFFu;
    }
  }
  return static_cast<int64_t>(m >> 32);
}

std::vector<int64_t> NumpyPcg64::choice(int64_t n, int64_t count) {
  std::vector<int64_t> out(static_cast<size_t>(count));
  for (auto& v : out) v = bounded(n);
  return out;
}

}  // namespace flowjet::metrics

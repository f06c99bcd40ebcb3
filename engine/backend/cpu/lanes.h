// A loop over independent columns written in groups of a fixed number of lanes, which GCC vectorises at
// -O2 (its cheap cost model only vectorises loops whose trip count is a known multiple of the vector
// width, and `ivdep` rules out the aliasing checks it would otherwise need). Used by the row-streaming
// kernels of batch norm, the fused conditioner ops, gate and the linear bias gradient.
#pragma once

#include <cstdint>

namespace flowjet::lanes {

// Columns per group: 8 f32 lanes (or 2 x 4 f64 lanes) of AVX2.
constexpr int64_t kLanes = 8;

/// fn(j) for j in [0, n), where calls for different j must not depend on each other.
template <class Fn>
inline void for_columns(int64_t n, Fn&& fn) {
  int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes) {
#pragma GCC ivdep
    for (int64_t k = 0; k < kLanes; ++k) fn(j + k);
  }
  for (; j < n; ++j) fn(j);
}

}  // namespace flowjet::lanes

// knn's squared distance, shared by knn_cpu.cpp and knn_cuda.cu so that both backends round it the same
// way and choose the same neighbours even among near-equal distances.
#pragma once

#include <cmath>
#include <cstdint>

#include "engine/core/host_device.h"

namespace flowjet {

/// d = sum_f (a[f] - b[f])^2, accumulated in feature order, each term added with one rounding (fma).
/// The fma is explicit because compilers differ in whether they fuse `d += diff * diff` (g++ does under
/// its default -ffp-contract=fast, nvcc under --fmad=true, each wherever its optimiser sees fit); spelled
/// out, every build computes the same bits. d(a, b) == d(b, a) exactly, since a - b == -(b - a).
/// A NaN distance is returned as +infinity (it sorts after every number).
template <class T>
FLOWJET_HOST_DEVICE inline T knn_squared_distance(const T* a, const T* b, int64_t features) {
  T d = 0;
  for (int64_t f = 0; f < features; ++f) {
    const T diff = a[f] - b[f];
    d = std::fma(diff, diff, d);
  }
  return d == d ? d : static_cast<T>(INFINITY);
}

}  // namespace flowjet

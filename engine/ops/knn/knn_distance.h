// knn's squared distance, shared by knn_cpu.cpp and knn_cuda.cu so that both backends round it the same
// way and choose the same neighbours even among near-equal distances.
#pragma once

#include <cmath>
#include <cstdint>

#include "engine/core/host_device.h"

namespace flowjet {

/// One term of the distance: d + (a - b)^2 with one rounding (fma). The fma is explicit because
/// compilers differ in whether they fuse `d += diff * diff` (g++ does under its default
/// -ffp-contract=fast, nvcc under --fmad=true, each wherever its optimiser sees fit); spelled out,
/// every build computes the same bits. Symmetric: a - b == -(b - a) exactly.
template <class T>
FLOWJET_HOST_DEVICE inline T knn_distance_term(T a, T b, T d) {
  const T diff = a - b;
  return std::fma(diff, diff, d);
}

/// A NaN distance becomes +infinity (it sorts after every number).
template <class T>
FLOWJET_HOST_DEVICE inline T knn_distance_or_infinity(T d) {
  return d == d ? d : static_cast<T>(INFINITY);
}

/// d = sum_f (a[f] - b[f])^2, accumulated from 0 in feature order, one knn_distance_term per
/// feature, then knn_distance_or_infinity. d(a, b) == d(b, a) exactly.
template <class T>
FLOWJET_HOST_DEVICE inline T knn_squared_distance(const T* a, const T* b, int64_t features) {
  T d = 0;
  for (int64_t f = 0; f < features; ++f) d = knn_distance_term(a[f], b[f], d);
  return knn_distance_or_infinity(d);
}

}  // namespace flowjet

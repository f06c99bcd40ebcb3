// The CPU kernels of the spline for one value type V: the scalar T (the generic kernel, one element at a
// time) or Lanes<T, N> (rqs_spline_lanes.h: N consecutive elements at a time, whatever their rows). A
// block's logits are gathered lane by lane into P vectors, run through the per-element code of
// rqs_spline_math.h and the results scattered back; the lanes past the end of the range compute on
// zeros and are dropped. Each element's result depends on its own inputs only, each row's log|det| is
// summed in feature order, and the thread-pool chunks are whole rows, so any thread count and any block
// position give the same bits.
// Included by rqs_spline_cpu.cpp (generic and AVX2) and rqs_spline_cpu_avx512.cpp (compiled for
// AVX-512); in an unnamed namespace like Lanes, so that each object keeps its own instantiations.
#pragma once

#include <algorithm>
#include <cstdint>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/rqs_spline/rqs_spline_dispatch.h"
#include "engine/ops/rqs_spline/rqs_spline_math.h"

namespace flowjet {
namespace rqs {

/// The kernels compiled for AVX-512 (rqs_spline_cpu_avx512.cpp); to be called only where the CPU has it.
template <class T>
void forward_avx512(const T* inputs, const T* params, int64_t rows, int64_t features, const Constants<T>& c,
                    bool inverse, T* outputs, T* logabsdet);
template <class T>
void backward_avx512(const T* inputs, const T* params, const T* grad_outputs, const T* grad_logabsdet, int64_t rows,
                     int64_t features, const Constants<T>& c, bool inverse, T* grad_inputs, T* grad_params);

namespace {

/// Lane access for both kinds of V (a scalar is a vector of one lane). load: lane l = first[l * stride]
/// for the count lanes there are, 0 in the rest (a gather for a full vector); store: first[l] = lane l
/// and add: first[l * stride] += lane l, for the first count lanes.
template <class V, class T>
struct LaneAccess {
  static constexpr int kLanes = V::kLanes;
  static T get(const V& x, int lane) { return x[lane]; }
  static void set(V& x, int lane, T value) { x.set(lane, value); }
  static V load(const T* first, int stride, int count) {
    if (count == kLanes) return V::gather(first, stride);
    V x;
    for (int l = 0; l < kLanes; ++l) x.set(l, l < count ? first[l * stride] : T(0));
    return x;
  }
  static void store(const V& x, T* first, int count) {
    if (count == kLanes) return x.store(first);
    for (int l = 0; l < count; ++l) first[l] = x[l];
  }
  static void add(const V& x, T* first, int stride, int count) {
    if (count == kLanes) return x.add_to(first, stride);
    for (int l = 0; l < count; ++l) first[l * stride] += x[l];
  }
};
template <class T>
struct LaneAccess<T, T> {
  static constexpr int kLanes = 1;
  static T get(T x, int) { return x; }
  static void set(T& x, int, T value) { x = value; }
  static T load(const T* first, int, int) { return *first; }
  static void store(T x, T* first, int) { *first = x; }
  static void add(T x, T* first, int, int) { *first += x; }
};

// Rows per chunk: about 2048 elements (~0.1-0.3 ms of work), so the pool's overhead stays small.
int64_t row_grain(int64_t features) { return std::max<int64_t>(1, 2048 / std::max<int64_t>(features, 1)); }

template <class V, int K, bool Inverse, class T>
void forward_rows(const T* inputs, const T* params, int64_t rows, int64_t features, const Constants<T>& c,
                  T* outputs, T* logabsdet) {
  using A = LaneAccess<V, T>;
  const int P = params_per_element(K > 0 ? K : c.bins);
  parallel_for(rows, row_grain(features), [&](int64_t begin, int64_t end) {
    // A plain loop, not std::fill (see the linkage note in rqs_spline_lanes.h).
    for (int64_t r = begin; r < end; ++r) logabsdet[r] = T(0);
    V logits[params_per_element(capacity(K))];
    int64_t row = begin, column = 0;  // of the next element, so no division per element
    for (int64_t i = begin * features; i < end * features; i += A::kLanes) {
      const int count = static_cast<int>(std::min<int64_t>(A::kLanes, end * features - i));
      for (int j = 0; j < P; ++j) logits[j] = A::load(params + i * P + j, P, count);
      V lad;
      A::store(element_forward<V, K>(logits, A::load(inputs + i, 1, count), c, Inverse, &lad), outputs + i, count);
      for (int l = 0; l < count; ++l) {  // from 0, in feature order
        logabsdet[row] += A::get(lad, l);
        if (++column == features) column = 0, ++row;
      }
    }
  });
}

template <class V, int K, bool Inverse, class T>
void backward_rows(const T* inputs, const T* params, const T* grad_outputs, const T* grad_logabsdet, int64_t rows,
                   int64_t features, const Constants<T>& c, T* grad_inputs, T* grad_params) {
  using A = LaneAccess<V, T>;
  const int P = params_per_element(K > 0 ? K : c.bins);
  parallel_for(rows, row_grain(features), [&](int64_t begin, int64_t end) {
    V logits[params_per_element(capacity(K))], grad_logits[params_per_element(capacity(K))];
    int64_t row = begin, column = 0;  // of the next element, so no division per element
    for (int64_t i = begin * features; i < end * features; i += A::kLanes) {
      const int count = static_cast<int>(std::min<int64_t>(A::kLanes, end * features - i));
      for (int j = 0; j < P; ++j) logits[j] = A::load(params + i * P + j, P, count);
      V grad_logdet;  // d(row sum)/d(element log|det|) = 1: each lane takes its row's gradient
      for (int l = 0; l < A::kLanes; ++l) {
        A::set(grad_logdet, l, l < count ? grad_logabsdet[row] : T(0));
        if (l < count && ++column == features) column = 0, ++row;
      }
      const V grad_v = element_backward<V, K>(logits, A::load(inputs + i, 1, count),
                                              A::load(grad_outputs + i, 1, count), grad_logdet, c, Inverse,
                                              grad_params ? grad_logits : nullptr);
      if (grad_inputs) A::add(grad_v, grad_inputs + i, 1, count);
      if (grad_params)
        for (int j = 0; j < P; ++j) A::add(grad_logits[j], grad_params + i * P + j, P, count);
    }
  });
}

/// The forward and the backward over rows x features elements with value type V, for any K.
template <class V, class T>
void forward_cpu(const T* inputs, const T* params, int64_t rows, int64_t features, const Constants<T>& c, bool inverse,
                 T* outputs, T* logabsdet) {
  dispatch_bins(c.bins, [&](auto bins) {
    constexpr int K = decltype(bins)::value;
    if (inverse)
      forward_rows<V, K, true>(inputs, params, rows, features, c, outputs, logabsdet);
    else
      forward_rows<V, K, false>(inputs, params, rows, features, c, outputs, logabsdet);
  });
}

template <class V, class T>
void backward_cpu(const T* inputs, const T* params, const T* grad_outputs, const T* grad_logabsdet, int64_t rows,
                  int64_t features, const Constants<T>& c, bool inverse, T* grad_inputs, T* grad_params) {
  dispatch_bins(c.bins, [&](auto bins) {
    constexpr int K = decltype(bins)::value;
    if (inverse)
      backward_rows<V, K, true>(inputs, params, grad_outputs, grad_logabsdet, rows, features, c, grad_inputs,
                                grad_params);
    else
      backward_rows<V, K, false>(inputs, params, grad_outputs, grad_logabsdet, rows, features, c, grad_inputs,
                                 grad_params);
  });
}

}  // namespace
}  // namespace rqs
}  // namespace flowjet

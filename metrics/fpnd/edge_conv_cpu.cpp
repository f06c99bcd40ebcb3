// ParticleNet's EdgeConv blocks one jet at a time (edge_conv_cpu.h). Each step names the op of the
// op-by-op forward (particlenet.cpp) whose arithmetic it repeats.
#include "metrics/fpnd/edge_conv_cpu.h"

#include <algorithm>
#include <cstring>

#include "engine/backend/cpu/gemm.h"
#include "engine/backend/cpu/lanes.h"
#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/knn/knn.h"

namespace flowjet::metrics {

namespace {

/// relu as the engine's unary op computes it (NaN and -0 give +0).
template <class T>
T relu_value(T v) {
  return v > T(0) ? v : T(0);
}

/// y[c] = (T)(sum over the `rows` rows of x[row * stride + c], in double, in row order, times 1 / rows): the
/// engine's mean over the middle axis of [outer, rows, inner] for one outer index.
template <class T>
void mean_of_rows(const T* x, int64_t rows, int64_t stride, int64_t columns, double* sums, T* y) {
  std::fill(sums, sums + columns, 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    const T* row = x + r * stride;
    lanes::for_columns(columns, [&](int64_t c) { sums[c] += static_cast<double>(row[c]); });
  }
  const double scale = 1.0 / static_cast<double>(rows);
  for (int64_t c = 0; c < columns; ++c) y[c] = static_cast<T>(sums[c] * scale);
}

/// One thread's buffers, sized for the widest block.
template <class T>
struct JetScratch {
  std::vector<int64_t> neighbours;    // [points, k]
  std::vector<T> knn_input;           // [points, 2]
  std::vector<T> centre, neighbour;   // [points, C]
  std::vector<T> edges, edges_next;   // [points * k, C]
  std::vector<T> features, features_next;  // [points, F]
  std::vector<double> sums;           // [max(C, F)]

  JetScratch(int64_t points, int64_t k, int64_t max_channels, int64_t max_features)
      : neighbours(static_cast<std::size_t>(points * k)),
        knn_input(static_cast<std::size_t>(points * 2)),
        centre(static_cast<std::size_t>(points * max_channels)),
        neighbour(centre.size()),
        edges(static_cast<std::size_t>(points * k * max_channels)),
        edges_next(edges.size()),
        features(static_cast<std::size_t>(points * max_features)),
        features_next(features.size()),
        sums(static_cast<std::size_t>(std::max(max_channels, max_features))) {}
};

/// One block on one jet: x [points, F] -> out [points, C + F] = [mean over neighbours of the messages ‖ x].
template <class T>
void edge_conv_jet(const EdgeConvWeights<T>& w, const T* x, int64_t points, int64_t k, JetScratch<T>& s, T* out) {
  const int64_t F = w.in_features, C = w.channels, E = points * k;
  // knn (on a copy of features 0 and 1 for the first block, as slice() gives the op-by-op forward).
  const T* knn_input = x;
  int64_t knn_features = F;
  if (w.knn_on_first_two) {
    for (int64_t i = 0; i < points; ++i) std::memcpy(&s.knn_input[i * 2], x + i * F, 2 * sizeof(T));
    knn_input = s.knn_input.data();
    knn_features = 2;
  }
  knn_forward_cpu<T>(knn_input, s.neighbours.data(), 1, points, knn_features, k);
  // The two per-particle halves of the first layer (linear with and without bias).
  gemm_bias_cpu<T>(false, false, points, C, F, x, F, w.centre_weight, C, w.first_bias, s.centre.data(), C);
  gemm_cpu<T>(false, false, points, C, F, T(1), x, F, w.neighbour_weight, C, T(0), s.neighbour.data(), C);
  // relu(gather_neighbours(neighbour) + centre), one edge row at a time.
  for (int64_t e = 0; e < E; ++e) {
    const T* from = &s.neighbour[s.neighbours[e] * C];
    const T* centre = &s.centre[(e / k) * C];
    T* row = &s.edges[e * C];
    lanes::for_columns(C, [&](int64_t c) { row[c] = relu_value(from[c] + centre[c]); });
  }
  // Layers 2 and 3: relu(linear(h)).
  for (int layer = 0; layer < 2; ++layer) {
    gemm_bias_cpu<T>(false, false, E, C, C, s.edges.data(), C, w.weight[layer], C, w.bias[layer],
                     s.edges_next.data(), C);
    std::swap(s.edges, s.edges_next);
    T* h = s.edges.data();
    lanes::for_columns(E * C, [&](int64_t i) { h[i] = relu_value(h[i]); });
  }
  // concat({mean over the k messages, x}).
  for (int64_t i = 0; i < points; ++i) {
    T* row = out + i * (C + F);
    mean_of_rows(&s.edges[i * k * C], k, C, C, s.sums.data(), row);
    std::memcpy(row + C, x + i * F, static_cast<std::size_t>(F) * sizeof(T));
  }
}

}  // namespace

template <class T>
void edge_conv_pool_cpu(const std::vector<EdgeConvWeights<T>>& blocks, const T* x, int64_t jets, int64_t points,
                        int64_t k, T* pooled) {
  if (blocks.empty() || jets == 0) return;
  int64_t max_channels = 0, out_features = blocks.front().in_features;
  for (const EdgeConvWeights<T>& w : blocks) {
    max_channels = std::max(max_channels, w.channels);
    out_features += w.channels;
  }
  const int64_t in_features = blocks.front().in_features;
  parallel_for(jets, 1, [&](int64_t begin, int64_t end) {
    JetScratch<T> s(points, k, max_channels, out_features);
    for (int64_t j = begin; j < end; ++j) {
      const T* h = x + j * points * in_features;
      for (const EdgeConvWeights<T>& w : blocks) {
        edge_conv_jet(w, h, points, k, s, s.features_next.data());
        std::swap(s.features, s.features_next);
        h = s.features.data();
      }
      mean_of_rows(h, points, out_features, out_features, s.sums.data(), pooled + j * out_features);  // mean(h, 1)
    }
  });
}

template void edge_conv_pool_cpu<float>(const std::vector<EdgeConvWeights<float>>&, const float*, int64_t, int64_t,
                                        int64_t, float*);
template void edge_conv_pool_cpu<double>(const std::vector<EdgeConvWeights<double>>&, const double*, int64_t,
                                         int64_t, int64_t, double*);

}  // namespace flowjet::metrics

// ParticleNet's three EdgeConv blocks and its mean pool on the CPU, one jet at a time from input to
// pooled features (metric-definitions.md §9.2), for inference. A jet's [points * k, C] edge activations
// (at most 480 x 256) then stay in the core's cache between the layers, where the op-by-op forward
// of particlenet.cpp writes and reads back [jets * points * k, C] tensors for every add, relu and
// mean. The arithmetic is the op-by-op forward's, step for step (same GEMM calls per element, same
// double sums for the means), so both give equal results bit for bit.
#pragma once

#include <cstdint>
#include <vector>

namespace flowjet::metrics {

/// One EdgeConv block after its batch norms are folded into the linear layers. The weights are
/// Linear's transposed, row-major [in, out], so that the GEMM packs them by plain copies. Its message
/// MLP's first layer is applied per particle (metric-definitions.md §9.2):
/// W [x_i ‖ x_j - x_i] + b = (centre_weight^T x_i + first_bias) + neighbour_weight^T x_j.
template <class T>
struct EdgeConvWeights {
  int64_t in_features = 0;  ///< F
  int64_t channels = 0;     ///< C
  bool knn_on_first_two = false;  ///< neighbours from features 0 and 1 only (ParticleNet's first block)
  const T* centre_weight = nullptr;     ///< [F, C]: (W_L - W_R)^T
  const T* first_bias = nullptr;        ///< [C]
  const T* neighbour_weight = nullptr;  ///< [F, C]: W_R^T
  const T* weight[2] = {};              ///< layers 2 and 3, [C, C] (transposed)
  const T* bias[2] = {};                ///< [C]
};

/// x [jets, points, F0] row-major -> pooled [jets, F]: each jet runs through the blocks in order
/// (block output [h ‖ x], h the mean over the k nearest neighbours of relu(MLP) messages), then
/// its particles' features are averaged; F = F0 + sum of the blocks' channels. Parallel over jets.
/// The caller checks the shapes (points > k, each block's in_features the previous output width).
template <class T>
void edge_conv_pool_cpu(const std::vector<EdgeConvWeights<T>>& blocks, const T* x, int64_t jets, int64_t points,
                        int64_t k, T* pooled);

}  // namespace flowjet::metrics

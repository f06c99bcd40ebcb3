// jetnet's _ParticleNet(num_hits=30, node_feat_size=3), the network behind FPND, built from engine
// ops and run in inference mode (metric-definitions.md §9.2). Its weights come from particlenet_weights.h.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/nn/linear.h"
#include "engine/nn/module.h"

namespace flowjet::metrics {

class EdgeConvBlock;
struct FoldedEdgeConvs;

/// Three EdgeConv blocks (k = 16 nearest neighbours, mean aggregation, message MLPs 6->64->64->64,
/// 134->128->128->128, 390->256->256->256, each layer Linear -> BatchNorm(eps 1e-5) -> ReLU), each
/// block's output concatenated before its input ([h ‖ x]: 67, 195, 451 features), a mean over the
/// particles, then fc1 = Linear(451 -> 256): the FPND activations. The classifier head fc2 is kept so
/// the whole file loads and the logits can be checked. Parameter and buffer names are jetnet's
/// ("edge_nets.0.model.0.weight", "fc1.0.bias", ...). Starts in eval mode with untrained weights.
/// Inference only: forward folds each batch norm (stored statistics) into the linear layer before it,
/// which is exact in real arithmetic and changes float32 results by rounding only.
class ParticleNet : public Module {
 public:
  static constexpr int64_t kNodeFeatures = 3;    ///< (eta_rel, phi_rel, pt_rel), scaled
  static constexpr int64_t kNeighbours = 16;     ///< k of the kNN graph
  static constexpr int64_t kActivations = 256;   ///< fc1 outputs
  static constexpr int64_t kClasses = 5;         ///< fc2 outputs: g, q, t, w, z

  explicit ParticleNet(DType dtype = DType::F32);
  ~ParticleNet() override;

  /// x [jets, particles, 3] (FPND-scaled, particles > 16) -> fc1 activations [jets, 256], no
  /// activation function applied. Block 1 finds neighbours on the first two features (eta', phi'),
  /// blocks 2 and 3 on all features. Throws ShapeError for another shape, ConfigError in training mode.
  /// On the CPU the blocks run one jet at a time (edge_conv_cpu.h, no autodiff) with weights folded at
  /// each call; on other devices op by op.
  Tensor forward(const Tensor& x);
  Tensor operator()(const Tensor& x) { return forward(x); }
  /// The same network op by op on x's device (autodiff-capable ops); on the CPU equal bit for bit to
  /// forward's one-jet-at-a-time path (the tests compare them).
  Tensor forward_by_ops(const Tensor& x);
  /// The classifier head on fc1 activations: fc2(relu(a)) -> [jets, 5] logits (dropout is off at inference).
  Tensor classify(const Tensor& activations);

 private:
  /// Throws ConfigError in training mode, ShapeError for an input that is not [jets, particles > 16, 3].
  void check_input(const Tensor& x) const;
  /// The blocks' weights with their batch norms folded, laid out for edge_conv_cpu (particlenet_activations
  /// folds once for all its batches), and forward's CPU path from them.
  std::unique_ptr<FoldedEdgeConvs> fold_for_cpu();
  Tensor forward_cpu(const Tensor& x, const FoldedEdgeConvs& folded);
  friend std::vector<float> particlenet_activations(ParticleNet& net, const std::vector<float>& input, int64_t jets,
                                                    int64_t particles, int64_t batch_size);

  std::vector<EdgeConvBlock*> blocks_;
  Linear* fc1_ = nullptr;
  Linear* fc2_ = nullptr;
};

/// fc1 activations of `jets` jets, input [jets, particles, 3] float32 row-major (fpnd_network_input),
/// computed batch_size jets at a time without autodiff, on the device of net's parameters (the CPU
/// ops use the engine's thread pool; on CUDA each batch is copied to the GPU and its activations back).
/// Returns [jets, 256] float32 row-major. Throws ShapeError for sizes that do not fit, ConfigError
/// for batch_size < 1.
std::vector<float> particlenet_activations(ParticleNet& net, const std::vector<float>& input, int64_t jets,
                                           int64_t particles, int64_t batch_size);

}  // namespace flowjet::metrics

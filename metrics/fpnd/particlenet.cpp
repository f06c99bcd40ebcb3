// ParticleNet's EdgeConv blocks and head from engine ops (metric-definitions.md §9.2), and the batched
// inference loop of FPND.
#include "metrics/fpnd/particlenet.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/core/error.h"
#include "engine/nn/batchnorm1d.h"
#include "engine/ops/binary/binary.h"
#include "engine/ops/gather_neighbours/gather_neighbours.h"
#include "engine/ops/knn/knn.h"
#include "engine/ops/linear/linear.h"
#include "engine/ops/reduce/reduce.h"
#include "engine/ops/shape/shape.h"
#include "engine/ops/unary/unary.h"
#include "engine/profile/profiler.h"
#include "engine/random/generator.h"
#include "metrics/fpnd/edge_conv_cpu.h"

namespace flowjet::metrics {

namespace {

/// torch.nn.BatchNorm1d's default epsilon, which jetnet's edge MLPs use.
constexpr double kBatchNormEps = 1e-5;

/// The message network of one EdgeConv block, named like jetnet's nn.Sequential: "0" Linear(2F -> C),
/// "1" BN(C), "3" Linear(C -> C), "4" BN(C), "6" Linear(C -> C), "7" BN(C); the ReLUs 2, 5, 8 hold nothing.
class EdgeMlp : public Module {
 public:
  EdgeMlp(int64_t in_features, int64_t channels, Generator& gen, DType dtype) {
    for (int layer = 0; layer < 3; ++layer) {
      const int64_t in = layer == 0 ? in_features : channels;
      linears_[layer] =
          &register_module(std::to_string(3 * layer), std::make_unique<Linear>(in, channels, gen, true, dtype));
      norms_[layer] = &register_module(std::to_string(3 * layer + 1),
                                       std::make_unique<BatchNorm1d>(channels, kBatchNormEps, 0.1, dtype));
    }
  }

  /// Inference-mode batch norm folded into the linear layer before it, so that one linear op does both:
  /// BN(W h + b) = s * (W h + b - running_mean) + beta = (s W) h + (s (b - running_mean) + beta),
  /// with s = gamma / sqrt(running_var + eps) per output channel. Returns {s W, s (b - running_mean) + beta}
  /// in float64, so that what the caller derives from them is rounded to the network's dtype only once.
  std::pair<Tensor, Tensor> folded_f64(int layer) {
    BatchNorm1d& norm = *norms_[layer];
    auto f64 = [](const Tensor& t) { return t.to(DType::F64); };
    const Tensor scale = f64(norm.gamma()) / sqrt(f64(norm.running_var()) + norm.eps());  // [C]
    const Tensor weight = f64(linears_[layer]->weight()) * reshape(scale, Shape{scale.size(0), 1});
    const Tensor bias = (f64(linears_[layer]->bias()) - f64(norm.running_mean())) * scale + f64(norm.beta());
    return {weight, bias};
  }
  DType dtype() const { return norms_[0]->running_mean().dtype(); }

 private:
  Linear* linears_[3] = {};
  BatchNorm1d* norms_[3] = {};
};

}  // namespace

/// One EdgeConv block with mean aggregation: h_i = mean_{j in kNN(i)} MLP([x_i ‖ x_j - x_i]), output [h ‖ x].
class EdgeConvBlock : public Module {
 public:
  EdgeConvBlock(int64_t in_features, int64_t channels, Generator& gen, DType dtype)
      : in_features_(in_features), channels_(channels) {
    mlp_ = &register_module("model", std::make_unique<EdgeMlp>(2 * in_features, channels, gen, dtype));
  }

  /// The message MLP with its batch norms folded, in the network's dtype. First layer per node instead
  /// of per edge (metric-definitions.md §9.2): with W = [W_L | W_R], W [x_i ‖ x_j - x_i] + b = ((W_L - W_R) x_i + b) + W_R x_j.
  struct Folded {
    Tensor centre_weight, first_bias, neighbour_weight;  // W_L - W_R [C, F], b [C], W_R [C, F]
    Tensor weight[2], bias[2];                           // layers 2 and 3
  };
  Folded folded() {
    const DType dtype = mlp_->dtype();
    const int64_t F = in_features_;
    Folded f;
    const auto [w_first, b_first] = mlp_->folded_f64(0);
    const Tensor w_right = slice(w_first, 1, F, 2 * F);
    f.centre_weight = (slice(w_first, 1, 0, F) - w_right).to(dtype);
    f.first_bias = b_first.to(dtype);
    f.neighbour_weight = w_right.to(dtype);
    for (int layer = 1; layer < 3; ++layer) {
      const auto [weight, bias] = mlp_->folded_f64(layer);
      f.weight[layer - 1] = weight.to(dtype);
      f.bias[layer - 1] = bias.to(dtype);
    }
    return f;
  }

  /// Op by op (any device): x [jets, points, F]; neighbours found on knn_features [jets, points, *]
  /// -> [jets, points, C + F].
  Tensor forward(const Tensor& x, const Tensor& knn_features) {
    const int64_t jets = x.size(0), points = x.size(1), F = in_features_, C = channels_;
    const int64_t k = ParticleNet::kNeighbours;
    const std::vector<int64_t> neighbours = knn(knn_features, k);  // [jets, points, k]
    const Folded f = folded();
    const Tensor nodes = reshape(x, Shape{jets * points, F});
    const Tensor centre = linear(nodes, f.centre_weight, f.first_bias);  // [jets * points, C]
    const Tensor neighbour = linear(nodes, f.neighbour_weight);          // [jets * points, C]
    const Tensor messages = gather_neighbours(reshape(neighbour, Shape{jets, points, C}), neighbours, k) +
                            reshape(centre, Shape{jets, points, 1, C});  // [jets, points, k, C]
    Tensor h = relu(reshape(messages, Shape{jets * points * k, C}));
    for (int layer = 0; layer < 2; ++layer) h = relu(linear(h, f.weight[layer], f.bias[layer]));
    const Tensor aggregated = mean(reshape(h, Shape{jets, points, k, C}), 2);  // [jets, points, C]
    return concat({aggregated, x}, 2);
  }

  int64_t in_features() const { return in_features_; }
  int64_t channels() const { return channels_; }

 private:
  int64_t in_features_;
  int64_t channels_;
  EdgeMlp* mlp_ = nullptr;
};

/// Every block's Folded weights with the matrices transposed to [in, out] (EdgeConvWeights' layout).
struct FoldedEdgeConvs {
  std::vector<EdgeConvBlock::Folded> blocks;
};

namespace {

/// The blocks and the mean pool one jet at a time (edge_conv_cpu.h), on the CPU: x [jets, points, 3]
/// -> [jets, 451], equal bit for bit to the op-by-op blocks followed by mean(h, 1).
template <class T>
Tensor pooled_features_cpu(const std::vector<EdgeConvBlock*>& blocks, const FoldedEdgeConvs& folded, const Tensor& x) {
  OpProfileScope scope("particlenet_edge_convs", {&x});  // one row of the op profiler (FLOWJET_PROFILE=1)
  const int64_t jets = x.size(0), points = x.size(1), edges = points * ParticleNet::kNeighbours;
  std::vector<EdgeConvWeights<T>> weights;
  int64_t features = x.size(2);
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    const EdgeConvBlock::Folded& f = folded.blocks[b];
    EdgeConvWeights<T> w;
    w.in_features = blocks[b]->in_features();
    w.channels = blocks[b]->channels();
    w.knn_on_first_two = b == 0;  // block 1: kNN on (eta', phi') only
    w.centre_weight = f.centre_weight.data<T>();
    w.first_bias = f.first_bias.data<T>();
    w.neighbour_weight = f.neighbour_weight.data<T>();
    for (int layer = 0; layer < 2; ++layer) {
      w.weight[layer] = f.weight[layer].data<T>();
      w.bias[layer] = f.bias[layer].data<T>();
    }
    weights.push_back(w);
    features += w.channels;
    // The linear layers' multiply-adds: the first layer's two halves per particle, layers 2 and 3 per edge.
    const double C = static_cast<double>(w.channels), F = static_cast<double>(w.in_features);
    scope.add_flops(2.0 * static_cast<double>(jets) * (2 * points * F * C + 2 * edges * C * C));
  }
  Tensor pooled = Tensor::empty(Shape{jets, features}, x.dtype());
  edge_conv_pool_cpu<T>(weights, x.data<T>(), jets, points, ParticleNet::kNeighbours, pooled.data<T>());
  scope.add_written(pooled);
  return pooled;
}

}  // namespace

ParticleNet::ParticleNet(DType dtype) {
  Generator gen(0);  // placeholder initial weights; load_particlenet_weights replaces every one
  auto& edge_nets = register_module("edge_nets", std::make_unique<ModuleList>());
  int64_t features = kNodeFeatures;
  for (const int64_t channels : {64, 128, 256}) {
    blocks_.push_back(&edge_nets.push_back(std::make_unique<EdgeConvBlock>(features, channels, gen, dtype)));
    features += channels;  // [h ‖ x]: 67, 195, 451
  }
  auto& fc1 = register_module("fc1", std::make_unique<ModuleList>());  // jetnet's fc1 is nn.Sequential(Linear)
  fc1_ = &fc1.push_back(std::make_unique<Linear>(features, kActivations, gen, true, dtype));
  fc2_ = &register_module("fc2", std::make_unique<Linear>(kActivations, kClasses, gen, true, dtype));
  eval();
}

ParticleNet::~ParticleNet() = default;

void ParticleNet::check_input(const Tensor& x) const {
  if (is_training())
    throw ConfigError("ParticleNet: inference only (its batch norms use the stored statistics); call eval()");
  if (x.ndim() != 3 || x.size(2) != kNodeFeatures || x.size(1) <= kNeighbours)
    throw ShapeError(fmt::format("ParticleNet: input must be [jets, particles > {}, {}], got {}", kNeighbours,
                                 kNodeFeatures, x.shape().str()));
}

Tensor ParticleNet::forward(const Tensor& x) {
  return x.device() == Device::CPU ? forward_cpu(x, *fold_for_cpu()) : forward_by_ops(x);
}

std::unique_ptr<FoldedEdgeConvs> ParticleNet::fold_for_cpu() {
  auto folded = std::make_unique<FoldedEdgeConvs>();
  for (EdgeConvBlock* block : blocks_) {
    EdgeConvBlock::Folded f = block->folded();
    f.centre_weight = transpose(f.centre_weight);
    f.neighbour_weight = transpose(f.neighbour_weight);
    for (Tensor& weight : f.weight) weight = transpose(weight);
    folded->blocks.push_back(std::move(f));
  }
  return folded;
}

Tensor ParticleNet::forward_cpu(const Tensor& x, const FoldedEdgeConvs& folded) {
  check_input(x);
  // global mean pool [jets, 451] -> fc1 [jets, 256]
  return (*fc1_)(x.dtype() == DType::F64 ? pooled_features_cpu<double>(blocks_, folded, x)
                                         : pooled_features_cpu<float>(blocks_, folded, x));
}

Tensor ParticleNet::forward_by_ops(const Tensor& x) {
  check_input(x);
  Tensor h = x;
  for (std::size_t b = 0; b < blocks_.size(); ++b)
    h = blocks_[b]->forward(h, b == 0 ? slice(h, 2, 0, 2) : h);  // block 1: kNN on (eta', phi') only
  return (*fc1_)(mean(h, 1));  // global mean pool [jets, 451] -> fc1 [jets, 256]
}

Tensor ParticleNet::classify(const Tensor& activations) { return (*fc2_)(relu(activations)); }

std::vector<float> particlenet_activations(ParticleNet& net, const std::vector<float>& input, int64_t jets,
                                           int64_t particles, int64_t batch_size) {
  if (batch_size < 1) throw ConfigError(fmt::format("ParticleNet: batch size must be at least 1, got {}", batch_size));
  const int64_t per_jet = particles * ParticleNet::kNodeFeatures;
  if (jets < 0 || static_cast<int64_t>(input.size()) != jets * per_jet)
    throw ShapeError(fmt::format("ParticleNet: input holds {} values, expected [{}, {}, {}]", input.size(), jets,
                                 particles, ParticleNet::kNodeFeatures));
  const Tensor first_parameter = net.parameters().front();
  const DType dtype = first_parameter.dtype();
  const Device device = first_parameter.device();
  std::vector<float> activations(static_cast<std::size_t>(jets * ParticleNet::kActivations));
  NoGradScope no_grad;
  const std::unique_ptr<FoldedEdgeConvs> folded = device == Device::CPU ? net.fold_for_cpu() : nullptr;
  for (int64_t begin = 0; begin < jets; begin += batch_size) {
    const int64_t count = std::min(batch_size, jets - begin);
    const Tensor x = Tensor::from_data<float>(input.data() + begin * per_jet,
                                              Shape{count, particles, ParticleNet::kNodeFeatures});
    const Tensor on_device = x.to(dtype).to(device);
    const Tensor a = (folded ? net.forward_cpu(on_device, *folded) : net.forward_by_ops(on_device))
                         .to(DType::F32)
                         .to(Device::CPU);  // [count, 256]
    std::memcpy(activations.data() + begin * ParticleNet::kActivations, a.data<float>(),
                static_cast<std::size_t>(a.numel()) * sizeof(float));
  }
  return activations;
}

}  // namespace flowjet::metrics

// ResidualNet forward pass, flow-model.md §3.2, with nflows' initialisation (§3.5).
#include "flows/conditioner/residual_net.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "engine/core/error.h"
#include "engine/nn/init.h"
#include "engine/ops/binary/binary.h"
#include "engine/ops/fused/gate_residual.h"
#include "engine/ops/shape/shape.h"

namespace flowjet::flows {

ResidualBlock::ResidualBlock(const ResidualNetSpec& spec, Generator& init, Generator& dropout_gen, DType dtype)
    : hidden_features_(spec.hidden_features) {
  const int64_t H = spec.hidden_features;
  if (spec.batch_norm) batch_norm_0_ = &register_module("batch_norm_0", std::make_unique<BatchNorm1d>(H, spec.batch_norm_eps, 0.1, dtype));
  linear_0_ = &register_module("linear_0", std::make_unique<Linear>(H, H, init, true, dtype));
  if (spec.batch_norm) batch_norm_1_ = &register_module("batch_norm_1", std::make_unique<BatchNorm1d>(H, spec.batch_norm_eps, 0.1, dtype));
  dropout_ = &register_module("dropout", std::make_unique<Dropout>(spec.dropout, dropout_gen));
  linear_1_ = &register_module("linear_1", std::make_unique<Linear>(H, H, init, true, dtype));
  // nflows re-initialises the block's last layer near zero so each block starts close to the identity.
  init_uniform_(linear_1_->weight(), -1e-3, 1e-3, init);
  init_uniform_(linear_1_->bias(), -1e-3, 1e-3, init);
  if (spec.context_features >= 0)
    context_layer_ = &register_module("context_layer", std::make_unique<Linear>(spec.context_features, H, init, true, dtype));
}

Tensor ResidualBlock::forward(const Tensor& h, const Tensor& context) {
  // [BN] relu linear_0, then [BN] relu dropout linear_1, each as one fused op (norm_relu_linear) that keeps
  // only its input for the backward and recomputes the rest, the dropout mask included (no mask in eval
  // mode or with p = 0).
  auto norm = [](const BatchNorm1d* bn) { return bn ? std::optional<NormArgs>(bn->norm_args()) : std::nullopt; };
  Tensor t = linear_0_->forward_after_norm_relu(h, norm(batch_norm_0_));
  t = linear_1_->forward_after_norm_relu(t, norm(batch_norm_1_), dropout_->dropout_args());
  // GLU gating fused with the residual connection: h + t * sigmoid(W_c c + b_c); without a context (VNF) h + t.
  if (context.defined() && context_layer_) return gate_residual(h, t, context_layer_->forward(context));
  return h + t;
}

ResidualNet::ResidualNet(const ResidualNetSpec& spec, Generator& init, Generator& dropout_gen, DType dtype)
    : spec_(spec) {
  if (spec.in_features < 0 || spec.out_features <= 0 || spec.hidden_features <= 0 || spec.num_blocks < 0)
    throw ConfigError(fmt::format("ResidualNet: bad sizes in={} out={} hidden={} blocks={}", spec.in_features,
                                  spec.out_features, spec.hidden_features, spec.num_blocks));
  const int64_t context_in = spec.context_features > 0 ? spec.context_features : 0;
  initial_layer_ = &register_module("initial_layer",
                                    std::make_unique<Linear>(spec.in_features + context_in, spec.hidden_features, init, true, dtype));
  auto& block_list = register_module("blocks", std::make_unique<ModuleList>());
  for (int64_t b = 0; b < spec.num_blocks; ++b)
    blocks_.push_back(&block_list.push_back(std::make_unique<ResidualBlock>(spec, init, dropout_gen, dtype)));
  final_layer_ = &register_module("final_layer", std::make_unique<Linear>(spec.hidden_features, spec.out_features, init, true, dtype));
}

Tensor ResidualNet::forward(const Tensor& inputs, const Tensor& context) {
  bool has_context = context.defined() && spec_.context_features > 0;
  if (context.defined() && context.size(1) != std::max<int64_t>(spec_.context_features, 0))
    throw ShapeError(fmt::format("ResidualNet: context {} but the network was built for {} context features",
                                 context.shape().str(), spec_.context_features));
  // u's columns first, then c's (flow-model.md §3.2).
  Tensor h = initial_layer_->forward(has_context ? concat({inputs, context}, 1) : inputs);
  for (ResidualBlock* block : blocks_) h = block->forward(h, has_context ? context : Tensor());
  return final_layer_->forward(h);
}

}  // namespace flowjet::flows

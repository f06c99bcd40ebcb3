// Flow construction and the two directions of the composite transform (flow-model.md §4).
#include "flows/flow.h"

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/core/error.h"
#include "engine/ops/binary/binary.h"
#include "engine/ops/loss/loss.h"
#include "flows/coupling/coupling_registry.h"

namespace flowjet::flows {

namespace {

// Distinct, non-overlapping Philox block ranges of the model seed: weights, masks, dropout.
constexpr uint64_t kInitStream = 0x1000000000ull;
constexpr uint64_t kMaskStream = 0x2000000000ull;
constexpr uint64_t kDropoutStream = 0x3000000000ull;

std::vector<int> layer_mask(const FlowSpec& spec, int64_t layer, Generator& mask_gen) {
  switch (spec.mask) {
    case MaskKind::Alternating: return alternating_mask(spec.features, layer % 2 == 0);
    case MaskKind::Random: return random_mask(spec.features, mask_gen);
    case MaskKind::WholeParticle: return whole_particle_mask(spec.features, spec.features_per_particle, mask_gen);
    case MaskKind::Explicit: return spec.explicit_masks[static_cast<std::size_t>(layer)];
  }
  return {};
}

}  // namespace

Tensor standard_normal_log_prob(const Tensor& z) { return normal_log_prob(z); }

Flow::Flow(const FlowSpec& spec) : spec_(spec), dropout_gen_(spec.seed, kDropoutStream) {
  spec.validate();
  Generator init(spec.seed, kInitStream), mask_gen(spec.seed, kMaskStream);
  ResidualNetSpec net;
  net.hidden_features = spec.hidden_features;
  net.context_features = spec.context_features;
  net.num_blocks = spec.num_blocks;
  net.dropout = spec.dropout;
  net.batch_norm = spec.batch_norm;
  const CouplingInfo& coupling = find_coupling(spec.coupling.name());
  const int64_t params_per_feature = coupling.parameters_per_feature(spec);
  auto& list = register_module("transforms", std::make_unique<ModuleList>());
  for (int64_t l = 0; l < spec.coupling_layers; ++l) {
    std::vector<int> mask = layer_mask(spec, l, mask_gen);
    std::unique_ptr<CouplingTransform> layer = coupling.make(CouplingLayerArgs{spec, l, mask, net, init, dropout_gen_});
    // The registry's count feeds FlowSpec::parameter_count; the layer built must agree with it.
    const int64_t outputs = static_cast<int64_t>(transform_indices(mask).size()) * params_per_feature;
    if (!layer) throw ConfigError(fmt::format("coupling \"{}\": the factory built no layer {}", coupling.name, l));
    if (layer->features() != spec.features || layer->conditioner().spec().out_features != outputs)
      throw ConfigError(fmt::format("coupling \"{}\": layer {} has {} features and {} conditioner outputs, the spec "
                                    "needs {} and {} ({} per transformed feature, as registered)",
                                    coupling.name, l, layer->features(), layer->conditioner().spec().out_features,
                                    spec.features, outputs, params_per_feature));
    layers_.push_back(&list.push_back(std::move(layer)));
  }
}

void Flow::check_inputs(const char* what, const Tensor& x, const Tensor& context) const {
  if (x.ndim() != 2 || x.size(1) != spec_.features)
    throw ShapeError(fmt::format("Flow::{}: input {} but the flow has {} features", what, x.shape().str(), spec_.features));
  const int64_t C = spec_.context_features;
  if (C > 0 && !context.defined())
    throw ShapeError(fmt::format("Flow::{}: the flow is conditioned on {} context features but none were given", what, C));
  if (context.defined()) {
    if (C <= 0)
      throw ShapeError(fmt::format("Flow::{}: context {} given to an unconditioned flow", what, context.shape().str()));
    if (context.ndim() != 2 || context.size(0) != x.size(0) || context.size(1) != C)
      throw ShapeError(fmt::format("Flow::{}: context {} does not match input {} with {} context features", what,
                                   context.shape().str(), x.shape().str(), C));
  }
}

TransformResult Flow::to_latent(const Tensor& x, const Tensor& context) {
  check_inputs("to_latent", x, context);
  Tensor h = x, total;
  for (CouplingTransform* layer : layers_) {
    TransformResult r = layer->forward(h, context);
    h = r.outputs;
    total = total.defined() ? total + r.logabsdet : r.logabsdet;
  }
  return {h, total};
}

TransformResult Flow::to_data(const Tensor& z, const Tensor& context) {
  check_inputs("to_data", z, context);
  Tensor h = z, total;
  for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) {
    TransformResult r = (*it)->inverse(h, context);
    h = r.outputs;
    total = total.defined() ? total + r.logabsdet : r.logabsdet;
  }
  return {h, total};
}

Tensor Flow::log_prob(const Tensor& x, const Tensor& context) {
  TransformResult r = to_latent(x, context);
  return standard_normal_log_prob(r.outputs) + r.logabsdet;
}

Tensor Flow::sample(const Tensor& z, const Tensor& context) {
  NoGradScope no_grad;
  return to_data(z, context).outputs;
}

Tensor Flow::sample(int64_t rows, const Tensor& context, Generator& gen) {
  Tensor z = random_normal(Shape{rows, spec_.features}, gen, spec_.dtype, device());
  return sample(z, context);
}

std::vector<LayerTrace> Flow::trace(const Tensor& x, const Tensor& context, bool to_data_direction) {
  check_inputs("trace", x, context);
  NoGradScope no_grad;
  std::vector<LayerTrace> out;
  Tensor h = x;
  for (int64_t i = 0; i < num_layers(); ++i) {
    CouplingTransform& layer = to_data_direction ? *layers_[static_cast<std::size_t>(num_layers() - 1 - i)]
                                                 : *layers_[static_cast<std::size_t>(i)];
    TransformResult r = to_data_direction ? layer.inverse(h, context) : layer.forward(h, context);
    out.push_back({h, r.outputs, r.logabsdet});
    h = r.outputs;
  }
  return out;
}

}  // namespace flowjet::flows

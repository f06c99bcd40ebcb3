// The flow (flow-model.md §4): a standard-normal base and a stack of coupling layers.
//   log p(x | c) = log N(f(x | c); 0, I) + sum_l log|det J_l|
// forward is data -> latent, inverse (sampling) latent -> data.
#pragma once

#include <memory>
#include <vector>

#include "engine/nn/module.h"
#include "engine/random/generator.h"
#include "flows/coupling/coupling_transform.h"
#include "flows/flow_spec.h"

namespace flowjet::flows {

/// One layer's view of a pass, for inspection and traces.
struct LayerTrace {
  Tensor inputs;
  Tensor outputs;
  Tensor logabsdet;  // [batch]
};

class Flow : public Module {
 public:
  /// Builds the flow of `spec`: weights and masks drawn from a generator seeded with spec.seed.
  explicit Flow(const FlowSpec& spec);

  const FlowSpec& spec() const { return spec_; }
  std::string type_name() const override { return "Flow"; }
  int64_t output_features() const override { return spec_.features; }
  /// The device of the flow's parameters (all on one device; moved with Module::to).
  Device device() const { return parameters().front().device(); }
  int64_t num_layers() const { return static_cast<int64_t>(layers_.size()); }
  CouplingTransform& layer(int64_t i) { return *layers_.at(static_cast<std::size_t>(i)); }

  /// x [batch, D] -> z and the summed log|det| [batch]; recorded when grad mode is on.
  TransformResult to_latent(const Tensor& x, const Tensor& context);
  /// z [batch, D] -> x and the summed inverse log|det| [batch]; recorded when grad mode is on, so a loss
  /// on the generated x back-propagates into every conditioner weight (differentiable sampling).
  TransformResult to_data(const Tensor& z, const Tensor& context);
  /// log p(x | c) per row [batch].
  Tensor log_prob(const Tensor& x, const Tensor& context);
  /// x = f^{-1}(z | c) without recording (sampling and evaluation).
  Tensor sample(const Tensor& z, const Tensor& context);
  /// Draws z ~ N(0, I) [rows, D] from `gen` (on the device of the flow's parameters) and maps it to data
  /// without recording.
  Tensor sample(int64_t rows, const Tensor& context, Generator& gen);

  /// Per-layer inputs/outputs/log|det| of a pass in either direction (not recorded).
  std::vector<LayerTrace> trace(const Tensor& x, const Tensor& context, bool to_data_direction);

  /// The generator that draws dropout masks in training mode (its state belongs in checkpoints).
  Generator& dropout_generator() { return dropout_gen_; }

 private:
  void check_inputs(const char* what, const Tensor& x, const Tensor& context) const;

  FlowSpec spec_;
  Generator dropout_gen_;
  std::vector<CouplingTransform*> layers_;
};

/// Standard-normal log density summed over features: -0.5 |z|^2 - 0.5 D log(2 pi), [batch, D] -> [batch].
Tensor standard_normal_log_prob(const Tensor& z);

}  // namespace flowjet::flows

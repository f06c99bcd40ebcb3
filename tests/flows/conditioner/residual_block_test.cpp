// The ResidualNet block with its fused ops (batchnorm_relu_dropout, gate_residual) against the unfused
// composition of nflows' ResidualBlock written out op by op with the block's own weights:
// bn0 -> relu -> linear_0 -> bn1 -> relu -> dropout -> linear_1 -> gate -> + h. Outputs, every gradient
// and the running statistics must agree bit for bit (the output to one rounding), in training mode (same dropout stream) and eval mode,
// f32 and f64, with and without batch norm and context.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "engine/autograd/tape.h"
#include "engine/ops/batchnorm/batchnorm.h"
#include "engine/ops/binary/binary.h"
#include "engine/ops/dropout/dropout.h"
#include "engine/ops/gate/gate.h"
#include "engine/ops/linear/linear.h"
#include "engine/ops/unary/unary.h"
#include "engine/random/generator.h"
#include "flows/conditioner/residual_net.h"

using namespace flowjet;
using namespace flowjet::flows;

namespace {

std::map<std::string, Tensor> by_name(const NamedTensors& tensors) {
  std::map<std::string, Tensor> out;
  for (const NamedTensor& t : tensors) out[t.name] = t.tensor;
  return out;
}

// The block written out with the unfused ops; buffers are clones, so the block's own are not touched.
Tensor unfused_block(const ResidualBlock& block, const ResidualNetSpec& spec, const Tensor& h, const Tensor& context,
                     Generator& dropout_gen, std::map<std::string, Tensor>& buffers) {
  auto p = by_name(block.named_parameters());
  const bool training = block.is_training();
  auto bn = [&](const std::string& name, const Tensor& x) {
    return batchnorm(x, p[name + ".weight"], p[name + ".bias"], buffers[name + ".running_mean"],
                     buffers[name + ".running_var"], training, 0.1, spec.batch_norm_eps);
  };
  Tensor t = spec.batch_norm ? bn("batch_norm_0", h) : h;
  t = linear(relu(t), p["linear_0.weight"], p["linear_0.bias"]);
  if (spec.batch_norm) t = bn("batch_norm_1", t);
  t = relu(t);
  if (training && spec.dropout > 0) t = dropout(t, random_keep_mask(t.shape(), spec.dropout, dropout_gen, t.dtype()));
  t = linear(t, p["linear_1.weight"], p["linear_1.bias"]);
  if (context.defined()) t = gate(t, linear(context, p["context_layer.weight"], p["context_layer.bias"]));
  return h + t;
}

// Output, gradients of h, context and every parameter, and the buffers after one forward + backward.
std::vector<std::vector<double>> results(ResidualBlock& block, const Tensor& y, const Tensor& h, const Tensor& context,
                                         const NamedTensors& buffers) {
  Generator gen(17);
  backward(y, random_normal(y.shape(), gen, y.dtype()));
  std::vector<std::vector<double>> out{y.to_vector(), h.grad().to_vector()};
  if (context.defined()) out.push_back(context.grad().to_vector());
  for (const NamedTensor& p : block.named_parameters()) out.push_back(p.tensor.grad().to_vector());
  for (const NamedTensor& b : buffers) out.push_back(b.tensor.to_vector());
  return out;
}

void check_block(DType dtype, bool batch_norm, bool with_context, bool training) {
  CAPTURE(batch_norm);
  CAPTURE(with_context);
  CAPTURE(training);
  ResidualNetSpec spec;
  spec.in_features = spec.out_features = spec.hidden_features = 29;
  spec.context_features = with_context ? 3 : -1;
  spec.dropout = 0.2;
  spec.batch_norm = batch_norm;
  Generator init(1), fused_dropout(2), unfused_dropout(2), data(3);
  ResidualBlock block(spec, init, fused_dropout, dtype);
  block.train(training);
  Tensor h = random_normal(Shape{150, 29}, data, dtype).set_requires_grad();
  Tensor context = with_context ? random_normal(Shape{150, 3}, data, dtype).set_requires_grad() : Tensor();

  NamedTensors initial = block.named_buffers();
  std::map<std::string, Tensor> reference_buffers;
  for (NamedTensor& b : initial) reference_buffers[b.name] = b.tensor.clone();
  NamedTensors reference_named;
  for (const NamedTensor& b : initial) reference_named.push_back({b.name, reference_buffers[b.name]});

  const auto fused =
      results(block, block.forward(h, context), h, context, block.named_buffers());
  block.zero_grad();
  h.zero_grad();
  if (context.defined()) context.zero_grad();
  const auto reference = results(block, unfused_block(block, spec, h, context, unfused_dropout, reference_buffers), h,
                                 context, reference_named);
  REQUIRE(fused.size() == reference.size());
  // The output: gate_residual may evaluate h + t * s as one fused multiply-add (one rounding of |t * s| <= |t|,
  // which is small here); everything else bit for bit.
  const double ulp = dtype == DType::F32 ? 0x1p-23 : 0x1p-52;
  int far = 0;
  for (std::size_t i = 0; i < fused[0].size(); ++i)
    far += std::fabs(fused[0][i] - reference[0][i]) > 2 * ulp * (std::fabs(reference[0][i]) + 1);
  CHECK(far == 0);
  for (std::size_t i = 1; i < fused.size(); ++i) {
    CAPTURE(i);
    CHECK(fused[i] == reference[i]);
  }
  CHECK(fused_dropout.offset() == unfused_dropout.offset());
}

}  // namespace

TEST_CASE("flows/residual_block: the fused block equals the unfused ops bit for bit") {
  for (DType dtype : {DType::F32, DType::F64})
    for (bool training : {true, false}) {
      check_block(dtype, true, true, training);
      check_block(dtype, true, false, training);
      check_block(dtype, false, true, training);
    }
}

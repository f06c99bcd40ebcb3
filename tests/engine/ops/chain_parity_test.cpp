// Parity of a small network end to end: linear -> batchnorm (training) -> relu -> dropout -> linear -> tanh
// -> rational-quadratic spline (forward, then the same through the inverse), every parameter's gradient
// compared between CPU f32 and CUDA f32 with the dropout mask drawn on each device from the same stream.
#include <doctest/doctest.h>

#include "engine/ops/batchnorm/batchnorm.h"
#include "engine/ops/dropout/dropout.h"
#include "engine/ops/linear/linear.h"
#include "engine/ops/rqs_spline/rqs_spline.h"
#include "engine/ops/unary/unary.h"
#include "engine/random/generator.h"
#include "tests/support/parity.h"

using namespace flowjet;

TEST_CASE("cuda/chain: conditioner-like network into the spline, every gradient" *
          doctest::skip(testing::cuda_parity_skipped())) {
  const int64_t N = 1024, in = 5, hidden = 64, F = 4, K = 8;
  Generator gen(21);
  auto normal = [&](const Shape& shape, double stddev) {
    return random_normal(shape, gen, DType::F32, Device::CPU, 0, stddev);
  };
  std::vector<Tensor> inputs{
      normal(Shape{N, in}, 1.0),   normal(Shape{hidden, in}, 0.4),
      normal(Shape{hidden}, 0.1),  random_uniform(Shape{hidden}, gen, DType::F32, Device::CPU, 0.5, 1.5),
      normal(Shape{hidden}, 0.1),  normal(Shape{F, hidden}, 0.2),
      normal(Shape{F}, 0.1),       normal(Shape{N, F * (3 * K - 1)}, 1.0)};
  const std::vector<std::string> names{"x", "w0", "b0", "gamma", "beta", "w1", "b1", "spline_params"};
  RqsSplineOptions options;
  options.num_bins = static_cast<int>(K);
  options.tail_bound = 1.0;
  for (bool inverse : {false, true}) {
    auto network = [&](const std::vector<Tensor>& p) {
      const Device device = p[0].device();
      Tensor running_mean = Tensor::zeros(Shape{hidden}, DType::F32, device);
      Tensor running_var = Tensor::ones(Shape{hidden}, DType::F32, device);
      Generator mask_gen(5);  // same stream on both devices
      Tensor mask = random_keep_mask(Shape{N, hidden}, 0.1, mask_gen, DType::F32, device);
      Tensor h = relu(batchnorm(linear(p[0], p[1], p[2]), p[3], p[4], running_mean, running_var, true, 0.1, 1e-5));
      Tensor z = tanh(linear(dropout(h, mask), p[5], p[6]));  // in (-1, 1): inside the spline's bound
      RqsSplineResult r = rqs_spline(z, p[7], options, inverse);
      return std::vector<Tensor>{r.outputs, r.logabsdet};
    };
    testing::check_op_parity(inverse ? "chain with inverse spline" : "chain with forward spline", network, inputs,
                             names, std::vector<bool>(inputs.size(), true), testing::kReductionTolerance);
  }
}

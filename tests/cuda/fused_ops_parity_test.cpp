// CPU f32 vs CUDA f32 parity of the fused conditioner ops: batchnorm_relu_dropout (training and eval, with
// and without a device-drawn keep-mask from the same stream, running statistics included),
// norm_relu_linear (batch norm in training or eval mode or none, with and without dropout, the mask drawn
// on each device and drawn again in its backward) and gate_residual (gate inputs far into both tails of
// the sigmoid).
#include <doctest/doctest.h>

#include <optional>
#include <string>

#include <fmt/format.h>

#include "engine/ops/fused/batchnorm_relu_dropout.h"
#include "engine/ops/fused/gate_residual.h"
#include "engine/ops/fused/norm_relu_linear.h"
#include "engine/random/generator.h"
#include "tests/cuda/parity.h"

using namespace flowjet;
using testing::uniform_f32;

TEST_CASE("cuda/batchnorm_relu_dropout: parity in training and eval mode, with and without dropout" *
          doctest::skip(testing::cuda_parity_skipped())) {
  Generator gen(71);
  const int64_t C = 221;
  Tensor x = uniform_f32(Shape{1000, C}, gen, -3, 5), gamma = uniform_f32(Shape{C}, gen, 0.5, 1.5),
         beta = uniform_f32(Shape{C}, gen, -1, 1);
  Tensor rm = uniform_f32(Shape{C}, gen, -0.5, 0.5), rv = uniform_f32(Shape{C}, gen, 0.5, 2.0);
  for (double p : {0.0, 0.2})
    for (bool training : {true, false}) {
      Generator cpu_gen(5), cuda_gen(5);
      Tensor mask_cpu, mask_cuda;
      if (p > 0) {
        mask_cpu = random_keep_mask(x.shape(), p, cpu_gen);
        mask_cuda = random_keep_mask(x.shape(), p, cuda_gen, DType::F32, Device::CUDA);
        testing::check_identical("keep mask", mask_cpu, mask_cuda);
      }
      Tensor rm_cpu = rm.clone(), rv_cpu = rv.clone(), rm_cuda = rm.to(Device::CUDA), rv_cuda = rv.to(Device::CUDA);
      const std::string label = fmt::format("batchnorm_relu_dropout p={} {}", p, training ? "training" : "eval");
      testing::check_op_parity(
          label,
          [&](const std::vector<Tensor>& in) {
            const bool cuda = in[0].device() == Device::CUDA;
            return std::vector<Tensor>{batchnorm_relu_dropout(in[0], in[1], in[2], cuda ? rm_cuda : rm_cpu,
                                                              cuda ? rv_cuda : rv_cpu, training, 0.1, 1e-3,
                                                              cuda ? mask_cuda : mask_cpu)};
          },
          {x, gamma, beta}, {"x", "gamma", "beta"}, {true, true, true}, testing::kReductionTolerance);
      testing::check_close(label + " running_mean", rm_cpu, rm_cuda, testing::kReductionTolerance);
      testing::check_close(label + " running_var", rv_cpu, rv_cuda, testing::kReductionTolerance);
    }
}

TEST_CASE("cuda/norm_relu_linear: parity with batch norm (training, eval) or none, with and without dropout" *
          doctest::skip(testing::cuda_parity_skipped())) {
  Generator gen(73);
  const int64_t H = 221;
  Tensor x = uniform_f32(Shape{1000, H}, gen, -3, 5), gamma = uniform_f32(Shape{H}, gen, 0.5, 1.5),
         beta = uniform_f32(Shape{H}, gen, -1, 1), weight = uniform_f32(Shape{H, H}, gen, -0.1, 0.1),
         bias = uniform_f32(Shape{H}, gen, -0.1, 0.1);
  Tensor rm = uniform_f32(Shape{H}, gen, -0.5, 0.5), rv = uniform_f32(Shape{H}, gen, 0.5, 2.0);
  for (int norm : {0, 1, 2})  // 0: no batch norm, 1: training, 2: eval
    for (double p : {0.0, 0.2}) {
      Tensor rm_cpu = rm.clone(), rv_cpu = rv.clone(), rm_cuda = rm.to(Device::CUDA), rv_cuda = rv.to(Device::CUDA);
      Generator cpu_gen(6), cuda_gen(6);
      const std::string label = fmt::format("norm_relu_linear norm={} p={}", norm, p);
      testing::check_op_parity(
          label,
          [&](const std::vector<Tensor>& in) {
            const bool cuda = in[0].device() == Device::CUDA;
            std::optional<NormArgs> args;
            if (norm > 0)
              args = NormArgs{in[1], in[2], cuda ? rm_cuda : rm_cpu, cuda ? rv_cuda : rv_cpu, norm == 1, 0.1, 1e-3};
            return std::vector<Tensor>{
                norm_relu_linear(in[0], args, DropoutArgs{cuda ? &cuda_gen : &cpu_gen, p}, in[3], in[4])};
          },
          {x, gamma, beta, weight, bias}, {"x", "gamma", "beta", "weight", "bias"},
          {true, norm > 0, norm > 0, true, true}, testing::kReductionTolerance);
      CHECK(cpu_gen.offset() == cuda_gen.offset());
      testing::check_close(label + " running_mean", rm_cpu, rm_cuda, testing::kReductionTolerance);
      testing::check_close(label + " running_var", rv_cpu, rv_cuda, testing::kReductionTolerance);
    }
}

TEST_CASE("cuda/gate_residual: parity forward and the gradients of h, t and g" *
          doctest::skip(testing::cuda_parity_skipped())) {
  Generator gen(72);
  Tensor h = uniform_f32(Shape{700, 64}, gen, -3, 3), t = uniform_f32(Shape{700, 64}, gen, -3, 3),
         g = uniform_f32(Shape{700, 64}, gen, -40, 40);
  testing::check_op_parity(
      "gate_residual",
      [](const std::vector<Tensor>& in) { return std::vector<Tensor>{gate_residual(in[0], in[1], in[2])}; },
      {h, t, g}, {"h", "t", "g"}, {true, true, true}, testing::kElementwiseTolerance);
}

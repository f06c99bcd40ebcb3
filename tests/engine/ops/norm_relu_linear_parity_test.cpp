// CPU f32 vs CUDA f32 parity of the fused norm_relu_linear: batch norm in training or eval mode or none,
// with and without dropout (the mask drawn on each device and drawn again in its backward).
#include <doctest/doctest.h>

#include <optional>
#include <string>

#include <fmt/format.h>

#include "engine/ops/fused/norm_relu_linear.h"
#include "engine/random/generator.h"
#include "tests/support/parity.h"

using namespace flowjet;
using testing::uniform_f32;

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

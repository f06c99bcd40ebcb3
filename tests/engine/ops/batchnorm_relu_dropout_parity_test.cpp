// CPU f32 vs CUDA f32 parity of the fused batchnorm_relu_dropout: training and eval, with and without a
// device-drawn keep-mask from the same stream, running statistics included.
#include <doctest/doctest.h>

#include <string>

#include <fmt/format.h>

#include "engine/ops/fused/batchnorm_relu_dropout.h"
#include "engine/random/generator.h"
#include "tests/support/parity.h"

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

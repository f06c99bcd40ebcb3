// CPU f32 vs CUDA f32 parity of batchnorm in training and eval mode: outputs, the gradients of x, gamma
// and beta, and the running statistics.
#include <doctest/doctest.h>

#include <string>

#include <fmt/format.h>

#include "engine/ops/batchnorm/batchnorm.h"
#include "engine/random/generator.h"
#include "tests/support/parity.h"

using namespace flowjet;
using testing::check_op_parity;
using testing::uniform_f32;

TEST_CASE("cuda/batchnorm: parity in training and eval mode, with running statistics" *
          doctest::skip(testing::cuda_parity_skipped())) {
  Generator gen(15);
  const Shape shapes[] = {Shape{1000, 64}, Shape{33, 7, 30}, Shape{2, 3}};
  for (const Shape& shape : shapes) {
    const int64_t C = shape[1];
    Tensor x = uniform_f32(shape, gen, -3, 5), gamma = uniform_f32(Shape{C}, gen, 0.5, 1.5),
           beta = uniform_f32(Shape{C}, gen, -1, 1);
    Tensor rm = uniform_f32(Shape{C}, gen, -0.5, 0.5), rv = uniform_f32(Shape{C}, gen, 0.5, 2.0);
    for (bool training : {true, false}) {
      Tensor rm_cpu = rm.clone(), rv_cpu = rv.clone(), rm_cuda = rm.to(Device::CUDA), rv_cuda = rv.to(Device::CUDA);
      const std::string label = fmt::format("batchnorm {} {}", shape.str(), training ? "training" : "eval");
      check_op_parity(
          label,
          [&](const std::vector<Tensor>& in) {
            const bool cuda = in[0].device() == Device::CUDA;
            return std::vector<Tensor>{
                batchnorm(in[0], in[1], in[2], cuda ? rm_cuda : rm_cpu, cuda ? rv_cuda : rv_cpu, training, 0.1, 1e-5)};
          },
          {x, gamma, beta}, {"x", "gamma", "beta"}, {true, true, true}, testing::kReductionTolerance);
      testing::check_close(label + " running_mean", rm_cpu, rm_cuda, testing::kReductionTolerance);
      testing::check_close(label + " running_var", rv_cpu, rv_cuda, testing::kReductionTolerance);
    }
  }
}

// CPU f32 vs CUDA f32 parity of the element-wise, linear-algebra, batchnorm and dropout ops, forward and
// backward, on the same random inputs and masks. Skipped (and said so once) when no CUDA device is present.
#include <doctest/doctest.h>

#include <string>

#include <fmt/format.h>

#include "engine/backend/cuda/runtime.h"
#include "engine/ops/batchnorm/batchnorm.h"
#include "engine/ops/dropout/dropout.h"
#include "engine/ops/linear/linear.h"
#include "engine/ops/unary/unary.h"
#include "engine/random/generator.h"
#include "tests/cuda/parity.h"

using namespace flowjet;
using testing::check_op_parity;
using testing::uniform_f32;

TEST_CASE("cuda/unary: parity of every kind, forward and backward" * doctest::skip(testing::cuda_parity_skipped())) {
  const UnaryKind kinds[] = {UnaryKind::Neg,     UnaryKind::Exp,     UnaryKind::Log,  UnaryKind::Sqrt,
                             UnaryKind::Square,  UnaryKind::Abs,     UnaryKind::Sin,  UnaryKind::Cos,
                             UnaryKind::Sinh,    UnaryKind::Cosh,    UnaryKind::Tanh, UnaryKind::Relu,
                             UnaryKind::Sigmoid, UnaryKind::Softplus};
  Generator gen(11);
  for (UnaryKind kind : kinds) {
    const bool positive = kind == UnaryKind::Log || kind == UnaryKind::Sqrt;
    // 1000 x 37 crosses many blocks and a ragged tail; +-30 reaches softplus' threshold and sigmoid's branches.
    Tensor x =
        positive ? uniform_f32(Shape{1000, 37}, gen, 0.05, 20.0) : uniform_f32(Shape{1000, 37}, gen, -30.0, 30.0);
    if (kind == UnaryKind::Exp || kind == UnaryKind::Sinh || kind == UnaryKind::Cosh)
      x = uniform_f32(Shape{1000, 37}, gen, -8, 8);
    check_op_parity(
        unary_name(kind), [kind](const std::vector<Tensor>& in) { return std::vector<Tensor>{unary(kind, in[0])}; },
        {x}, {"x"}, {true}, testing::kElementwiseTolerance);
  }
}

TEST_CASE("cuda/linear: parity with and without bias, odd sizes" * doctest::skip(testing::cuda_parity_skipped())) {
  Generator gen(12);
  const int64_t sizes[][3] = {{1, 1, 1}, {37, 19, 23}, {1000, 64, 128}, {5, 0, 3}};  // batch, in, out
  for (const auto& s : sizes) {
    Tensor x = uniform_f32(Shape{s[0], s[1]}, gen, -1, 1), w = uniform_f32(Shape{s[2], s[1]}, gen, -1, 1);
    Tensor b = uniform_f32(Shape{s[2]}, gen, -1, 1);
    const std::string label = fmt::format("linear {}x{}->{}", s[0], s[1], s[2]);
    check_op_parity(
        label, [](const std::vector<Tensor>& in) { return std::vector<Tensor>{linear(in[0], in[1], in[2])}; },
        {x, w, b}, {"x", "weight", "bias"}, {true, true, true}, testing::kReductionTolerance);
    check_op_parity(
        label + " no bias", [](const std::vector<Tensor>& in) { return std::vector<Tensor>{linear(in[0], in[1])}; },
        {x, w}, {"x", "weight"}, {true, true}, testing::kReductionTolerance);
  }
}

TEST_CASE("cuda/matmul: parity of rectangular products" * doctest::skip(testing::cuda_parity_skipped())) {
  Generator gen(13);
  const int64_t sizes[][3] = {{1, 1, 1}, {17, 33, 9}, {256, 300, 129}, {4, 0, 5}};  // M, K, N
  for (const auto& s : sizes) {
    Tensor a = uniform_f32(Shape{s[0], s[1]}, gen, -1, 1), b = uniform_f32(Shape{s[1], s[2]}, gen, -1, 1);
    check_op_parity(
        fmt::format("matmul {}x{}x{}", s[0], s[1], s[2]),
        [](const std::vector<Tensor>& in) { return std::vector<Tensor>{matmul(in[0], in[1])}; }, {a, b}, {"a", "b"},
        {true, true}, testing::kReductionTolerance);
  }
}

TEST_CASE("cuda/linear: TF32 switch is off by default and can be turned on" *
          doctest::skip(testing::cuda_parity_skipped())) {
  CHECK(!cuda_allow_tf32());
  Generator gen(14);
  Tensor x = uniform_f32(Shape{512, 256}, gen, -1, 1), w = uniform_f32(Shape{256, 256}, gen, -1, 1);
  cuda_set_allow_tf32(true);
  Tensor fast = linear(x.to(Device::CUDA), w.to(Device::CUDA));
  cuda_set_allow_tf32(false);
  // TF32 keeps 10 mantissa bits: about 1e-3 relative per product, so 2e-2 on a 256-term sum of mixed signs.
  testing::check_close("linear with TF32", linear(x, w), fast, testing::ParityTolerance{2e-2, 1.0});
}

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

TEST_CASE("cuda/random: uniform, normal and keep-mask draws match the CPU stream" *
          doctest::skip(testing::cuda_parity_skipped())) {
  for (DType dtype : {DType::F32, DType::F64}) {
    Generator cpu_gen(77, 5), cuda_gen(77, 5);
    const Shape shape{1001, 13};  // odd count: the last normal pair is cut
    testing::check_identical("uniform", random_uniform(shape, cpu_gen, dtype, Device::CPU, -2, 3),
                             random_uniform(shape, cuda_gen, dtype, Device::CUDA, -2, 3));
    // Box-Muller through log/cos/sin: libm and CUDA math may differ in the last bits.
    testing::check_close("normal", random_normal(shape, cpu_gen, dtype, Device::CPU, 1, 2),
                         random_normal(shape, cuda_gen, dtype, Device::CUDA, 1, 2), testing::kElementwiseTolerance);
    testing::check_identical("keep mask", random_keep_mask(shape, 0.3, cpu_gen, dtype, Device::CPU),
                             random_keep_mask(shape, 0.3, cuda_gen, dtype, Device::CUDA));
    CHECK(cpu_gen.offset() == cuda_gen.offset());
  }
}

TEST_CASE("cuda/dropout: parity with a device-drawn mask from the same stream" *
          doctest::skip(testing::cuda_parity_skipped())) {
  Generator gen(16), cpu_gen(99), cuda_gen(99);
  Tensor x = uniform_f32(Shape{500, 77}, gen, -2, 2);
  Tensor mask_cpu = random_keep_mask(x.shape(), 0.2, cpu_gen);
  Tensor mask_cuda = random_keep_mask(x.shape(), 0.2, cuda_gen, DType::F32, Device::CUDA);
  testing::check_identical("dropout mask", mask_cpu, mask_cuda);
  check_op_parity(
      "dropout",
      [&](const std::vector<Tensor>& in) {
        return std::vector<Tensor>{dropout(in[0], in[0].device() == Device::CUDA ? mask_cuda : mask_cpu)};
      },
      {x}, {"x"}, {true}, testing::kElementwiseTolerance);
}

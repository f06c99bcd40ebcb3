// Tests of the unary element-wise ops: values, gradients (f64 gradcheck) and edge cases.
#include <cmath>

#include <doctest/doctest.h>

#include "engine/autograd/recording.h"
#include "engine/autograd/tape.h"
#include "engine/ops/unary/unary.h"
#include "engine/random/generator.h"
#include "tests/support/gradcheck_table.h"

using namespace flowjet;

namespace {

// Inputs in [0.2, 1.7] with random signs flipped only where the op allows negative inputs;
// kept away from the kinks of relu and abs at 0.
Tensor gradcheck_input(UnaryKind kind, Generator& gen) {
  Tensor x = random_uniform(Shape{3, 5}, gen, DType::F64, Device::CPU, 0.2, 1.7);
  bool positive_only = kind == UnaryKind::Log || kind == UnaryKind::Sqrt;
  if (!positive_only) {
    Tensor signs = random_uniform(Shape{3, 5}, gen, DType::F64);
    double* p = x.data<double>();
    const double* s = signs.data<double>();
    for (int64_t i = 0; i < x.numel(); ++i)
      if (s[i] < 0.5) p[i] = -p[i];
  }
  return x.set_requires_grad();
}

}  // namespace

TEST_CASE("ops/unary: gradcheck f64, every kind") {
  Generator gen(7);
  for (UnaryKind kind : {UnaryKind::Neg, UnaryKind::Exp, UnaryKind::Log, UnaryKind::Sqrt, UnaryKind::Square,
                         UnaryKind::Abs, UnaryKind::Sin, UnaryKind::Cos, UnaryKind::Sinh, UnaryKind::Cosh,
                         UnaryKind::Tanh, UnaryKind::Relu, UnaryKind::Sigmoid, UnaryKind::Softplus}) {
    Tensor x = gradcheck_input(kind, gen);
    testing::check_gradients(unary_name(kind), "random [3,5], away from kinks",
                             [kind](const std::vector<Tensor>& in) { return std::vector<Tensor>{unary(kind, in[0])}; },
                             {x}, {"x"});
  }
}

TEST_CASE("ops/unary: softplus follows PyTorch's threshold 20") {
  Tensor x = Tensor::from_vector({22.0, 20.0, -30.0, 0.0}, Shape{4}, DType::F64);
  std::vector<double> y = softplus(x).to_vector();
  CHECK(y[0] == 22.0);                                   // returned as is above the threshold
  CHECK(y[1] == doctest::Approx(20.000000002061153).epsilon(1e-15));
  CHECK(y[2] == doctest::Approx(9.357622968840175e-14).epsilon(1e-12));
  CHECK(y[3] == doctest::Approx(std::log(2.0)).epsilon(1e-15));
}

TEST_CASE("ops/unary: sigmoid and exp stay finite for large |x| in f32") {
  Tensor x = Tensor::from_vector({-200.0, 200.0}, Shape{2}, DType::F32);
  std::vector<double> s = sigmoid(x).to_vector();
  CHECK(s[0] == 0.0);
  CHECK(s[1] == 1.0);
  CHECK(std::isfinite(softplus(x).to_vector()[1]));
}

TEST_CASE("ops/unary: empty tensors and no recording without requires_grad") {
  Tensor empty = Tensor::zeros(Shape{0, 3});
  CHECK(exp(empty).numel() == 0);
  tape().clear();
  Tensor x = Tensor::ones(Shape{2});
  exp(x);
  CHECK(tape().empty());
  x.set_requires_grad();
  {
    NoGradScope no_grad;
    exp(x);
  }
  CHECK(tape().empty());
  exp(x);
  CHECK(tape().size() == 1);
  tape().clear();
}

// Tests of the fused batchnorm_relu_dropout: f64 gradchecks of x, gamma and beta (training and eval, with
// and without a mask), bitwise equality with batchnorm -> relu -> dropout forward and backward (running
// statistics included) in f32 and f64, bitwise equality on 1 and 2 threads, and the errors.
#include "engine/ops/fused/batchnorm_relu_dropout.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "engine/autograd/tape.h"
#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/batchnorm/batchnorm.h"
#include "engine/ops/dropout/dropout.h"
#include "engine/ops/unary/unary.h"
#include "engine/random/generator.h"
#include "tests/support/gradcheck_table.h"

using namespace flowjet;

namespace {

// Inputs of one case: x [N, C] with mean 0.3 (so the ReLU cuts a part of every channel), parameters
// and running statistics ([C]) and a keep-mask of rate p (undefined for p = 0).
struct Case {
  Tensor x, gamma, beta, running_mean, running_var, keep_mask;
};

Case make_case(int64_t N, int64_t C, double p, DType dtype, uint64_t seed) {
  Generator gen(seed);
  Case k;
  k.x = random_normal(Shape{N, C}, gen, dtype, Device::CPU, 0.3, 1.2).set_requires_grad();
  k.gamma = random_uniform(Shape{C}, gen, dtype, Device::CPU, 0.5, 1.5).set_requires_grad();
  k.beta = random_normal(Shape{C}, gen, dtype, Device::CPU, 0.0, 0.5).set_requires_grad();
  k.running_mean = random_normal(Shape{C}, gen, dtype);
  k.running_var = random_uniform(Shape{C}, gen, dtype, Device::CPU, 0.5, 2.0);
  if (p > 0) k.keep_mask = random_keep_mask(Shape{N, C}, p, gen, dtype);
  return k;
}

// Output, input gradients and updated running statistics of one forward + backward.
struct Result {
  std::vector<double> y, grad_x, grad_gamma, grad_beta, running_mean, running_var;
};

template <class Forward>
Result run(const Case& k, Forward forward) {
  for (const Tensor* t : {&k.x, &k.gamma, &k.beta}) t->zero_grad();
  Tensor rm = k.running_mean.clone(), rv = k.running_var.clone();
  Tensor y = forward(rm, rv);
  Generator gen(99);
  backward(y, random_normal(y.shape(), gen, y.dtype()));
  return {y.to_vector(), k.x.grad().to_vector(), k.gamma.grad().to_vector(), k.beta.grad().to_vector(),
          rm.to_vector(), rv.to_vector()};
}

Result fused(const Case& k, bool is_training) {
  return run(k, [&](Tensor& rm, Tensor& rv) {
    return batchnorm_relu_dropout(k.x, k.gamma, k.beta, rm, rv, is_training, 0.1, 1e-3, k.keep_mask);
  });
}

Result unfused(const Case& k, bool is_training) {
  return run(k, [&](Tensor& rm, Tensor& rv) {
    Tensor r = relu(batchnorm(k.x, k.gamma, k.beta, rm, rv, is_training, 0.1, 1e-3));
    return k.keep_mask.defined() ? dropout(r, k.keep_mask) : r;
  });
}

void check_identical(const Result& a, const Result& b) {
  CHECK(a.y == b.y);
  CHECK(a.grad_x == b.grad_x);
  CHECK(a.grad_gamma == b.grad_gamma);
  CHECK(a.grad_beta == b.grad_beta);
  CHECK(a.running_mean == b.running_mean);
  CHECK(a.running_var == b.running_var);
}

void gradcheck_case(int64_t N, int64_t C, double p, bool is_training, uint64_t seed) {
  Case k = make_case(N, C, p, DType::F64, seed);
  auto fn = [k, is_training](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{batchnorm_relu_dropout(in[0], in[1], in[2], k.running_mean, k.running_var, is_training,
                                                      0.1, 1e-3, k.keep_mask)};
  };
  const std::string name = std::string(is_training ? "training" : "eval") + (p > 0 ? " dropout " : " ") +
                           Shape{N, C}.str();
  testing::check_gradients("batchnorm_relu_dropout", name, fn, {k.x, k.gamma, k.beta}, {"x", "gamma", "beta"});
}

}  // namespace

TEST_CASE("ops/batchnorm_relu_dropout: gradcheck f64, x gamma beta in training and eval mode") {
  gradcheck_case(7, 5, 0.0, true, 41);
  gradcheck_case(7, 5, 0.3, true, 42);
  gradcheck_case(6, 11, 0.0, false, 43);
  gradcheck_case(6, 11, 0.3, false, 44);
}

TEST_CASE("ops/batchnorm_relu_dropout: equals batchnorm -> relu -> dropout bit for bit, forward and backward") {
  // 300 x 37: several row blocks and a channel tail after the vector groups.
  for (DType dtype : {DType::F32, DType::F64})
    for (double p : {0.0, 0.2})
      for (bool is_training : {true, false}) {
        const bool is_f32 = dtype == DType::F32;
        CAPTURE(is_f32);
        CAPTURE(p);
        CAPTURE(is_training);
        const Case k = make_case(300, 37, p, dtype, 7);
        check_identical(fused(k, is_training), unfused(k, is_training));
      }
}

TEST_CASE("ops/batchnorm_relu_dropout and batchnorm: the same bits on 1 and 2 threads") {
  const int threads = num_threads();
  const Case k = make_case(5000, 45, 0.2, DType::F32, 8);  // 5000 rows: many row blocks
  for (bool is_training : {true, false}) {
    set_num_threads(1);
    const Result fused_one = fused(k, is_training), plain_one = unfused(k, is_training);
    set_num_threads(2);
    const Result fused_two = fused(k, is_training), plain_two = unfused(k, is_training);
    check_identical(fused_one, fused_two);
    check_identical(plain_one, plain_two);
  }
  set_num_threads(threads);
}

TEST_CASE("ops/batchnorm_relu_dropout: errors name the op and the shapes") {
  const Case k = make_case(4, 3, 0.2, DType::F32, 9);
  auto call = [&](const Tensor& x, const Tensor& mask, bool is_training) {
    return batchnorm_relu_dropout(x, k.gamma, k.beta, k.running_mean, k.running_var, is_training, 0.1, 1e-3, mask);
  };
  CHECK_THROWS_WITH_AS(call(Tensor::zeros(Shape{4, 3, 2}), Tensor(), true),
                       doctest::Contains("batchnorm_relu_dropout: x must be [batch, channels], got [4, 3, 2]"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(call(Tensor::zeros(Shape{4, 5}), Tensor(), true), doctest::Contains("gamma must be [5]"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(call(k.x, Tensor::zeros(Shape{3, 4}), true),
                       doctest::Contains("keep_mask [3, 4] must have the shape of x [4, 3]"), ShapeError);
  CHECK_THROWS_WITH_AS(call(Tensor::zeros(Shape{1, 3}), Tensor(), true),
                       doctest::Contains("more than one value per channel"), ShapeError);
  CHECK(call(Tensor::zeros(Shape{1, 3}), Tensor(), false).shape() == Shape{1, 3});
  CHECK_THROWS_AS(call(k.x, Tensor::zeros(Shape{4, 3}, DType::F64), true), TypeError);
}

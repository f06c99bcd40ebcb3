// Tests of the fused norm_relu_linear: f64 gradchecks of x, gamma, beta, weight and bias (batch norm in
// training and eval mode or none, with and without dropout), bitwise equality with
// batchnorm -> relu -> dropout -> linear forward and backward (running statistics and the generator's
// position included) in f32 and f64, bitwise equality on 1 and 2 threads, the memory it keeps for the
// backward, and the errors.
#include "engine/ops/fused/norm_relu_linear.h"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "engine/autograd/tape.h"
#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/batchnorm/batchnorm.h"
#include "engine/ops/dropout/dropout.h"
#include "engine/ops/linear/linear.h"
#include "engine/ops/unary/unary.h"
#include "engine/random/generator.h"
#include "engine/tensor/storage.h"
#include "tests/support/gradcheck_table.h"

using namespace flowjet;

namespace {

enum class Norm { None, Training, Eval };

// Inputs of one case: x [N, in] with mean 0.3 (so the ReLU cuts a part of every feature), the batch
// norm's parameters and running statistics ([in]), and the linear layer's weight [out, in] and bias [out].
struct Case {
  Tensor x, gamma, beta, running_mean, running_var, weight, bias;
  Norm norm = Norm::None;
  double p = 0.0;  // dropout rate; masks come from Generator(kDropoutSeed)
};

constexpr uint64_t kDropoutSeed = 77;

Case make_case(int64_t N, int64_t in, int64_t out, Norm norm, double p, DType dtype, uint64_t seed) {
  Generator gen(seed);
  Case k;
  k.x = random_normal(Shape{N, in}, gen, dtype, Device::CPU, 0.3, 1.2).set_requires_grad();
  k.gamma = random_uniform(Shape{in}, gen, dtype, Device::CPU, 0.5, 1.5).set_requires_grad();
  k.beta = random_normal(Shape{in}, gen, dtype, Device::CPU, 0.0, 0.5).set_requires_grad();
  k.running_mean = random_normal(Shape{in}, gen, dtype);
  k.running_var = random_uniform(Shape{in}, gen, dtype, Device::CPU, 0.5, 2.0);
  k.weight = random_normal(Shape{out, in}, gen, dtype, Device::CPU, 0.0, 0.3).set_requires_grad();
  k.bias = random_normal(Shape{out}, gen, dtype).set_requires_grad();
  k.norm = norm;
  k.p = p;
  return k;
}

std::optional<NormArgs> norm_args(const Case& k, const Tensor& rm, const Tensor& rv) {
  if (k.norm == Norm::None) return std::nullopt;
  return NormArgs{k.gamma, k.beta, rm, rv, k.norm == Norm::Training, 0.1, 1e-3};
}

Tensor fused_forward(const Case& k, const Tensor& x, const Tensor& rm, const Tensor& rv, Generator& gen) {
  return norm_relu_linear(x, norm_args(k, rm, rv), DropoutArgs{&gen, k.p}, k.weight, k.bias);
}

Tensor unfused_forward(const Case& k, const Tensor& x, const Tensor& rm, const Tensor& rv, Generator& gen) {
  Tensor t = k.norm == Norm::None ? x : batchnorm(x, k.gamma, k.beta, rm, rv, k.norm == Norm::Training, 0.1, 1e-3);
  t = relu(t);
  if (k.p > 0) t = dropout(t, random_keep_mask(t.shape(), k.p, gen, t.dtype()));
  return linear(t, k.weight, k.bias);
}

// Output, input gradients, updated running statistics and the generator's position after one forward +
// backward.
struct Result {
  std::vector<double> y, grad_x, grad_gamma, grad_beta, grad_weight, grad_bias, running_mean, running_var;
  uint64_t offset = 0;
  bool operator==(const Result& o) const {
    return y == o.y && grad_x == o.grad_x && grad_gamma == o.grad_gamma && grad_beta == o.grad_beta &&
           grad_weight == o.grad_weight && grad_bias == o.grad_bias && running_mean == o.running_mean &&
           running_var == o.running_var && offset == o.offset;
  }
};

template <class Forward>
Result run(const Case& k, Forward forward) {
  for (const Tensor* t : {&k.x, &k.gamma, &k.beta, &k.weight, &k.bias}) t->zero_grad();
  Tensor rm = k.running_mean.clone(), rv = k.running_var.clone();
  Generator gen(kDropoutSeed);
  Tensor y = forward(k, k.x, rm, rv, gen);
  Generator grad_gen(99);
  backward(y, random_normal(y.shape(), grad_gen, y.dtype()));
  auto grad = [](const Tensor& t) { return t.grad().defined() ? t.grad().to_vector() : std::vector<double>{}; };
  return {y.to_vector(),      grad(k.x),      grad(k.gamma),  grad(k.beta), grad(k.weight),
          grad(k.bias),       rm.to_vector(), rv.to_vector(), gen.offset()};
}

void check_identical(const Result& a, const Result& b) {
  CHECK(a.y == b.y);
  CHECK(a.grad_x == b.grad_x);
  CHECK(a.grad_gamma == b.grad_gamma);
  CHECK(a.grad_beta == b.grad_beta);
  CHECK(a.grad_weight == b.grad_weight);
  CHECK(a.grad_bias == b.grad_bias);
  CHECK(a.running_mean == b.running_mean);
  CHECK(a.running_var == b.running_var);
  CHECK(a.offset == b.offset);
}

const char* norm_name(Norm norm) {
  return norm == Norm::None ? "no norm" : norm == Norm::Training ? "training" : "eval";
}

void gradcheck_case(Norm norm, double p, uint64_t seed) {
  const Case k = make_case(7, 5, 3, norm, p, DType::F64, seed);
  // A fresh generator per call: every evaluation draws the same mask, so the function is deterministic.
  // Inputs x, weight, bias, then (with batch norm) gamma and beta.
  auto fn = [k](const std::vector<Tensor>& in) {
    Generator gen(kDropoutSeed);
    std::optional<NormArgs> args = norm_args(k, k.running_mean, k.running_var);
    if (args) {
      args->gamma = in[3];
      args->beta = in[4];
    }
    return std::vector<Tensor>{norm_relu_linear(in[0], args, DropoutArgs{&gen, k.p}, in[1], in[2])};
  };
  std::vector<Tensor> inputs{k.x, k.weight, k.bias};
  std::vector<std::string> names{"x", "weight", "bias"};
  if (norm != Norm::None) {
    inputs.insert(inputs.end(), {k.gamma, k.beta});
    names.insert(names.end(), {"gamma", "beta"});
  }
  const std::string name = std::string(norm_name(norm)) + (p > 0 ? " dropout " : " ") + Shape{7, 5}.str() + " -> 3";
  testing::check_gradients("norm_relu_linear", name, fn, inputs, names);
}

}  // namespace

TEST_CASE("ops/norm_relu_linear: gradcheck f64, x gamma beta weight bias with and without batch norm and dropout") {
  uint64_t seed = 51;
  for (Norm norm : {Norm::Training, Norm::Eval, Norm::None})
    for (double p : {0.0, 0.3}) gradcheck_case(norm, p, seed++);
}

TEST_CASE("ops/norm_relu_linear: equals batchnorm -> relu -> dropout -> linear bit for bit, forward and backward") {
  // 300 x 37 -> 23: several row blocks, a feature tail after the vector groups, GEMM edge tiles.
  for (DType dtype : {DType::F32, DType::F64})
    for (Norm norm : {Norm::Training, Norm::Eval, Norm::None})
      for (double p : {0.0, 0.2}) {
        const bool is_f32 = dtype == DType::F32;
        CAPTURE(is_f32);
        CAPTURE(norm_name(norm));
        CAPTURE(p);
        const Case k = make_case(300, 37, 23, norm, p, dtype, 7);
        check_identical(run(k, fused_forward), run(k, unfused_forward));
      }
}

TEST_CASE("ops/norm_relu_linear: the same bits on 1 and 2 threads") {
  const int threads = num_threads();
  const Case k = make_case(5000, 45, 40, Norm::Training, 0.2, DType::F32, 8);  // 5000 rows: many row blocks
  set_num_threads(1);
  const Result one = run(k, fused_forward);
  set_num_threads(2);
  const Result two = run(k, fused_forward);
  set_num_threads(threads);
  check_identical(one, two);
}

TEST_CASE("ops/norm_relu_linear: keeps no [batch, in] tensor for the backward") {
  // After the forward, the only new live tensors are y and the two [in] statistics: neither the
  // normalised t nor the keep-mask (each as large as x) outlives the call.
  const Case k = make_case(1000, 64, 8, Norm::Training, 0.2, DType::F32, 9);
  const Tensor rm = k.running_mean.clone(), rv = k.running_var.clone();
  Generator gen(kDropoutSeed);
  const int64_t before = allocator_stats(Device::CPU).live_bytes;
  Tensor y = fused_forward(k, k.x, rm, rv, gen);
  const int64_t kept = allocator_stats(Device::CPU).live_bytes - before;
  const int64_t y_and_statistics = (1000 * 8 + 2 * 64) * static_cast<int64_t>(sizeof(float));
  CHECK(kept >= y_and_statistics);
  CHECK(kept < y_and_statistics + 1000 * 64 * static_cast<int64_t>(sizeof(float)) / 2);  // less than half of x
  backward(y, Tensor::ones(y.shape()));
  CHECK(k.x.grad().defined());
}

TEST_CASE("ops/norm_relu_linear: errors name the op and the shapes") {
  const Case k = make_case(4, 3, 2, Norm::Training, 0.0, DType::F32, 10);
  auto call = [&](const Tensor& x, const Tensor& weight, Norm norm) {
    Case c = k;
    c.norm = norm;
    Generator gen(1);
    return norm_relu_linear(x, norm_args(c, c.running_mean, c.running_var), DropoutArgs{&gen, 0.2}, weight, k.bias);
  };
  CHECK_THROWS_WITH_AS(call(Tensor::zeros(Shape{4, 3, 2}), k.weight, Norm::Training),
                       doctest::Contains("norm_relu_linear"), ShapeError);
  CHECK_THROWS_WITH_AS(call(k.x, Tensor::zeros(Shape{2, 5}), Norm::None),
                       doctest::Contains("norm_relu_linear: x [4, 3] needs a weight [out, 3], got [2, 5]"), ShapeError);
  CHECK_THROWS_WITH_AS(call(Tensor::zeros(Shape{4, 5}), Tensor::zeros(Shape{2, 5}), Norm::Training),
                       doctest::Contains("gamma must be [5]"), ShapeError);
  CHECK_THROWS_WITH_AS(call(Tensor::zeros(Shape{1, 3}), k.weight, Norm::Training),
                       doctest::Contains("more than one value per channel"), ShapeError);
  CHECK(call(Tensor::zeros(Shape{1, 3}), k.weight, Norm::Eval).shape() == Shape{1, 2});
  CHECK_THROWS_AS(call(k.x, Tensor::zeros(Shape{2, 3}, DType::F64), Norm::None), TypeError);
  Generator gen(1);
  CHECK_THROWS_AS(norm_relu_linear(k.x, std::nullopt, DropoutArgs{&gen, 1.0}, k.weight, k.bias), ShapeError);
}

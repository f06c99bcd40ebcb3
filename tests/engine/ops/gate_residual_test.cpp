// Tests of the fused gate_residual h + t * sigmoid(g): f64 gradchecks of h, t and g, bitwise equality with
// h + gate(t, g) forward and backward in f32 and f64, bitwise equality on 1 and 2 threads, and the errors.
#include "engine/ops/fused/gate_residual.h"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "engine/autograd/tape.h"
#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/binary/binary.h"
#include "engine/ops/gate/gate.h"
#include "engine/random/generator.h"
#include "tests/support/gradcheck_table.h"

using namespace flowjet;

namespace {

// y and the gradients of h, t, g after backward with a fixed random dL/dy; `fn` builds y from (h, t, g).
template <class Fn>
std::vector<std::vector<double>> run(const std::vector<Tensor>& in, Fn fn) {
  for (const Tensor& t : in) t.zero_grad();
  Tensor y = fn(in[0], in[1], in[2]);
  Generator gen(5);
  backward(y, random_normal(y.shape(), gen, y.dtype()));
  return {y.to_vector(), in[0].grad().to_vector(), in[1].grad().to_vector(), in[2].grad().to_vector()};
}

std::vector<Tensor> inputs(const Shape& shape, DType dtype, uint64_t seed) {
  Generator gen(seed);
  return {random_normal(shape, gen, dtype).set_requires_grad(), random_normal(shape, gen, dtype).set_requires_grad(),
          random_normal(shape, gen, dtype, Device::CPU, 0.0, 3.0).set_requires_grad()};
}

auto fused = [](const Tensor& h, const Tensor& t, const Tensor& g) { return gate_residual(h, t, g); };
auto unfused = [](const Tensor& h, const Tensor& t, const Tensor& g) { return h + gate(t, g); };

}  // namespace

TEST_CASE("ops/gate_residual: gradcheck f64 of h, t and g") {
  testing::check_gradients("gate_residual", "h[4,6] t[4,6] g[4,6]", [](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{gate_residual(in[0], in[1], in[2])};
  }, inputs(Shape{4, 6}, DType::F64, 61), {"h", "t", "g"});
}

TEST_CASE("ops/gate_residual: equals h + gate(t, g), forward to one rounding, gradients bit for bit") {
  for (DType dtype : {DType::F32, DType::F64}) {
    const std::vector<Tensor> in = inputs(Shape{300, 37}, dtype, 62);
    const auto a = run(in, fused), b = run(in, unfused);
    // The compiler may evaluate h + t * s as one fused multiply-add (the unfused ops round t * s first).
    const double ulp = dtype == DType::F32 ? 0x1p-23 : 0x1p-52;
    const std::vector<double> t = in[1].to_vector();
    int far = 0;
    for (std::size_t i = 0; i < a[0].size(); ++i)
      far += std::fabs(a[0][i] - b[0][i]) > ulp * (std::fabs(b[0][i]) + std::fabs(t[i]));
    CHECK(far == 0);
    CHECK(a[1] == b[1]);
    CHECK(a[2] == b[2]);
    CHECK(a[3] == b[3]);
  }
}

TEST_CASE("ops/gate_residual: the same bits on 1 and 2 threads") {
  const int threads = num_threads();
  const std::vector<Tensor> in = inputs(Shape{2000, 45}, DType::F32, 63);
  set_num_threads(1);
  const auto one = run(in, fused);
  set_num_threads(2);
  CHECK(run(in, fused) == one);
  set_num_threads(threads);
}

TEST_CASE("ops/gate_residual: an input used elsewhere too gets the sum of both gradients, whichever backward runs "
          "first") {
  // The backward stores into a gradient buffer it is first to reach and adds into one that holds a gradient.
  for (DType dtype : {DType::F32, DType::F64}) {
    const std::vector<Tensor> in = inputs(Shape{3, 40}, dtype, 8);
    const std::vector<std::vector<double>> alone = run(in, fused);
    auto gate_first_on_tape = [](const Tensor& h, const Tensor& t, const Tensor& g) {
      return gate_residual(h, t, g) + h * 2.0;  // backward: mul adds into dL/dh, then gate_residual adds
    };
    auto gate_last_on_tape = [](const Tensor& h, const Tensor& t, const Tensor& g) {
      Tensor twice = h * 2.0;
      return gate_residual(h, t, g) + twice;  // backward: gate_residual stores dL/dh, then mul adds
    };
    for (const auto& both : {run(in, gate_first_on_tape), run(in, gate_last_on_tape)}) {
      CHECK(both[2] == alone[2]);  // dL/dt and dL/dg: one consumer, stored
      CHECK(both[3] == alone[3]);
      for (std::size_t i = 0; i < alone[1].size(); ++i) CHECK(both[1][i] == doctest::Approx(3 * alone[1][i]));
    }
    // A leaf that holds a gradient from an earlier backward keeps it and adds the new one.
    Tensor y = gate_residual(in[0], in[1], in[2]);
    Generator gen(5);
    backward(y, random_normal(y.shape(), gen, y.dtype()));
    const std::vector<double> again = in[1].grad().to_vector();
    for (std::size_t i = 0; i < again.size(); ++i) CHECK(again[i] == doctest::Approx(2 * alone[2][i]));
  }
}

TEST_CASE("ops/gate_residual: empty tensors and errors") {
  CHECK(gate_residual(Tensor::zeros(Shape{0, 3}), Tensor::zeros(Shape{0, 3}), Tensor::zeros(Shape{0, 3})).shape() ==
        Shape{0, 3});
  CHECK_THROWS_WITH_AS(gate_residual(Tensor::zeros(Shape{2, 3}), Tensor::zeros(Shape{2, 3}), Tensor::zeros(Shape{3, 2})),
                       doctest::Contains("gate_residual: h [2, 3], t [2, 3] and g [3, 2] must have the same shape"),
                       ShapeError);
  CHECK_THROWS_AS(gate_residual(Tensor::zeros(Shape{2}), Tensor::zeros(Shape{2}), Tensor::zeros(Shape{2}, DType::F64)),
                  TypeError);
}

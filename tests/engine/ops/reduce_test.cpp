// Tests of sum, mean and max: values worked out by hand, f64 gradchecks over every axis with and
// without keepdim, ties, empty inputs, thread-count independence and errors.
#include <cmath>
#include <string>

#include <doctest/doctest.h>

#include "engine/autograd/tape.h"
#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/reduce/reduce.h"
#include "engine/random/generator.h"
#include "tests/support/gradcheck_table.h"

using namespace flowjet;

namespace {

// Distinct values (a shuffled 0.1 * k plus noise below 0.01), so max has a clear winner that a
// gradcheck step cannot change.
Tensor distinct_values(const Shape& shape, Generator& gen) {
  std::vector<int64_t> order = random_permutation(shape.numel(), gen);
  Tensor noise = random_uniform(shape, gen, DType::F64, Device::CPU, 0.0, 0.01);
  Tensor x = Tensor::empty(shape, DType::F64);
  for (int64_t i = 0; i < shape.numel(); ++i)
    x.data<double>()[i] = 0.1 * static_cast<double>(order[static_cast<std::size_t>(i)]) - 1.0 + noise.data<double>()[i];
  return x.set_requires_grad();
}

}  // namespace

TEST_CASE("ops/reduce: values of full and axis reductions") {
  Tensor x = Tensor::from_vector({1, 5, 3, 4, 2, 6}, Shape{2, 3}, DType::F64);
  Tensor total = sum(x);
  CHECK(total.shape() == Shape{});
  CHECK(total.numel() == 1);
  CHECK(total.item() == 21);
  CHECK(mean(x).item() == 3.5);
  CHECK(sum(x, 0).to_vector() == std::vector<double>{5, 7, 9});
  CHECK(sum(x, 0).shape() == Shape{3});
  CHECK(sum(x, 1, true).shape() == Shape{2, 1});
  CHECK(sum(x, 1, true).to_vector() == std::vector<double>{9, 12});
  CHECK(mean(x, -1).to_vector() == std::vector<double>{3, 4});
  CHECK(mean(x, 0, true).shape() == Shape{1, 3});
  CHECK(mean(x, 0, true).to_vector() == std::vector<double>{2.5, 3.5, 4.5});
  CHECK(max(x, 1).to_vector() == std::vector<double>{5, 6});
  CHECK(max(x, 0, true).to_vector() == std::vector<double>{4, 5, 6});
  CHECK(max(x, 0, true).shape() == Shape{1, 3});
  Tensor x32 = x.to(DType::F32);
  CHECK(sum(x32, 1).to_vector() == std::vector<double>{9, 12});
  CHECK(max(x32, 0).to_vector() == std::vector<double>{4, 5, 6});
}

TEST_CASE("ops/reduce: gradcheck f64, full sum and mean") {
  Generator gen(21);
  Tensor x = random_normal(Shape{3, 4}, gen, DType::F64).set_requires_grad();
  testing::check_gradients("sum", "all of [3,4]", [](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{sum(in[0])};
  }, {x}, {"x"});
  testing::check_gradients("mean", "all of [3,4]", [](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{mean(in[0])};
  }, {x}, {"x"});
}

TEST_CASE("ops/reduce: gradcheck f64, every axis with and without keepdim") {
  Generator gen(22);
  const Shape shape{2, 3, 4};
  for (ReduceKind kind : {ReduceKind::Sum, ReduceKind::Mean, ReduceKind::Max}) {
    for (int axis : {0, 1, 2, -1}) {
      for (bool keepdim : {false, true}) {
        Tensor x = distinct_values(shape, gen);
        auto fn = [kind, axis, keepdim](const std::vector<Tensor>& in) {
          if (kind == ReduceKind::Sum) return std::vector<Tensor>{sum(in[0], axis, keepdim)};
          if (kind == ReduceKind::Mean) return std::vector<Tensor>{mean(in[0], axis, keepdim)};
          return std::vector<Tensor>{max(in[0], axis, keepdim)};
        };
        testing::check_gradients(reduce_name(kind),
                                 "[2,3,4] axis " + std::to_string(axis) + (keepdim ? " keepdim" : ""), fn, {x}, {"x"});
      }
    }
  }
}

TEST_CASE("ops/reduce: max sends the gradient to the first maximal element") {
  Tensor x = Tensor::from_vector({2, 7, 7, 1, 3, 3}, Shape{2, 3}, DType::F64).set_requires_grad();
  Tensor y = max(x, 1);
  CHECK(y.to_vector() == std::vector<double>{7, 3});
  backward(sum(y));
  CHECK(x.grad().to_vector() == std::vector<double>{0, 1, 0, 0, 1, 0});
  Tensor with_nan = Tensor::from_vector({1, NAN, 5}, Shape{3}, DType::F64);
  CHECK(std::isnan(max(with_nan, 0).item()));
}

TEST_CASE("ops/reduce: large sums are exact and independent of the thread count") {
  Tensor ones = Tensor::ones(Shape{1000, 300});
  CHECK(sum(ones).item() == 300000.0);
  CHECK(mean(ones).item() == 1.0);
  Generator gen(23);
  Tensor x = random_normal(Shape{400, 500}, gen, DType::F32);
  const int threads = num_threads();
  set_num_threads(1);
  const double one_thread = sum(x).item();
  const std::vector<double> columns_one = sum(x, 0).to_vector();
  set_num_threads(4);
  const double four_threads = sum(x).item();
  const std::vector<double> columns_four = sum(x, 0).to_vector();
  set_num_threads(threads);
  CHECK(one_thread == four_threads);
  CHECK(columns_one == columns_four);
  double reference = 0.0;  // plain double loop
  for (double v : x.to_vector()) reference += v;
  CHECK(one_thread == doctest::Approx(reference).epsilon(1e-6));
}

TEST_CASE("ops/reduce: empty inputs and errors") {
  Tensor empty = Tensor::zeros(Shape{0, 3}, DType::F64);
  CHECK(sum(empty).item() == 0.0);
  CHECK(std::isnan(mean(empty).item()));
  CHECK(sum(empty, 0).to_vector() == std::vector<double>{0, 0, 0});
  CHECK(sum(empty, 1).shape() == Shape{0});
  CHECK_THROWS_AS(max(empty, 0), ShapeError);
  CHECK(max(empty, 1).shape() == Shape{0});
  try {
    sum(Tensor::zeros(Shape{2, 3}), 2);
    FAIL("expected ShapeError");
  } catch (const ShapeError& e) {
    CHECK(std::string(e.what()).find("sum") != std::string::npos);
  }
  CHECK_THROWS_AS(mean(Tensor()), TypeError);
}

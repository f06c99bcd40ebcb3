// Tests of knn: neighbours by hand, tie-break to the lower point number, groups kept apart,
// agreement with a brute-force sort, and errors.
#include <algorithm>
#include <cmath>
#include <utility>

#include <doctest/doctest.h>

#include "engine/ops/knn/knn.h"
#include "engine/ops/knn/knn_distance.h"
#include "engine/random/generator.h"

using namespace flowjet;

TEST_CASE("ops/knn: neighbours on a line, nearest first, self excluded") {
  // One group of 4 points at positions 0, 1, 3, 7 on a line.
  Tensor x = Tensor::from_vector({0, 1, 3, 7}, Shape{1, 4, 1}, DType::F64);
  CHECK(knn(x, 2) == std::vector<int64_t>{1, 2, 0, 2, 1, 0, 2, 1});
  CHECK(knn(x, 3) == std::vector<int64_t>{1, 2, 3, 0, 2, 3, 1, 0, 3, 2, 1, 0});
  CHECK(knn(x, 0).empty());
}

TEST_CASE("ops/knn: equal distances go to the lower point number; groups are separate") {
  // Group 0: point 0 at the origin, points 1..3 all at distance 1 from it (in 2-d).
  // Group 1: four identical points (like padded particles): every other point is at distance 0.
  Tensor x = Tensor::from_vector({0, 0, 1, 0, 0, 1, -1, 0,
                                  5, 5, 5, 5, 5, 5, 5, 5}, Shape{2, 4, 2}, DType::F32);
  const std::vector<int64_t> index = knn(x, 2);
  REQUIRE(index.size() == 16);
  CHECK(std::vector<int64_t>(index.begin(), index.begin() + 2) == std::vector<int64_t>{1, 2});
  CHECK(std::vector<int64_t>(index.begin() + 8, index.end()) == std::vector<int64_t>{1, 2, 0, 2, 0, 1, 0, 1});
}

TEST_CASE("ops/knn: matches a brute-force sort of squared distances") {
  Generator gen(311);
  const int64_t groups = 3, points = 9, features = 4, k = 5;
  Tensor x = random_normal(Shape{groups, points, features}, gen, DType::F64);
  const std::vector<double> v = x.to_vector();
  const std::vector<int64_t> index = knn(x, k);
  for (int64_t g = 0; g < groups; ++g)
    for (int64_t i = 0; i < points; ++i) {
      std::vector<std::pair<double, int64_t>> all;
      for (int64_t j = 0; j < points; ++j) {
        if (j == i) continue;
        double d = 0;
        for (int64_t f = 0; f < features; ++f) {
          const double diff = v[(g * points + i) * features + f] - v[(g * points + j) * features + f];
          d += diff * diff;
        }
        all.emplace_back(d, j);
      }
      std::sort(all.begin(), all.end());
      for (int64_t m = 0; m < k; ++m) CHECK(index[(g * points + i) * k + m] == all[m].second);
    }
}

TEST_CASE("ops/knn: float32 groups wider than the vector lanes, with a NaN point, match a scalar reference") {
  // 30 points (not a multiple of the kernel's 8 lanes) of 67 features; point 5 of group 1 has a NaN,
  // so its distances count as +infinity: it is everyone's last choice, and its own list is in point order.
  Generator gen(7);
  const int64_t groups = 2, points = 30, features = 67, k = 16;
  std::vector<float> v(groups * points * features);
  const std::vector<double> normal = random_normal(Shape{static_cast<int64_t>(v.size())}, gen, DType::F64).to_vector();
  std::copy(normal.begin(), normal.end(), v.begin());
  v[(points + 5) * features + 3] = NAN;
  const std::vector<int64_t> index = knn(Tensor::from_data<float>(v.data(), Shape{groups, points, features}), k);
  for (int64_t g = 0; g < groups; ++g)
    for (int64_t i = 0; i < points; ++i) {
      std::vector<std::pair<float, int64_t>> all;
      for (int64_t j = 0; j < points; ++j) {
        if (j == i) continue;
        const float d = knn_squared_distance(&v[(g * points + i) * features], &v[(g * points + j) * features], features);
        all.emplace_back(d, j);
      }
      std::sort(all.begin(), all.end());
      for (int64_t m = 0; m < k; ++m) CHECK(index[(g * points + i) * k + m] == all[m].second);
    }
  CHECK(std::vector<int64_t>(index.begin() + (points + 5) * k, index.begin() + (points + 6) * k) ==
        std::vector<int64_t>{0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
}

TEST_CASE("ops/knn: errors name the shape") {
  CHECK_THROWS_AS(knn(Tensor::zeros(Shape{4, 2}), 1), ShapeError);
  CHECK_THROWS_WITH_AS(knn(Tensor::zeros(Shape{2, 4, 3}), 4), doctest::Contains("[2, 4, 3]"), ShapeError);
  CHECK_THROWS_AS(knn(Tensor::zeros(Shape{2, 4, 3}), -1), ShapeError);
}

// CPU vs CUDA parity of knn, ParticleNet's neighbour search: the same indices for random points, ties
// from repeated and grid points, NaN and infinite coordinates, f32 and f64.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine/ops/knn/knn.h"
#include "engine/random/generator.h"
#include "tests/support/parity.h"

using namespace flowjet;

namespace {

// knn of x on both devices; the index lists must be equal element for element.
void check_knn_parity(const std::string& what, const Tensor& x, int64_t k) {
  const std::vector<int64_t> cpu = knn(x, k), cuda = knn(x.to(Device::CUDA), k);
  REQUIRE(cpu.size() == cuda.size());
  int64_t mismatches = 0;
  for (std::size_t n = 0; n < cpu.size(); ++n) {
    if (cpu[n] == cuda[n]) continue;
    if (mismatches < 5) INFO(fmt::format("{}: index[{}] cpu {} cuda {}", what, n, cpu[n], cuda[n]));
    ++mismatches;
  }
  INFO(what << ": " << mismatches << " of " << cpu.size() << " indices differ");
  CHECK(mismatches == 0);
}

// [groups, points, features] with coordinates on a coarse integer grid: many exactly equal distances.
Tensor grid_points(int64_t groups, int64_t points, int64_t features, Generator& gen) {
  std::vector<double> values = testing::uniform_f32(Shape{groups, points, features}, gen, -3, 3).to_vector();
  for (double& v : values) v = std::round(v);
  return Tensor::from_vector(values, Shape{groups, points, features});
}

}  // namespace

TEST_CASE("cuda/knn: same indices as the CPU on random points" * doctest::skip(testing::cuda_parity_skipped())) {
  Generator gen(71);
  // Block 1 of ParticleNet (2 features) and the widths of blocks 2 and 3 (67, 195 features).
  for (int64_t features : {2, 67, 195}) {
    const Tensor x = testing::uniform_f32(Shape{40, 30, features}, gen, -1, 1);
    check_knn_parity(fmt::format("f32, {} features, k 16", features), x, 16);
    check_knn_parity(fmt::format("f64, {} features, k 16", features), x.to(DType::F64), 16);
  }
  const Tensor small = testing::uniform_f32(Shape{7, 5, 3}, gen, -1, 1);
  check_knn_parity("k = points - 1", small, 4);
  check_knn_parity("k = 1", small, 1);
  check_knn_parity("k = 0", small, 0);
}

TEST_CASE("cuda/knn: ties, repeated points, NaN and infinity resolve as on the CPU" *
          doctest::skip(testing::cuda_parity_skipped())) {
  Generator gen(72);
  check_knn_parity("integer grid, 2 features", grid_points(50, 30, 2, gen), 16);
  check_knn_parity("integer grid, 5 features", grid_points(50, 30, 5, gen), 16);

  // Jets padded with zero particles: the padding points are all at the same place.
  std::vector<double> padded = testing::uniform_f32(Shape{20, 30, 3}, gen, -1, 1).to_vector();
  for (int64_t g = 0; g < 20; ++g)
    for (int64_t i = 10 + g % 15; i < 30; ++i)
      for (int64_t f = 0; f < 3; ++f) padded[static_cast<std::size_t>((g * 30 + i) * 3 + f)] = 0.0;
  check_knn_parity("zero padding", Tensor::from_vector(padded, Shape{20, 30, 3}), 16);

  // NaN distances count as +infinity; infinite coordinates give infinite (or NaN) distances.
  std::vector<double> odd = testing::uniform_f32(Shape{10, 20, 2}, gen, -1, 1).to_vector();
  odd[3] = std::numeric_limits<double>::quiet_NaN();
  odd[50] = std::numeric_limits<double>::infinity();
  odd[51] = -std::numeric_limits<double>::infinity();
  odd[90] = std::numeric_limits<double>::infinity();
  odd[200] = std::numeric_limits<double>::quiet_NaN();
  odd[201] = std::numeric_limits<double>::quiet_NaN();
  const Tensor x = Tensor::from_vector(odd, Shape{10, 20, 2});
  check_knn_parity("NaN and infinity, f32", x, 19);
  check_knn_parity("NaN and infinity, f64", x.to(DType::F64), 7);
}

// CPU vs CUDA parity of gather_neighbours, ParticleNet's edge-feature gather: forward and backward agree
// bit for bit (the CUDA backward adds in the CPU's order).
#include <doctest/doctest.h>

#include <vector>

#include "engine/ops/gather_neighbours/gather_neighbours.h"
#include "engine/ops/knn/knn.h"
#include "engine/random/generator.h"
#include "tests/support/parity.h"

using namespace flowjet;

TEST_CASE("cuda/gather_neighbours: forward and backward bit for bit" *
          doctest::skip(testing::cuda_parity_skipped())) {
  Generator gen(73);
  const int64_t groups = 12, points = 30, k = 16;
  const Tensor x = testing::uniform_f32(Shape{groups, points, 64}, gen, -2, 2);
  const testing::ParityTolerance exact{0.0, 0.0};
  // Neighbours from knn (some points are chosen by many others), and a list where every point reads point 0.
  const std::vector<int64_t> neighbours = knn(testing::uniform_f32(Shape{groups, points, 2}, gen, -1, 1), k);
  const std::vector<int64_t> all_first(static_cast<std::size_t>(groups * points * k), 0);
  for (const std::vector<int64_t>* index : {&neighbours, &all_first})
    testing::check_op_parity(
        index == &neighbours ? "knn neighbours" : "all read point 0",
        [&](const std::vector<Tensor>& in) { return std::vector<Tensor>{gather_neighbours(in[0], *index, k)}; },
        {x}, {"x"}, {true}, exact);
  // Odd channel count, one neighbour, and k = 0 (empty output, zero gradient).
  const Tensor narrow = testing::uniform_f32(Shape{3, 9, 5}, gen, -2, 2);
  const std::vector<int64_t> one = knn(narrow, 1);
  testing::check_op_parity(
      "k = 1, 5 channels",
      [&](const std::vector<Tensor>& in) { return std::vector<Tensor>{gather_neighbours(in[0], one, 1)}; }, {narrow},
      {"x"}, {true}, exact);
  testing::check_op_parity(
      "k = 0", [&](const std::vector<Tensor>& in) { return std::vector<Tensor>{gather_neighbours(in[0], {}, 0)}; },
      {narrow}, {"x"}, {true}, exact);
}

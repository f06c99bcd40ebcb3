// CPU f32 vs CUDA f32 parity of the fused rational-quadratic spline: forward and inverse, outputs and row
// log|det|, and the backward w.r.t. the inputs and the packed parameters, with some inputs in the tails;
// the compile-time bin counts (4, 5, 8) and the run-time ones (1, 16) of the shared per-element code.
#include <doctest/doctest.h>

#include <string>

#include "engine/ops/rqs_spline/rqs_spline.h"
#include "engine/random/generator.h"
#include "tests/support/parity.h"

using namespace flowjet;

TEST_CASE("cuda/rqs_spline: parity forward and inverse, outputs, logabsdet and every gradient" *
          doctest::skip(testing::cuda_parity_skipped())) {
  for (int bins : {1, 4, 5, 8, 16}) {
    RqsSplineOptions options;
    options.num_bins = bins;
    options.tail_bound = 3.0;
    options.width_height_scale = bins == 5 ? 0.25 : 1.0;
    Generator gen(static_cast<uint64_t>(40 + bins));
    const int64_t N = 2000, F = 6;
    // About 1 in 6 inputs lands in a tail (|v| > 3).
    Tensor inputs = random_uniform(Shape{N, F}, gen, DType::F32, Device::CPU, -3.6, 3.6);
    Tensor params = random_normal(Shape{N, F * (3 * bins - 1)}, gen);
    for (bool inverse : {false, true}) {
      const std::string label =
          std::string("rqs_spline ") + (inverse ? "inverse" : "forward") + ", K = " + std::to_string(bins);
      testing::check_op_parity(
          label,
          [&](const std::vector<Tensor>& in) {
            RqsSplineResult r = rqs_spline(in[0], in[1], options, inverse);
            return std::vector<Tensor>{r.outputs, r.logabsdet};
          },
          {inputs, params}, {"inputs", "params"}, {true, true}, testing::kReductionTolerance);
    }
  }
}

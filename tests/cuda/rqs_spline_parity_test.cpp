// CPU f32 vs CUDA f32 parity of the fused rational-quadratic spline: forward and inverse, both outputs,
// and the backward w.r.t. the inputs and all three raw parameter sets, with some inputs in the tails.
#include <doctest/doctest.h>

#include <string>

#include "engine/ops/rqs_spline/rqs_spline.h"
#include "engine/random/generator.h"
#include "tests/cuda/parity.h"

using namespace flowjet;

TEST_CASE("cuda/rqs_spline: parity forward and inverse, outputs, logabsdet and every gradient" *
          doctest::skip(testing::cuda_parity_skipped())) {
  for (int bins : {1, 8, 16}) {
    RqsSplineOptions options;
    options.num_bins = bins;
    options.tail_bound = 3.0;
    Generator gen(static_cast<uint64_t>(40 + bins));
    const int64_t N = 2000, F = 6;
    // About 1 in 6 inputs lands in a tail (|v| > 3).
    Tensor inputs = random_uniform(Shape{N, F}, gen, DType::F32, Device::CPU, -3.6, 3.6);
    Tensor widths = random_normal(Shape{N, F, bins}, gen);
    Tensor heights = random_normal(Shape{N, F, bins}, gen);
    Tensor derivatives = random_normal(Shape{N, F, bins - 1}, gen);
    for (bool inverse : {false, true}) {
      const std::string label =
          std::string("rqs_spline ") + (inverse ? "inverse" : "forward") + ", K = " + std::to_string(bins);
      testing::check_op_parity(
          label,
          [&](const std::vector<Tensor>& in) {
            RqsSplineResult r = rqs_spline(in[0], in[1], in[2], in[3], options, inverse);
            return std::vector<Tensor>{r.outputs, r.logabsdet};
          },
          {inputs, widths, heights, derivatives},
          {"inputs", "unnormalized_widths", "unnormalized_heights", "unnormalized_derivatives"},
          {true, true, true, bins > 1}, testing::kReductionTolerance);
    }
  }
}

TEST_CASE("cuda/rqs_spline: more bins than the CUDA kernel holds is a ConfigError" *
          doctest::skip(testing::cuda_parity_skipped())) {
  RqsSplineOptions options;
  options.num_bins = 65;
  options.tail_bound = 3.0;
  options.min_bin_width = options.min_bin_height = 1e-4;
  const Device cuda = Device::CUDA;
  CHECK_THROWS_AS(
      rqs_spline(Tensor::zeros(Shape{2, 1}, DType::F32, cuda), Tensor::zeros(Shape{2, 1, 65}, DType::F32, cuda),
                 Tensor::zeros(Shape{2, 1, 65}, DType::F32, cuda), Tensor::zeros(Shape{2, 1, 64}, DType::F32, cuda),
                 options, false),
      ConfigError);
}

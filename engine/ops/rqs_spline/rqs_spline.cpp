// Wiring of the fused rational-quadratic spline: option and shape checks, allocation, dtype/device dispatch
// and the tape node whose backward feeds both outputs' gradients into inputs and raw parameters (flows.md §1).
#include "engine/ops/rqs_spline/rqs_spline.h"

#include <cmath>
#include <string>

#include "engine/autograd/recording.h"
#include "engine/backend/cuda/dispatch.h"
#include "engine/core/error.h"

namespace flowjet {
namespace {

constexpr const char* kOp = "rqs_spline";

void check_options(const RqsSplineOptions& o) {
  auto fail = [](const std::string& what) { throw ConfigError(std::string(kOp) + ": " + what); };
  if (o.num_bins < 1) fail("num_bins must be >= 1, got " + std::to_string(o.num_bins));
  if (!(o.tail_bound > 0) || !std::isfinite(o.tail_bound))
    fail("tail_bound must be finite and > 0, got " + std::to_string(o.tail_bound));
  if (!(o.min_bin_width >= 0) || !(o.min_bin_height >= 0) || !(o.min_derivative >= 0))
    fail("min_bin_width, min_bin_height and min_derivative must be >= 0");
  // nflows: "Minimal bin width too large for the number of bins" (and the same for heights).
  if (o.min_bin_width * o.num_bins > 1.0)
    fail("min_bin_width * num_bins must be <= 1, got " + std::to_string(o.min_bin_width) + " * " +
         std::to_string(o.num_bins));
  if (o.min_bin_height * o.num_bins > 1.0)
    fail("min_bin_height * num_bins must be <= 1, got " + std::to_string(o.min_bin_height) + " * " +
         std::to_string(o.num_bins));
}

void check_shapes(const Tensor& inputs, const Tensor& widths, const Tensor& heights, const Tensor& derivatives,
                  int bins) {
  const bool ok = inputs.ndim() == 2 && widths.ndim() == 3 && heights.ndim() == 3 && derivatives.ndim() == 3 &&
                  widths.size(0) == inputs.size(0) && widths.size(1) == inputs.size(1) && widths.size(2) == bins &&
                  heights.shape() == widths.shape() && derivatives.size(0) == inputs.size(0) &&
                  derivatives.size(1) == inputs.size(1) && derivatives.size(2) == bins - 1;
  if (!ok)
    throw ShapeError(std::string(kOp) + ": expected inputs [N, F], unnormalized_widths and unnormalized_heights [N, F, " +
                     std::to_string(bins) + "], unnormalized_derivatives [N, F, " + std::to_string(bins - 1) +
                     "] (num_bins = " + std::to_string(bins) + "), got inputs " + inputs.shape().str() +
                     ", unnormalized_widths " + widths.shape().str() + ", unnormalized_heights " +
                     heights.shape().str() + ", unnormalized_derivatives " + derivatives.shape().str());
}

}  // namespace

RqsSplineResult rqs_spline(const Tensor& inputs, const Tensor& unnormalized_widths, const Tensor& unnormalized_heights,
                           const Tensor& unnormalized_derivatives, const RqsSplineOptions& options, bool inverse) {
  check_same_dtype_device(kOp, {&inputs, &unnormalized_widths, &unnormalized_heights, &unnormalized_derivatives});
  check_options(options);
  check_shapes(inputs, unnormalized_widths, unnormalized_heights, unnormalized_derivatives, options.num_bins);

  // outputs, logabsdet: [N, F]
  RqsSplineResult result{Tensor::empty(inputs.shape(), inputs.dtype(), inputs.device()),
                         Tensor::empty(inputs.shape(), inputs.dtype(), inputs.device())};
  dispatch_dtype(inputs.dtype(), [&](auto zero) {
    using T = decltype(zero);
    auto run = [&](auto kernel) {
      kernel(inputs.data<T>(), unnormalized_widths.data<T>(), unnormalized_heights.data<T>(),
             unnormalized_derivatives.data<T>(), inputs.numel(), options, inverse, result.outputs.data<T>(),
             result.logabsdet.data<T>());
    };
    if (inputs.device() == Device::CUDA)
      cuda_branch(kOp, [&] { run(rqs_spline_forward_cuda<T>); });
    else
      run(rqs_spline_forward_cpu<T>);
  });

  if (should_record({&inputs, &unnormalized_widths, &unnormalized_heights, &unnormalized_derivatives})) {
    // Saved: the four inputs only; the backward recomputes knots, bin index and xi (about one forward's work).
    record(kOp, {inputs, unnormalized_widths, unnormalized_heights, unnormalized_derivatives},
           {result.outputs, result.logabsdet},
           [inputs, unnormalized_widths, unnormalized_heights, unnormalized_derivatives, options,
            inverse](const std::vector<Tensor>& grads) {
             Tensor grad_inputs = grad_buffer(inputs);
             Tensor grad_widths = grad_buffer(unnormalized_widths);
             Tensor grad_heights = grad_buffer(unnormalized_heights);
             Tensor grad_derivatives = grad_buffer(unnormalized_derivatives);
             dispatch_dtype(inputs.dtype(), [&](auto zero) {
               using T = decltype(zero);
               auto ptr = [](Tensor& t) { return t.defined() ? t.data<T>() : nullptr; };
               auto run = [&](auto kernel) {
                 kernel(inputs.data<T>(), unnormalized_widths.data<T>(), unnormalized_heights.data<T>(),
                        unnormalized_derivatives.data<T>(), grads[0].data<T>(), grads[1].data<T>(), inputs.numel(),
                        options, inverse, ptr(grad_inputs), ptr(grad_widths), ptr(grad_heights), ptr(grad_derivatives));
               };
               if (inputs.device() == Device::CUDA)
                 cuda_branch(kOp, [&] { run(rqs_spline_backward_cuda<T>); });
               else
                 run(rqs_spline_backward_cpu<T>);
             });
           });
  }
  return result;
}

}  // namespace flowjet

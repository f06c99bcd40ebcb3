// Wiring of the fused rational-quadratic spline: option and shape checks, allocation, dtype/device dispatch
// and the tape node whose backward feeds both outputs' gradients into the inputs and the packed parameters.
#include "engine/ops/rqs_spline/rqs_spline.h"

#include <cmath>
#include <string>

#include "engine/autograd/recording.h"
#include "engine/backend/cuda/dispatch.h"
#include "engine/core/error.h"
#include "engine/profile/profiler.h"
#include "engine/ops/rqs_spline/rqs_spline_math.h"

namespace flowjet {
namespace {

constexpr const char* kOp = "rqs_spline";

void check_options(const RqsSplineOptions& o) {
  auto fail = [](const std::string& what) { throw ConfigError(std::string(kOp) + ": " + what); };
  if (o.num_bins < 1 || o.num_bins > rqs::kMaxBins)
    fail("num_bins must be in [1, " + std::to_string(rqs::kMaxBins) + "], got " + std::to_string(o.num_bins));
  if (!(o.tail_bound > 0) || !std::isfinite(o.tail_bound))
    fail("tail_bound must be finite and > 0, got " + std::to_string(o.tail_bound));
  if (!std::isfinite(o.width_height_scale))
    fail("width_height_scale must be finite, got " + std::to_string(o.width_height_scale));
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

void check_shapes(const Tensor& inputs, const Tensor& params, int bins) {
  const int64_t per_feature = rqs::params_per_element(bins);
  const bool ok = inputs.ndim() == 2 && params.ndim() == 2 && params.size(0) == inputs.size(0) &&
                  params.size(1) == inputs.size(1) * per_feature;
  if (!ok)
    throw ShapeError(std::string(kOp) + ": expected inputs [N, F] and params [N, F * " + std::to_string(per_feature) +
                     "] (3K-1 per feature, num_bins K = " + std::to_string(bins) + "), got inputs " +
                     inputs.shape().str() + " and params " + params.shape().str());
}

}  // namespace

RqsSplineResult rqs_spline(const Tensor& inputs, const Tensor& params, const RqsSplineOptions& options, bool inverse) {
  OpProfileScope scope(kOp, {&inputs, &params});
  check_same_dtype_device(kOp, {&inputs, &params});
  check_options(options);
  check_shapes(inputs, params, options.num_bins);
  const int64_t rows = inputs.size(0), features = inputs.size(1);

  RqsSplineResult result{Tensor::empty(inputs.shape(), inputs.dtype(), inputs.device()),
                         Tensor::empty(Shape{rows}, inputs.dtype(), inputs.device())};
  scope.add_written(result.outputs);
  scope.add_written(result.logabsdet);
  dispatch_dtype(inputs.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* x = inputs.data<T>();
    const T* p = params.data<T>();
    T* out = result.outputs.data<T>();
    T* lad = result.logabsdet.data<T>();
    if (inputs.device() == Device::CUDA) {
      cuda_branch(kOp, [&] {
        Tensor element_logabsdet = Tensor::empty(inputs.shape(), inputs.dtype(), inputs.device());
        rqs_spline_forward_cuda<T>(x, p, rows, features, options, inverse, out, lad, element_logabsdet.data<T>());
      });
    } else {
      rqs_spline_forward_cpu<T>(x, p, rows, features, options, inverse, out, lad);
    }
  });

  if (should_record({&inputs, &params})) {
    // Saved: the two inputs only; the backward recomputes knots, bin index and xi (about one forward's work).
    record(kOp, {inputs, params}, {result.outputs, result.logabsdet},
           [inputs, params, options, inverse, rows, features](const std::vector<Tensor>& grads) {
             Tensor grad_inputs = grad_buffer(inputs);
             Tensor grad_params = grad_buffer(params);
             dispatch_dtype(inputs.dtype(), [&](auto zero) {
               using T = decltype(zero);
               auto ptr = [](Tensor& t) { return t.defined() ? t.data<T>() : nullptr; };
               auto run = [&](auto kernel) {
                 kernel(inputs.data<T>(), params.data<T>(), grads[0].data<T>(), grads[1].data<T>(), rows, features,
                        options, inverse, ptr(grad_inputs), ptr(grad_params));
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

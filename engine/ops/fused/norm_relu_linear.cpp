// Wiring of norm_relu_linear: checks (batchnorm's and linear's), the forward through a temporary t, and a
// backward that draws t (and the keep-mask) again instead of keeping them. Kernels: batchnorm_relu_dropout's
// (or relu_dropout_*, without batch norm) for t, linear's for the product.
#include "engine/ops/fused/norm_relu_linear.h"

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/backend/cuda/dispatch.h"
#include "engine/core/error.h"
#include "engine/ops/batchnorm/batchnorm.h"
#include "engine/ops/fused/batchnorm_relu_dropout.h"
#include "engine/ops/linear/linear.h"
#include "engine/ops/linear/linear_cpu.h"
#include "engine/profile/profiler.h"

namespace flowjet {
namespace {

constexpr const char* kOp = "norm_relu_linear";

// Where the keep-mask came from: its rate and the position (seed, offset) of the Philox stream it was
// drawn at. Philox is counter-based, so the mask is a function of these three numbers and the shape.
struct MaskRecipe {
  double p = 0.0;
  uint64_t seed = 0, offset = 0;
};

// The mask the recipe describes, bit for bit the one drawn in the forward.
Tensor redraw(const MaskRecipe& recipe, const Tensor& x) {
  Generator replay(recipe.seed, recipe.offset);
  return random_keep_mask(x.shape(), recipe.p, replay, x.dtype(), x.device());
}

// What the backward reads besides dL/dy: the op's inputs, the statistics the batch norm used ([in]
// each) and the mask's recipe. No [batch, in] tensor other than x.
struct Saved {
  Tensor x, weight, bias;
  bool has_norm = false, is_training = false;
  Tensor gamma, beta, mean, inv_std;
  BatchStatsReducer* reducer = nullptr;  // synchronised batch norm
  bool has_mask = false;
  MaskRecipe mask;
};

// Calls cpu(), or for a CUDA tensor cuda(). Each names its kernel inside a lambda, so a build without CUDA
// never references a CUDA launcher (cuda_branch drops that call).
template <class Cpu, class Cuda>
void on_device(const Tensor& x, Cpu&& cpu, Cuda&& cuda) {
  if (x.device() == Device::CUDA)
    cuda_branch(kOp, cuda);
  else
    cpu();
}

// t = relu(norm(x)) * keep from the saved statistics (batch norm) or from x alone.
Tensor recompute_t(const Saved& s, const Tensor& keep_mask) {
  const int64_t N = s.x.size(0), C = s.x.size(1);
  Tensor t = Tensor::empty(s.x.shape(), s.x.dtype(), s.x.device());
  dispatch_dtype(s.x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* keep = data_or_null<T>(keep_mask);
    if (s.has_norm) {
      auto run = [&](auto kernel) {
        kernel(s.x.data<T>(), s.gamma.data<T>(), s.beta.data<T>(), s.mean.data<T>(), s.inv_std.data<T>(), keep,
               t.data<T>(), N, C);
      };
      on_device(s.x, [&] { run(batchnorm_relu_dropout_apply_cpu<T>); },
                [&] { run(batchnorm_relu_dropout_apply_cuda<T>); });
    } else {
      auto run = [&](auto kernel) { kernel(s.x.data<T>(), keep, t.data<T>(), s.x.numel()); };
      on_device(s.x, [&] { run(relu_dropout_forward_cpu<T>); }, [&] { run(relu_dropout_forward_cuda<T>); });
    }
  });
  return t;
}

void backward_pass(const Saved& s, const Tensor& grad_y, double flops) {
  Tensor grad_x = grad_buffer(s.x), grad_weight = grad_buffer(s.weight);
  Tensor grad_bias = s.bias.defined() ? grad_buffer(s.bias) : Tensor();
  Tensor grad_gamma = s.has_norm ? grad_buffer(s.gamma) : Tensor();
  Tensor grad_beta = s.has_norm ? grad_buffer(s.beta) : Tensor();
  const bool needs_grad_t = grad_x.defined() || grad_gamma.defined() || grad_beta.defined();
  add_flops_to_current_op(((needs_grad_t ? 1.0 : 0.0) + (grad_weight.defined() ? 1.0 : 0.0)) * flops);

  const Tensor keep_mask = s.has_mask ? redraw(s.mask, s.x) : Tensor();
  Tensor t = recompute_t(s, keep_mask);
  // dL/dt = dL/dy W is written by a product of its own (beta = 0), not added into a zero-filled buffer as an
  // unfused t's gradient would be: the same values without a pass that writes [batch, in] zeros and a product
  // that reads them back. The linear backward then gives dL/dW and dL/db only.
  Tensor grad_t = needs_grad_t ? Tensor::empty(t.shape(), t.dtype(), t.device()) : Tensor();
  const int64_t N = s.x.size(0), in = s.x.size(1), out = s.weight.size(0);
  dispatch_dtype(s.x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    if (needs_grad_t) {
      auto product = [&](auto kernel) { kernel(grad_y.data<T>(), s.weight.data<T>(), grad_t.data<T>(), N, out, in); };
      on_device(s.x, [&] { product(matmul_forward_cpu<T>); }, [&] { product(matmul_forward_cuda<T>); });
    }
    auto run = [&](auto kernel) {
      kernel(t.data<T>(), s.weight.data<T>(), grad_y.data<T>(), nullptr, data_or_null<T>(grad_weight),
             data_or_null<T>(grad_bias), N, in, out);
    };
    on_device(s.x, [&] { run(linear_backward_cpu<T>); }, [&] { run(linear_backward_cuda<T>); });
  });
  t = Tensor();  // done with t: free it before the next step
  if (!needs_grad_t) return;
  dispatch_dtype(s.x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* keep = data_or_null<T>(keep_mask);
    if (s.has_norm) {
      auto run = [&](auto kernel, auto... cpu_reducer) {
        kernel(s.x.data<T>(), s.gamma.data<T>(), s.beta.data<T>(), s.mean.data<T>(), s.inv_std.data<T>(), keep,
               grad_t.data<T>(), data_or_null<T>(grad_x), data_or_null<T>(grad_gamma), data_or_null<T>(grad_beta), N,
               in, s.is_training, cpu_reducer...);
      };
      on_device(s.x, [&] { run(batchnorm_relu_dropout_backward_cpu<T>, s.reducer); },
                [&] { run(batchnorm_relu_dropout_backward_cuda<T>); });
    } else if (grad_x.defined()) {
      auto run = [&](auto kernel) { kernel(s.x.data<T>(), keep, grad_t.data<T>(), grad_x.data<T>(), s.x.numel()); };
      on_device(s.x, [&] { run(relu_dropout_backward_cpu<T>); }, [&] { run(relu_dropout_backward_cuda<T>); });
    }
  });
}

}  // namespace

Tensor norm_relu_linear(const Tensor& x, const std::optional<NormArgs>& norm, const DropoutArgs& dropout,
                        const Tensor& weight, const Tensor& bias) {
  OpProfileScope scope(kOp, {&x, &weight, &bias});
  check_linear_arguments(kOp, x, weight, bias);
  if (norm)
    check_batchnorm_arguments(kOp, x, norm->gamma, norm->beta, norm->running_mean, norm->running_var,
                              norm->is_training, norm->reducer);
  const int64_t N = x.size(0), in = x.size(1), out = weight.size(0);

  Saved s;
  s.x = x;
  s.weight = weight;
  s.bias = bias;
  s.has_norm = norm.has_value();
  Tensor keep_mask;
  if (dropout.active()) {
    // Note the stream position, then draw (and advance the generator) exactly as random_keep_mask does.
    s.has_mask = true;
    s.mask = MaskRecipe{dropout.p, dropout.gen->seed(), dropout.gen->offset()};
    keep_mask = random_keep_mask(x.shape(), dropout.p, *dropout.gen, x.dtype(), x.device());
  }
  Tensor t = Tensor::empty(x.shape(), x.dtype(), x.device()), y;
  dispatch_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* keep = data_or_null<T>(keep_mask);
    if (norm) {
      s.is_training = norm->is_training;
      s.gamma = norm->gamma;
      s.beta = norm->beta;
      s.reducer = norm->reducer;
      s.mean = Tensor::empty(Shape{in}, x.dtype(), x.device());
      s.inv_std = Tensor::empty(Shape{in}, x.dtype(), x.device());
      Tensor rm = norm->running_mean, rv = norm->running_var;  // updated in place in training mode
      auto run = [&](auto kernel, auto... cpu_reducer) {
        kernel(x.data<T>(), s.gamma.data<T>(), s.beta.data<T>(), rm.data<T>(), rv.data<T>(), s.mean.data<T>(),
               s.inv_std.data<T>(), keep, t.data<T>(), N, in, norm->is_training, norm->momentum, norm->eps,
               cpu_reducer...);
      };
      on_device(x, [&] { run(batchnorm_relu_dropout_forward_cpu<T>, norm->reducer); },
                [&] { run(batchnorm_relu_dropout_forward_cuda<T>); });
    } else {
      auto run = [&](auto kernel) { kernel(x.data<T>(), keep, t.data<T>(), x.numel()); };
      on_device(x, [&] { run(relu_dropout_forward_cpu<T>); }, [&] { run(relu_dropout_forward_cuda<T>); });
    }
    keep_mask = Tensor();  // t holds it now: free it before y is allocated
    y = Tensor::empty(Shape{N, out}, x.dtype(), x.device());
    auto product = [&](auto kernel) {
      kernel(t.data<T>(), weight.data<T>(), data_or_null<T>(bias), y.data<T>(), N, in, out);
    };
    on_device(x, [&] { product(linear_forward_cpu<T>); }, [&] { product(linear_forward_cuda<T>); });
  });
  scope.add_written(y);
  const double flops = 2.0 * static_cast<double>(N) * static_cast<double>(in) * static_cast<double>(out);
  scope.add_flops(flops);

  std::vector<Tensor> inputs{x, weight};
  if (bias.defined()) inputs.push_back(bias);
  if (norm) {
    inputs.push_back(norm->gamma);
    inputs.push_back(norm->beta);
  }
  if (should_record(inputs))
    record(kOp, inputs, {y}, [s, flops](const std::vector<Tensor>& grads) { backward_pass(s, grads[0], flops); });
  return y;
}

}  // namespace flowjet

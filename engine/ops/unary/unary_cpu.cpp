// CPU kernels of the unary ops: plain loops split over the thread pool, formulas from unary_math.h.
#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/unary/unary.h"
#include "engine/ops/unary/sigmoid_cpu.h"
#include "engine/ops/unary/unary_math.h"

namespace flowjet {
namespace {
constexpr int64_t kGrain = 1 << 15;

// The forward loop with the kind fixed at compile time: unary_value() folds to one expression, so
// the compiler can vectorise the cheap kinds (relu, neg, abs, square).
template <UnaryKind Kind, class T>
void forward_loop(const T* x, T* y, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) y[i] = unary_value(Kind, x[i]);
  });
}
}  // namespace

template <class T>
void unary_forward_cpu(UnaryKind kind, const T* x, T* y, int64_t n) {
  switch (kind) {
    case UnaryKind::Neg: return forward_loop<UnaryKind::Neg>(x, y, n);
    case UnaryKind::Exp: return forward_loop<UnaryKind::Exp>(x, y, n);
    case UnaryKind::Log: return forward_loop<UnaryKind::Log>(x, y, n);
    case UnaryKind::Sqrt: return forward_loop<UnaryKind::Sqrt>(x, y, n);
    case UnaryKind::Square: return forward_loop<UnaryKind::Square>(x, y, n);
    case UnaryKind::Abs: return forward_loop<UnaryKind::Abs>(x, y, n);
    case UnaryKind::Sin: return forward_loop<UnaryKind::Sin>(x, y, n);
    case UnaryKind::Cos: return forward_loop<UnaryKind::Cos>(x, y, n);
    case UnaryKind::Sinh: return forward_loop<UnaryKind::Sinh>(x, y, n);
    case UnaryKind::Cosh: return forward_loop<UnaryKind::Cosh>(x, y, n);
    case UnaryKind::Tanh: return forward_loop<UnaryKind::Tanh>(x, y, n);
    case UnaryKind::Relu: return forward_loop<UnaryKind::Relu>(x, y, n);
    case UnaryKind::Sigmoid:  // the vector sigmoid of gate and gate_residual (sigmoid_cpu.h)
      return parallel_for(n, kGrain, [&](int64_t begin, int64_t end) { sigmoid_cpu(x + begin, y + begin, end - begin); });
    case UnaryKind::Softplus: return forward_loop<UnaryKind::Softplus>(x, y, n);
  }
}

template <class T>
void unary_backward_cpu(UnaryKind kind, const T* x, const T* y, const T* grad_y, T* grad_x, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) grad_x[i] += grad_y[i] * unary_derivative(kind, x[i], y[i]);
  });
}

template void unary_forward_cpu<float>(UnaryKind, const float*, float*, int64_t);
template void unary_forward_cpu<double>(UnaryKind, const double*, double*, int64_t);
template void unary_backward_cpu<float>(UnaryKind, const float*, const float*, const float*, float*, int64_t);
template void unary_backward_cpu<double>(UnaryKind, const double*, const double*, const double*, double*, int64_t);

}  // namespace flowjet

// CPU kernels of the unary ops: plain loops split over the thread pool.
#include <cmath>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/unary/unary.h"

namespace flowjet {
namespace {

constexpr int64_t kGrain = 1 << 15;

template <class T>
T softplus_value(T x) {
  // PyTorch's softplus with threshold 20: x itself above it; log1p(exp(x)) otherwise, which is
  // stable for very negative x (exp underflows to 0 gracefully).
  return x > T(20) ? x : std::log1p(std::exp(x));
}

template <class T>
T sigmoid_value(T x) {
  // Two branches so exp never overflows.
  if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
  T e = std::exp(x);
  return e / (T(1) + e);
}

template <class T>
T apply(UnaryKind kind, T x) {
  switch (kind) {
    case UnaryKind::Neg: return -x;
    case UnaryKind::Exp: return std::exp(x);
    case UnaryKind::Log: return std::log(x);
    case UnaryKind::Sqrt: return std::sqrt(x);
    case UnaryKind::Square: return x * x;
    case UnaryKind::Abs: return std::fabs(x);
    case UnaryKind::Sin: return std::sin(x);
    case UnaryKind::Cos: return std::cos(x);
    case UnaryKind::Sinh: return std::sinh(x);
    case UnaryKind::Cosh: return std::cosh(x);
    case UnaryKind::Tanh: return std::tanh(x);
    case UnaryKind::Relu: return x > T(0) ? x : T(0);
    case UnaryKind::Sigmoid: return sigmoid_value(x);
    case UnaryKind::Softplus: return softplus_value(x);
  }
  return x;
}

// dy/dx, written with the forward output y where that is cheaper or more stable.
template <class T>
T derivative(UnaryKind kind, T x, T y) {
  switch (kind) {
    case UnaryKind::Neg: return T(-1);
    case UnaryKind::Exp: return y;
    case UnaryKind::Log: return T(1) / x;
    case UnaryKind::Sqrt: return T(0.5) / y;
    case UnaryKind::Square: return T(2) * x;
    case UnaryKind::Abs: return x > T(0) ? T(1) : (x < T(0) ? T(-1) : T(0));
    case UnaryKind::Sin: return std::cos(x);
    case UnaryKind::Cos: return -std::sin(x);
    case UnaryKind::Sinh: return std::cosh(x);
    case UnaryKind::Cosh: return std::sinh(x);
    case UnaryKind::Tanh: return T(1) - y * y;
    case UnaryKind::Relu: return x > T(0) ? T(1) : T(0);
    case UnaryKind::Sigmoid: return y * (T(1) - y);
    case UnaryKind::Softplus: return x > T(20) ? T(1) : sigmoid_value(x);  // d/dx log(1+e^x) = sigmoid(x)
  }
  return T(0);
}

// The forward loop with the kind fixed at compile time: apply() folds to one expression, so the
// compiler can vectorise the cheap kinds (relu, neg, abs, square).
template <UnaryKind Kind, class T>
void forward_loop(const T* x, T* y, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) y[i] = apply(Kind, x[i]);
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
    case UnaryKind::Sigmoid: return forward_loop<UnaryKind::Sigmoid>(x, y, n);
    case UnaryKind::Softplus: return forward_loop<UnaryKind::Softplus>(x, y, n);
  }
}

template <class T>
void unary_backward_cpu(UnaryKind kind, const T* x, const T* y, const T* grad_y, T* grad_x, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) grad_x[i] += grad_y[i] * derivative(kind, x[i], y[i]);
  });
}

template void unary_forward_cpu<float>(UnaryKind, const float*, float*, int64_t);
template void unary_forward_cpu<double>(UnaryKind, const double*, double*, int64_t);
template void unary_backward_cpu<float>(UnaryKind, const float*, const float*, const float*, float*, int64_t);
template void unary_backward_cpu<double>(UnaryKind, const double*, const double*, const double*, double*, int64_t);

}  // namespace flowjet

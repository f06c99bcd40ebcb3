// The formulas of the unary ops, y = f(x) and dy/dx, shared by unary_cpu.cpp and unary_cuda.cu.
#pragma once

#include <cmath>

#include "engine/core/host_device.h"
#include "engine/ops/unary/logistic.h"
#include "engine/ops/unary/unary.h"

namespace flowjet {

/// y = f(x) for the given kind.
template <class T>
FLOWJET_HOST_DEVICE inline T unary_value(UnaryKind kind, T x) {
  switch (kind) {
    case UnaryKind::Neg:
      return -x;
    case UnaryKind::Exp:
      return std::exp(x);
    case UnaryKind::Log:
      return std::log(x);
    case UnaryKind::Sqrt:
      return std::sqrt(x);
    case UnaryKind::Square:
      return x * x;
    case UnaryKind::Abs:
      return std::fabs(x);
    case UnaryKind::Sin:
      return std::sin(x);
    case UnaryKind::Cos:
      return std::cos(x);
    case UnaryKind::Sinh:
      return std::sinh(x);
    case UnaryKind::Cosh:
      return std::cosh(x);
    case UnaryKind::Tanh:
      return std::tanh(x);
    case UnaryKind::Relu:
      return x > T(0) ? x : T(0);
    case UnaryKind::Sigmoid:
      return sigmoid_value(x);
    case UnaryKind::Softplus:
      return softplus_value(x);
  }
  return x;
}

/// dy/dx, written with the forward output y where that is cheaper or more stable.
template <class T>
FLOWJET_HOST_DEVICE inline T unary_derivative(UnaryKind kind, T x, T y) {
  switch (kind) {
    case UnaryKind::Neg:
      return T(-1);
    case UnaryKind::Exp:
      return y;
    case UnaryKind::Log:
      return T(1) / x;
    case UnaryKind::Sqrt:
      return T(0.5) / y;
    case UnaryKind::Square:
      return T(2) * x;
    case UnaryKind::Abs:
      return x > T(0) ? T(1) : (x < T(0) ? T(-1) : T(0));
    case UnaryKind::Sin:
      return std::cos(x);
    case UnaryKind::Cos:
      return -std::sin(x);
    case UnaryKind::Sinh:
      return std::cosh(x);
    case UnaryKind::Cosh:
      return std::sinh(x);
    case UnaryKind::Tanh:
      return T(1) - y * y;
    case UnaryKind::Relu:
      return x > T(0) ? T(1) : T(0);
    case UnaryKind::Sigmoid:
      return y * (T(1) - y);
    case UnaryKind::Softplus:
      return x > T(20) ? T(1) : sigmoid_value(x);  // d/dx log(1+e^x) = sigmoid(x)
  }
  return T(0);
}

}  // namespace flowjet

// The formulas of add, sub, mul and div, shared by binary_cpu.cpp and binary_cuda.cu: each op's value
// and the derivative terms grad_y * dy/da and grad_y * dy/db.
#pragma once

#include "engine/core/host_device.h"
#include "engine/ops/binary/binary.h"

namespace flowjet {

struct AddOp {
  template <class T> FLOWJET_HOST_DEVICE static T forward(T a, T b) { return a + b; }
  template <class T> FLOWJET_HOST_DEVICE static T grad_a(T, T, T g) { return g; }
  template <class T> FLOWJET_HOST_DEVICE static T grad_b(T, T, T g) { return g; }
};
struct SubOp {
  template <class T> FLOWJET_HOST_DEVICE static T forward(T a, T b) { return a - b; }
  template <class T> FLOWJET_HOST_DEVICE static T grad_a(T, T, T g) { return g; }
  template <class T> FLOWJET_HOST_DEVICE static T grad_b(T, T, T g) { return -g; }
};
struct MulOp {
  template <class T> FLOWJET_HOST_DEVICE static T forward(T a, T b) { return a * b; }
  template <class T> FLOWJET_HOST_DEVICE static T grad_a(T, T b, T g) { return g * b; }
  template <class T> FLOWJET_HOST_DEVICE static T grad_b(T a, T, T g) { return g * a; }
};
struct DivOp {
  template <class T> FLOWJET_HOST_DEVICE static T forward(T a, T b) { return a / b; }
  template <class T> FLOWJET_HOST_DEVICE static T grad_a(T, T b, T g) { return g / b; }
  // d(a/b)/db = -a/b^2
  template <class T> FLOWJET_HOST_DEVICE static T grad_b(T a, T b, T g) { return -g * a / (b * b); }
};

/// Calls fn with the op struct of `kind` (AddOp{}, SubOp{}, ...), so a generic lambda picks the kernel.
template <class Fn>
void dispatch_binary_kind(BinaryKind kind, Fn&& fn) {
  switch (kind) {
    case BinaryKind::Add:
      fn(AddOp{});
      return;
    case BinaryKind::Sub:
      fn(SubOp{});
      return;
    case BinaryKind::Mul:
      fn(MulOp{});
      return;
    case BinaryKind::Div:
      fn(DivOp{});
      return;
  }
}

}  // namespace flowjet

// Element types of tensors: float32 for training, float64 for gradient checks and references.
#pragma once

#include <cstddef>
#include <string>
#include <type_traits>

#include "engine/core/error.h"

namespace flowjet {

enum class DType { F32, F64 };

inline const char* dtype_name(DType dtype) { return dtype == DType::F32 ? "f32" : "f64"; }
inline std::size_t dtype_size(DType dtype) { return dtype == DType::F32 ? 4 : 8; }

/// The DType of a C++ element type: dtype_of<float>() == DType::F32.
template <class T>
constexpr DType dtype_of() {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "flowjet tensors hold float or double");
  return std::is_same_v<T, float> ? DType::F32 : DType::F64;
}

/// Calls fn with a value of the C++ type of `dtype` (float{} or double{}), so a generic
/// lambda can instantiate a kernel: dispatch_dtype(x.dtype(), [&](auto zero) { using T = decltype(zero); ... });
template <class Fn>
decltype(auto) dispatch_dtype(DType dtype, Fn&& fn) {
  if (dtype == DType::F32) return fn(float{});
  return fn(double{});
}

}  // namespace flowjet

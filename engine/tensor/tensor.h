// Tensor: a shared, contiguous, row-major buffer with a shape, a dtype, a device and an
// optional gradient. Copies of a Tensor share the same data (like a shared_ptr); clone() copies.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/device.h"
#include "engine/core/dtype.h"
#include "engine/core/shape.h"
#include "engine/tensor/storage.h"

namespace flowjet {

class Tensor;

namespace detail {
struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape shape;
  DType dtype = DType::F32;
  Device device = Device::CPU;
  bool requires_grad = false;
  bool is_leaf = true;               // false for outputs recorded on the tape
  std::shared_ptr<TensorImpl> grad;  // same shape, dtype and device; null until backward adds to it
};
}  // namespace detail

class Tensor {
 public:
  /// An undefined tensor (no storage); defined() is false.
  Tensor() = default;

  // ---- creation ----
  static Tensor empty(const Shape& shape, DType dtype = DType::F32, Device device = Device::CPU);
  static Tensor zeros(const Shape& shape, DType dtype = DType::F32, Device device = Device::CPU);
  static Tensor ones(const Shape& shape, DType dtype = DType::F32, Device device = Device::CPU);
  static Tensor full(const Shape& shape, double value, DType dtype = DType::F32, Device device = Device::CPU);
  /// [0, 1, ..., n-1] as a 1-d tensor.
  static Tensor arange(int64_t n, DType dtype = DType::F32, Device device = Device::CPU);
  /// Copies host values (converted to `dtype`); throws ShapeError when the count differs from shape.numel().
  static Tensor from_vector(const std::vector<double>& values, const Shape& shape, DType dtype = DType::F32,
                            Device device = Device::CPU);
  template <class T>
  static Tensor from_data(const T* values, const Shape& shape, Device device = Device::CPU);

  // ---- description ----
  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const;
  int ndim() const { return shape().ndim(); }
  /// Size of one axis; negative axes count from the end.
  int64_t size(int axis) const;
  int64_t numel() const { return shape().numel(); }
  DType dtype() const;
  Device device() const;
  /// "f32[2, 3] on cpu"
  std::string describe() const;

  // ---- data access (CPU tensors) ----
  template <class T>
  T* data();
  template <class T>
  const T* data() const;
  void* raw_data();
  const void* raw_data() const;
  /// All values copied to the host as doubles (from any device).
  std::vector<double> to_vector() const;
  /// The single value of a one-element tensor.
  double item() const;

  // ---- copies and conversions (never recorded) ----
  Tensor clone() const;
  Tensor to(Device device) const;
  Tensor to(DType dtype) const;
  /// Same data, cut off from the tape: no gradient flows through the result.
  Tensor detach() const;
  /// Same data viewed with another shape of equal numel (no copy, not recorded).
  Tensor view(const Shape& shape) const;
  /// Overwrites every element; the tensor must not be recorded on a live tape.
  void fill_(double value);
  /// Overwrites the values with those of `source` (same shape; dtype/device converted).
  void copy_(const Tensor& source);

  // ---- autodiff ----
  bool requires_grad() const;
  /// Marks a leaf tensor (a parameter or input) as needing a gradient. Returns *this.
  Tensor& set_requires_grad(bool requires_grad = true);
  bool is_leaf() const;
  /// The accumulated gradient (undefined until backward reaches this tensor).
  Tensor grad() const;
  /// Replaces the stored gradient (used by optimisers' clipping and by tests).
  void set_grad(const Tensor& grad) const;
  /// Drops the stored gradient.
  void zero_grad() const;

  /// True when both refer to the same tensor object.
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }
  detail::TensorImpl* impl() const { return impl_.get(); }
  explicit Tensor(std::shared_ptr<detail::TensorImpl> impl) : impl_(std::move(impl)) {}

 private:
  void require_defined(const char* what) const;
  std::shared_ptr<detail::TensorImpl> impl_;
};

/// Throws TypeError unless all tensors share dtype and device; `op` names the caller.
void check_same_dtype_device(const char* op, const std::vector<const Tensor*>& tensors);
/// Throws ShapeError unless `tensor` has exactly `ndim` dimensions.
void check_ndim(const char* op, const char* name, const Tensor& tensor, int ndim);

namespace detail {
/// Copies bytes between devices; set by the CUDA backend for anything involving the GPU.
using DeviceCopyFn = void (*)(void* dst, Device dst_device, const void* src, Device src_device, std::size_t bytes);
DeviceCopyFn& cuda_copy_hook();
/// Sets `count` elements of type `dtype` at device address `dst` to `value`; set by the CUDA backend.
using DeviceFillFn = void (*)(void* dst, DType dtype, int64_t count, double value);
DeviceFillFn& cuda_fill_hook();
void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, std::size_t bytes);
}  // namespace detail

/// The data of `t` as T*, or nullptr for an undefined tensor: how op wiring hands optional inputs
/// and the gradients of inputs that need none to a kernel.
template <class T>
T* data_or_null(Tensor& t) {
  return t.defined() ? t.data<T>() : nullptr;
}
template <class T>
const T* data_or_null(const Tensor& t) {
  return t.defined() ? t.data<T>() : nullptr;
}

}  // namespace flowjet

// Tensor creation, description, conversion and gradient bookkeeping.
#include "engine/tensor/tensor.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/core/error.h"

namespace flowjet {

namespace detail {
DeviceCopyFn& cuda_copy_hook() {
  static DeviceCopyFn hook = nullptr;
  return hook;
}

DeviceFillFn& cuda_fill_hook() {
  static DeviceFillFn hook = nullptr;
  return hook;
}

void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, std::size_t bytes) {
  if (bytes == 0) return;
  if (dst_device == Device::CPU && src_device == Device::CPU) {
    std::memcpy(dst, src, bytes);
    return;
  }
  DeviceCopyFn hook = cuda_copy_hook();
  if (!hook) throw CudaError("cannot copy to or from a CUDA tensor: flowjet was built without CUDA (CUDA=0)");
  hook(dst, dst_device, src, src_device, bytes);
}
}  // namespace detail

namespace {
template <class T>
void fill_host(T* p, int64_t n, double value) {
  // On the pool: every gradient buffer starts as zeros (grad_buffer), and a serial fill of the
  // [batch, H] buffers was a tenth of a training step that a second thread could not share.
  constexpr int64_t kFillGrain = int64_t(1) << 16;
  const T fill = static_cast<T>(value);
  parallel_for(n, kFillGrain, [p, fill](int64_t begin, int64_t end) { std::fill(p + begin, p + end, fill); });
}

// Converts host doubles into a new tensor of the wanted dtype/device.
Tensor tensor_from_doubles(const std::vector<double>& values, const Shape& shape, DType dtype, Device device) {
  Tensor host = Tensor::empty(shape, dtype, Device::CPU);
  dispatch_dtype(dtype, [&](auto zero) {
    using T = decltype(zero);
    T* p = host.data<T>();
    for (std::size_t i = 0; i < values.size(); ++i) p[i] = static_cast<T>(values[i]);
  });
  return device == Device::CPU ? host : host.to(device);
}
}  // namespace

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
  auto impl = std::make_shared<detail::TensorImpl>();
  impl->storage = std::make_shared<Storage>(static_cast<std::size_t>(shape.numel()) * dtype_size(dtype), device);
  impl->shape = shape;
  impl->dtype = dtype;
  impl->device = device;
  return Tensor(std::move(impl));
}

Tensor Tensor::zeros(const Shape& shape, DType dtype, Device device) { return full(shape, 0.0, dtype, device); }
Tensor Tensor::ones(const Shape& shape, DType dtype, Device device) { return full(shape, 1.0, dtype, device); }

Tensor Tensor::full(const Shape& shape, double value, DType dtype, Device device) {
  Tensor t = empty(shape, dtype, device);
  t.fill_(value);
  return t;
}

Tensor Tensor::arange(int64_t n, DType dtype, Device device) {
  std::vector<double> values(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) values[static_cast<std::size_t>(i)] = static_cast<double>(i);
  return tensor_from_doubles(values, Shape{n}, dtype, device);
}

Tensor Tensor::from_vector(const std::vector<double>& values, const Shape& shape, DType dtype, Device device) {
  if (static_cast<int64_t>(values.size()) != shape.numel())
    throw ShapeError(fmt::format("Tensor::from_vector: {} values do not fill shape {} ({} elements)", values.size(),
                                 shape.str(), shape.numel()));
  return tensor_from_doubles(values, shape, dtype, device);
}

template <class T>
Tensor Tensor::from_data(const T* values, const Shape& shape, Device device) {
  Tensor host = empty(shape, dtype_of<T>(), Device::CPU);
  std::memcpy(host.raw_data(), values, static_cast<std::size_t>(shape.numel()) * sizeof(T));
  return device == Device::CPU ? host : host.to(device);
}
template Tensor Tensor::from_data<float>(const float*, const Shape&, Device);
template Tensor Tensor::from_data<double>(const double*, const Shape&, Device);

void Tensor::require_defined(const char* what) const {
  if (!impl_) throw AutogradError(fmt::format("{} called on an undefined tensor", what));
}

const Shape& Tensor::shape() const {
  require_defined("shape()");
  return impl_->shape;
}
int64_t Tensor::size(int axis) const { return shape()[normalize_axis(axis, ndim(), "Tensor::size")]; }
DType Tensor::dtype() const {
  require_defined("dtype()");
  return impl_->dtype;
}
Device Tensor::device() const {
  require_defined("device()");
  return impl_->device;
}
std::string Tensor::describe() const {
  if (!impl_) return "undefined tensor";
  return fmt::format("{}{} on {}", dtype_name(dtype()), shape().str(), device_name(device()));
}

template <class T>
T* Tensor::data() {
  require_defined("data()");
  if (impl_->dtype != dtype_of<T>())
    throw TypeError(fmt::format("data<{}>() on a tensor {}", dtype_name(dtype_of<T>()), describe()));
  return static_cast<T*>(impl_->storage->data());
}
template <class T>
const T* Tensor::data() const {
  return const_cast<Tensor*>(this)->data<T>();
}
template float* Tensor::data<float>();
template double* Tensor::data<double>();
template const float* Tensor::data<float>() const;
template const double* Tensor::data<double>() const;

void* Tensor::raw_data() {
  require_defined("raw_data()");
  return impl_->storage->data();
}
const void* Tensor::raw_data() const {
  require_defined("raw_data()");
  return impl_->storage->data();
}

std::vector<double> Tensor::to_vector() const {
  Tensor host = device() == Device::CPU ? *this : to(Device::CPU);
  std::vector<double> out(static_cast<std::size_t>(numel()));
  dispatch_dtype(dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* p = host.data<T>();
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<double>(p[i]);
  });
  return out;
}

double Tensor::item() const {
  if (numel() != 1) throw ShapeError(fmt::format("item() needs a one-element tensor, got {}", describe()));
  return to_vector()[0];
}

Tensor Tensor::clone() const {
  Tensor out = empty(shape(), dtype(), device());
  detail::copy_bytes(out.raw_data(), device(), raw_data(), device(), impl_->storage->bytes());
  return out;
}

Tensor Tensor::to(Device target) const {
  if (target == device()) return *this;
  Tensor out = empty(shape(), dtype(), target);
  detail::copy_bytes(out.raw_data(), target, raw_data(), device(), impl_->storage->bytes());
  return out;
}

Tensor Tensor::to(DType target) const {
  if (target == dtype()) return *this;
  return tensor_from_doubles(to_vector(), shape(), target, device());
}

Tensor Tensor::detach() const {
  require_defined("detach()");
  auto impl = std::make_shared<detail::TensorImpl>();
  impl->storage = impl_->storage;
  impl->shape = impl_->shape;
  impl->dtype = impl_->dtype;
  impl->device = impl_->device;
  return Tensor(std::move(impl));
}

Tensor Tensor::view(const Shape& new_shape) const {
  if (new_shape.numel() != numel())
    throw ShapeError(fmt::format("view: cannot view {} as {}", describe(), new_shape.str()));
  Tensor out = detach();
  out.impl_->shape = new_shape;
  return out;
}

void Tensor::fill_(double value) {
  if (device() != Device::CPU) {
    // Filled on the device: no host buffer and no synchronising copy.
    detail::DeviceFillFn hook = detail::cuda_fill_hook();
    if (!hook) throw CudaError("cannot fill a CUDA tensor: flowjet was built without CUDA (CUDA=0)");
    hook(raw_data(), dtype(), numel(), value);
    return;
  }
  dispatch_dtype(dtype(), [&](auto zero) { fill_host(data<decltype(zero)>(), numel(), value); });
}

void Tensor::copy_(const Tensor& source) {
  if (source.shape() != shape())
    throw ShapeError(fmt::format("copy_: source {} does not match destination {}", source.describe(), describe()));
  Tensor converted = source.to(dtype());
  detail::copy_bytes(raw_data(), device(), converted.raw_data(), converted.device(), impl_->storage->bytes());
}

bool Tensor::requires_grad() const { return impl_ && impl_->requires_grad; }

Tensor& Tensor::set_requires_grad(bool requires_grad) {
  require_defined("set_requires_grad()");
  if (!impl_->is_leaf)
    throw AutogradError("set_requires_grad: only leaf tensors can be marked; detach() the result of an op first");
  impl_->requires_grad = requires_grad;
  return *this;
}

bool Tensor::is_leaf() const { return !impl_ || impl_->is_leaf; }

Tensor Tensor::grad() const {
  require_defined("grad()");
  return Tensor(impl_->grad);
}

void Tensor::set_grad(const Tensor& grad) const {
  require_defined("set_grad()");
  if (grad.defined() && (grad.shape() != shape() || grad.dtype() != dtype() || grad.device() != device()))
    throw ShapeError(fmt::format("set_grad: gradient {} does not match tensor {}", grad.describe(), describe()));
  impl_->grad = grad.impl_;
}

void Tensor::zero_grad() const {
  if (impl_) impl_->grad.reset();
}

void check_same_dtype_device(const char* op, const std::vector<const Tensor*>& tensors) {
  const Tensor* first = nullptr;
  for (const Tensor* t : tensors) {
    if (!t->defined()) throw TypeError(fmt::format("{}: an input tensor is undefined", op));
    if (!first) {
      first = t;
      continue;
    }
    if (t->dtype() != first->dtype())
      throw TypeError(fmt::format("{}: mixed dtypes ({} and {})", op, first->describe(), t->describe()));
    if (t->device() != first->device())
      throw TypeError(fmt::format("{}: tensors on different devices ({} and {})", op, first->describe(), t->describe()));
  }
}

void check_ndim(const char* op, const char* name, const Tensor& tensor, int ndim) {
  if (tensor.ndim() != ndim)
    throw ShapeError(fmt::format("{}: {} must have {} dimensions, got {}", op, name, ndim, tensor.describe()));
}

}  // namespace flowjet

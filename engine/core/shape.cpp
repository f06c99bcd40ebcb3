// Shape bookkeeping.
#include "engine/core/shape.h"

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet {

Shape::Shape(std::initializer_list<int64_t> dims) : dims_(dims) { validate(); }
Shape::Shape(std::vector<int64_t> dims) : dims_(std::move(dims)) { validate(); }

void Shape::validate() const {
  if (dims_.size() > static_cast<std::size_t>(kMaxDims))
    throw ShapeError(fmt::format("shape {} has {} dimensions; flowjet tensors have at most {}", str(),
                                 dims_.size(), kMaxDims));
  for (int64_t d : dims_)
    if (d < 0) throw ShapeError(fmt::format("shape {} has a negative dimension", str()));
}

int64_t Shape::numel() const {
  int64_t n = 1;
  for (int64_t d : dims_) n *= d;
  return n;
}

std::vector<int64_t> Shape::strides() const {
  std::vector<int64_t> s(dims_.size(), 1);
  for (int i = ndim() - 2; i >= 0; --i) s[static_cast<std::size_t>(i)] = s[static_cast<std::size_t>(i) + 1] * dims_[static_cast<std::size_t>(i) + 1];
  return s;
}

std::string Shape::str() const { return fmt::format("[{}]", fmt::join(dims_, ", ")); }

int normalize_axis(int axis, int ndim, const char* op) {
  int a = axis < 0 ? axis + ndim : axis;
  if (a < 0 || a >= ndim)
    throw ShapeError(fmt::format("{}: axis {} is out of range for a tensor with {} dimensions", op, axis, ndim));
  return a;
}

}  // namespace flowjet

// Tensor shapes: up to four dimensions, row-major, written "[batch, features]" in messages.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace flowjet {

class Shape {
 public:
  static constexpr int kMaxDims = 4;

  Shape() = default;
  Shape(std::initializer_list<int64_t> dims);
  explicit Shape(std::vector<int64_t> dims);

  int ndim() const { return static_cast<int>(dims_.size()); }
  int64_t operator[](int axis) const { return dims_[static_cast<std::size_t>(axis)]; }
  int64_t& operator[](int axis) { return dims_[static_cast<std::size_t>(axis)]; }
  /// Number of elements (1 for the 0-d shape []).
  int64_t numel() const;
  const std::vector<int64_t>& dims() const { return dims_; }
  /// Row-major strides in elements.
  std::vector<int64_t> strides() const;
  /// "[2, 3]"
  std::string str() const;

  bool operator==(const Shape& other) const { return dims_ == other.dims_; }
  bool operator!=(const Shape& other) const { return dims_ != other.dims_; }

 private:
  void validate() const;
  std::vector<int64_t> dims_;
};

/// Turns a possibly negative axis (-1 = last) into 0..ndim-1, throwing ShapeError naming `op`.
int normalize_axis(int axis, int ndim, const char* op);

}  // namespace flowjet

// Small HDF5 C API helpers for the JetNet reader and writer: an owning handle, silencing of
// libhdf5's own error printing, and the text of libhdf5's error stack for our messages.
#pragma once

#include <hdf5.h>

#include <string>

namespace flowjet::data {

/// Turns off libhdf5's automatic error printing for the default stack (idempotent).
void silence_hdf5_errors();

/// "major: minor" descriptions of the current libhdf5 error stack, innermost first, joined by
/// "; " (empty when the stack is empty). Clears the stack.
std::string hdf5_error_text();

/// Owns one HDF5 identifier and closes it with the matching H5*close on destruction.
class H5Handle {
 public:
  H5Handle() = default;
  explicit H5Handle(hid_t id) : id_(id) {}
  ~H5Handle() { reset(); }
  H5Handle(H5Handle&& other) noexcept : id_(other.id_) { other.id_ = -1; }
  H5Handle& operator=(H5Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = other.id_;
      other.id_ = -1;
    }
    return *this;
  }
  H5Handle(const H5Handle&) = delete;
  H5Handle& operator=(const H5Handle&) = delete;

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  /// Gives up ownership without closing.
  hid_t release() {
    const hid_t id = id_;
    id_ = -1;
    return id;
  }
  /// Closes the identifier (errors while closing are ignored: destructors never throw).
  void reset();

 private:
  hid_t id_ = -1;
};

}  // namespace flowjet::data

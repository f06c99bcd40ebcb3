// The one checking layer between flowjet and the HDF5 C API: owned handles that close
// themselves, a scope that keeps HDF5 from printing its error stack, and checks that turn a
// failed call into a CheckpointError carrying the call and HDF5's own message.
#pragma once

#include <hdf5.h>

#include <string>

namespace flowjet {

/// While alive, HDF5 prints nothing to stderr on this thread's failures (the previous error
/// handler is restored on exit). Every public entry point of engine/io opens one.
class Hdf5ErrorSilencer {
 public:
  Hdf5ErrorSilencer();
  ~Hdf5ErrorSilencer();
  Hdf5ErrorSilencer(const Hdf5ErrorSilencer&) = delete;
  Hdf5ErrorSilencer& operator=(const Hdf5ErrorSilencer&) = delete;

 private:
  H5E_auto2_t previous_func_ = nullptr;
  void* previous_data_ = nullptr;
};

/// The messages on HDF5's current error stack, innermost cause first, joined by " <- "
/// ("unknown HDF5 error" when it is empty).
/// Call it right after the failing call: the next HDF5 call clears the stack.
std::string hdf5_error_message();

/// Throws CheckpointError("<context>: <HDF5 message>") when status < 0.
void h5_check(herr_t status, const std::string& context);

/// An owned HDF5 identifier (file, group, dataset, dataspace, datatype, attribute or property
/// list), closed with the matching H5?close when it goes out of scope. Never throws on close.
class H5Handle {
 public:
  H5Handle() = default;
  /// Takes ownership of `id`; throws CheckpointError("<context>: <HDF5 message>") when id < 0.
  H5Handle(hid_t id, const std::string& context);
  ~H5Handle() { reset(); }
  H5Handle(H5Handle&& other) noexcept : id_(other.id_) { other.id_ = H5I_INVALID_HID; }
  H5Handle& operator=(H5Handle&& other) noexcept;
  H5Handle(const H5Handle&) = delete;
  H5Handle& operator=(const H5Handle&) = delete;

  hid_t get() const { return id_; }
  /// Closes now and reports a failed close (for the file, where closing flushes the data).
  void close(const std::string& context);
  /// Closes now, ignoring failure.
  void reset() noexcept;

 private:
  hid_t id_ = H5I_INVALID_HID;
};

}  // namespace flowjet

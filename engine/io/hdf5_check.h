// The one checking layer between flowjet and the HDF5 C API, used by engine/io and data/: owned
// handles that close themselves, a scope that keeps HDF5 from printing its error stack, one-line
// messages from HDF5's error stack, and a plausibility check of a dataset's extent before it is
// allocated.
//
// Linking this file also turns off HDF5's exit-time cleanup (H5dont_atexit): every object is closed
// by its H5Handle on every path, and a file whose flush failed (full disk, file-size limit) can
// never be closed by HDF5 at all, so its cleanup at exit would retry the flush forever and crash.
#pragma once

#include <hdf5.h>

#include <string>
#include <vector>

namespace flowjet {

/// While alive, HDF5 prints nothing to stderr on this thread's failures (the previous error
/// handler is restored on exit). Every public entry point that calls HDF5 opens one.
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

/// The messages on HDF5's current error stack as one line, innermost cause first, joined by
/// " <- " ("unknown HDF5 error" when it is empty). A low-level I/O failure is shortened to the
/// system's reason ("file write failed: File too large"); a failed Fletcher-32 check reads
/// "checksum mismatch (...)". Clears the stack.
/// Call it right after the failing call: the next HDF5 call clears the stack anyway.
std::string hdf5_error_message();

/// Throws CheckpointError("<context>: <HDF5 message>") when status < 0.
void h5_check(herr_t status, const std::string& context);

/// An owned HDF5 identifier (file, group, dataset, dataspace, datatype, attribute or property
/// list), closed with the matching H5?close when it goes out of scope. Never throws on close.
class H5Handle {
 public:
  H5Handle() = default;
  /// Takes ownership of `id`, which may be invalid (< 0): check valid() before use.
  explicit H5Handle(hid_t id) : id_(id) {}
  /// Takes ownership of `id`; throws CheckpointError("<context>: <HDF5 message>") when id < 0.
  H5Handle(hid_t id, const std::string& context);
  ~H5Handle() { reset(); }
  H5Handle(H5Handle&& other) noexcept : id_(other.id_) { other.id_ = H5I_INVALID_HID; }
  H5Handle& operator=(H5Handle&& other) noexcept;
  H5Handle(const H5Handle&) = delete;
  H5Handle& operator=(const H5Handle&) = delete;

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  /// Closes now; returns HDF5's status (for the file, where closing flushes the data).
  herr_t close() noexcept;
  /// Closes now and throws CheckpointError("<context>: <HDF5 message>") when closing failed.
  void close(const std::string& context);
  /// Closes now, ignoring failure.
  void reset() noexcept { close(); }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

/// Checks a dataset's extent, read from the file, before anything of that size is allocated:
/// the value count times the stored element size must not overflow, and must fit the file
/// (`path`'s size; 1000 times it when a compression filter is on). Returns "" when plausible,
/// else "<path>: dataset <name> claims 1000000000 x 30 x 4 values, more than a 2.05 kB file can hold".
std::string implausible_extent(hid_t dataset, const std::vector<hsize_t>& dims, const std::string& path,
                               const std::string& name);

/// "512 B", "2.05 kB", "7.23 MB", "1.5 GB" (powers of 1000).
std::string human_bytes(double bytes);

}  // namespace flowjet

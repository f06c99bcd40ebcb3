// Exception types thrown by flowjet. The library never prints or exits on error:
// every failure is one of these, with a message naming where, what, and expected vs got.
#pragma once

#include <stdexcept>
#include <string>

namespace flowjet {

/// Base of every flowjet exception.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

/// Tensor shapes (or ranks) that do not fit an operation.
class ShapeError : public Error { using Error::Error; };
/// Tensors of different dtypes or devices mixed in one operation, or an unsupported dtype.
class TypeError : public Error { using Error::Error; };
/// A configuration file, key or value that is wrong.
class ConfigError : public Error { using Error::Error; };
/// An input data file that is missing, malformed or inconsistent.
class DataError : public Error { using Error::Error; };
/// A checkpoint file that cannot be written or read back.
class CheckpointError : public Error { using Error::Error; };
/// A CUDA, cuBLAS or cuRAND call that failed, or a CUDA request in a build without CUDA.
class CudaError : public Error { using Error::Error; };
/// A non-finite value where a finite one is required (loss, gradient, metric input).
class NumericError : public Error { using Error::Error; };
/// Misuse of the autodiff machinery (backward on a non-scalar, twice, ...).
class AutogradError : public Error { using Error::Error; };

/// Thrown by FLOWJET_CHECK: an internal invariant was violated (a bug, not a user error).
class InternalError : public Error { using Error::Error; };

[[noreturn]] void throw_internal_error(const char* condition, const char* file, int line,
                                       const std::string& message);

}  // namespace flowjet

/// Internal invariant check; names the source file and line because it reports a bug.
#define FLOWJET_CHECK(condition, message)                                          \
  do {                                                                             \
    if (!(condition)) ::flowjet::throw_internal_error(#condition, __FILE__, __LINE__, (message)); \
  } while (0)

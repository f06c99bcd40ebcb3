// Where a tensor's storage lives. CUDA tensors exist only in builds with FLOWJET_CUDA.
#pragma once

namespace flowjet {

enum class Device { CPU, CUDA };

inline const char* device_name(Device device) { return device == Device::CPU ? "cpu" : "cuda"; }

/// True when this build contains the CUDA backend (it may still find no GPU at run time).
constexpr bool built_with_cuda() {
#ifdef FLOWJET_CUDA
  return true;
#else
  return false;
#endif
}

}  // namespace flowjet

// The CUDA runtime as seen from plain C++: device presence, synchronisation, allocator cache and the
// TF32 switch. Safe to include in a build without CUDA, where every query answers "no device" and
// every request for a device throws CudaError.
#pragma once

#include <cstdint>
#include <string>

#include "engine/core/error.h"

namespace flowjet {

#ifdef FLOWJET_CUDA

/// True when a CUDA device can be used (the device is initialised on the first call).
bool cuda_available();
/// Why cuda_available() is false ("no CUDA device available: cudaGetDeviceCount returned ..."); empty when it is true.
std::string cuda_unavailable_reason();
/// "NVIDIA H200 (sm_90, 139 GiB)"; throws CudaError without a device.
std::string cuda_device_description();
/// Waits for every queued kernel and copy on flowjet's stream; throws CudaError on an asynchronous failure.
void cuda_synchronize();
/// Returns every cached, unused device block to the driver (live tensors are untouched).
void cuda_release_cached_memory();
/// Bytes the caching allocator holds for reuse (not counted as live).
int64_t cuda_cached_bytes();
/// Lets cuBLAS use TF32 tensor cores for f32 GEMMs (off by default: full f32 precision).
void cuda_set_allow_tf32(bool allow);
bool cuda_allow_tf32();

#else

// A build without CUDA: no device, and every request for one throws.
inline bool cuda_available() { return false; }
inline std::string cuda_unavailable_reason() { return "flowjet was built without CUDA (CUDA=0)"; }
[[noreturn]] inline void cuda_unavailable(const char* what) {
  throw CudaError(std::string(what) + ": flowjet was built without CUDA (CUDA=0)");
}
inline std::string cuda_device_description() { cuda_unavailable("cuda_device_description"); }
inline void cuda_synchronize() { cuda_unavailable("cuda_synchronize"); }
inline void cuda_release_cached_memory() {}
inline int64_t cuda_cached_bytes() { return 0; }
inline void cuda_set_allow_tf32(bool) { cuda_unavailable("cuda_set_allow_tf32"); }
inline bool cuda_allow_tf32() { return false; }

#endif

}  // namespace flowjet

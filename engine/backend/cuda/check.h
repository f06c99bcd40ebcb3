// The one checking wrapper for CUDA runtime and cuBLAS status codes: a failure becomes a CudaError
// carrying the call, the library's own message, and the source file and line.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>

namespace flowjet::cuda {

[[noreturn]] void throw_status(const char* call, const char* library, int code, const char* message, const char* file,
                               int line);

inline void check_status(cudaError_t status, const char* call, const char* file, int line) {
  if (status != cudaSuccess)
    throw_status(call, "CUDA", static_cast<int>(status), cudaGetErrorString(status), file, line);
}

inline void check_status(cublasStatus_t status, const char* call, const char* file, int line) {
  if (status != CUBLAS_STATUS_SUCCESS)
    throw_status(call, "cuBLAS", static_cast<int>(status), cublasGetStatusString(status), file, line);
}

}  // namespace flowjet::cuda

/// Checks a cudaError_t or cublasStatus_t; throws flowjet::CudaError naming the call, file and line.
#define FLOWJET_CUDA_CHECK(call) ::flowjet::cuda::check_status((call), #call, __FILE__, __LINE__)

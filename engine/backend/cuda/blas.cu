// cuBLAS on flowjet's stream: one handle, the TF32 switch, row-major GEMM and column sums.
#include "engine/backend/cuda/blas.h"

#include <atomic>
#include <limits>
#include <mutex>
#include <type_traits>

#include <fmt/format.h>

#include "engine/backend/cuda/fill.h"
#include "engine/backend/cuda/launch.cuh"
#include "engine/backend/cuda/runtime.h"
#include "engine/core/error.h"

namespace flowjet {
namespace {

std::atomic<bool> allow_tf32{false};

struct Blas {
  cublasHandle_t handle = nullptr;
  bool tf32_mode = false;              // the math mode last given to the handle
  std::mutex mutex;                    // guards the ones vectors
  void* ones[2] = {nullptr, nullptr};  // f32, f64
  int64_t ones_size[2] = {0, 0};
};

// The handle, created on first use; the math mode follows the TF32 switch.
Blas& blas() {
  static Blas* b = [] {
    auto* created = new Blas();  // never destroyed: cuBLAS may already be unloaded at exit
    FLOWJET_CUDA_CHECK(cublasCreate(&created->handle));
    FLOWJET_CUDA_CHECK(cublasSetStream(created->handle, cuda::stream()));
    FLOWJET_CUDA_CHECK(cublasSetMathMode(created->handle, CUBLAS_DEFAULT_MATH));
    return created;
  }();
  const bool want = allow_tf32.load();
  if (want != b->tf32_mode) {
    FLOWJET_CUDA_CHECK(cublasSetMathMode(b->handle, want ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH));
    b->tf32_mode = want;
  }
  return *b;
}

int as_int(int64_t v, const char* what) {
  if (v > std::numeric_limits<int>::max())
    throw CudaError(fmt::format("cuBLAS: {} = {} exceeds the 32-bit range of cuBLAS", what, v));
  return static_cast<int>(v);
}

// A device vector of at least n ones of type T, grown (never shrunk) as needed.
template <class T>
const T* ones(Blas& b, int64_t n) {
  const int slot = std::is_same_v<T, float> ? 0 : 1;
  std::lock_guard<std::mutex> lock(b.mutex);
  if (b.ones_size[slot] < n) {
    if (b.ones[slot]) {
      FLOWJET_CUDA_CHECK(cudaStreamSynchronize(cuda::stream()));
      FLOWJET_CUDA_CHECK(cudaFree(b.ones[slot]));
      b.ones[slot] = nullptr;
    }
    const int64_t size = n < 4096 ? 4096 : n;
    FLOWJET_CUDA_CHECK(cudaMalloc(&b.ones[slot], static_cast<std::size_t>(size) * sizeof(T)));
    cuda::fill_cuda(b.ones[slot], dtype_of<T>(), size, 1.0);
    b.ones_size[slot] = size;
  }
  return static_cast<const T*>(b.ones[slot]);
}

}  // namespace

void cuda_set_allow_tf32(bool allow) { allow_tf32.store(allow); }
bool cuda_allow_tf32() { return allow_tf32.load(); }

namespace cuda {

template <class T>
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A, const T* B, T beta, T* C) {
  if (M == 0 || N == 0) return;
  if (K == 0 && beta == T(1)) return;  // an empty sum adds nothing
  if (K == 0 && beta == T(0)) {
    FLOWJET_CUDA_CHECK(cudaMemsetAsync(C, 0, static_cast<std::size_t>(M * N) * sizeof(T), cuda::stream()));
    return;
  }
  cublasHandle_t h = blas().handle;
  // Column-major view: C^T [N, M] = op(B)^T [N, K] * op(A)^T [K, M]. A row-major [r, c] matrix is a
  // column-major [c, r] one with leading dimension c.
  const int m = as_int(N, "N"), n = as_int(M, "M"), k = as_int(K, "K");
  const int ldb = as_int(trans_b ? (K > 0 ? K : 1) : N, "ldb");
  const int lda = as_int(trans_a ? M : (K > 0 ? K : 1), "lda");
  const cublasOperation_t op_b = trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t op_a = trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
  if constexpr (std::is_same_v<T, float>) {
    FLOWJET_CUDA_CHECK(cublasSgemm(h, op_b, op_a, m, n, k, &alpha, B, ldb, A, lda, &beta, C, m));
  } else {
    FLOWJET_CUDA_CHECK(cublasDgemm(h, op_b, op_a, m, n, k, &alpha, B, ldb, A, lda, &beta, C, m));
  }
}

template <class T>
void add_column_sums(const T* x, int64_t rows, int64_t cols, T* sums) {
  if (rows == 0 || cols == 0) return;
  Blas& b = blas();
  const T* one_vector = ones<T>(b, rows);
  const T one = T(1);
  // Column-major view: x is [cols, rows] with leading dimension cols; sums += x * ones.
  const int m = as_int(cols, "cols"), n = as_int(rows, "rows");
  if constexpr (std::is_same_v<T, float>) {
    FLOWJET_CUDA_CHECK(cublasSgemv(b.handle, CUBLAS_OP_N, m, n, &one, x, m, one_vector, 1, &one, sums, 1));
  } else {
    FLOWJET_CUDA_CHECK(cublasDgemv(b.handle, CUBLAS_OP_N, m, n, &one, x, m, one_vector, 1, &one, sums, 1));
  }
}

template void gemm<float>(bool, bool, int64_t, int64_t, int64_t, float, const float*, const float*, float, float*);
template void gemm<double>(bool, bool, int64_t, int64_t, int64_t, double, const double*, const double*, double,
                           double*);
template void add_column_sums<float>(const float*, int64_t, int64_t, float*);
template void add_column_sums<double>(const double*, int64_t, int64_t, double*);

}  // namespace cuda
}  // namespace flowjet

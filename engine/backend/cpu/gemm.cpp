// Reference CPU GEMM: row-major loops in i-k-j order, rows split over the thread pool.
#include "engine/backend/cpu/gemm.h"

#include "engine/backend/cpu/thread_pool.h"

namespace flowjet {

template <class T>
void gemm_cpu(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
              const T* B, int64_t ldb, T beta, T* C, int64_t ldc) {
  parallel_for(M, 16, [&](int64_t row_begin, int64_t row_end) {
    for (int64_t i = row_begin; i < row_end; ++i) {
      T* c = C + i * ldc;
      for (int64_t j = 0; j < N; ++j) c[j] = beta == T(0) ? T(0) : beta * c[j];
      for (int64_t k = 0; k < K; ++k) {
        T a = alpha * (trans_a ? A[k * lda + i] : A[i * lda + k]);
        if (trans_b) {
          for (int64_t j = 0; j < N; ++j) c[j] += a * B[j * ldb + k];
        } else {
          const T* b = B + k * ldb;
          for (int64_t j = 0; j < N; ++j) c[j] += a * b[j];
        }
      }
    }
  });
}

template void gemm_cpu<float>(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*,
                              int64_t, float, float*, int64_t);
template void gemm_cpu<double>(bool, bool, int64_t, int64_t, int64_t, double, const double*, int64_t,
                               const double*, int64_t, double, double*, int64_t);

}  // namespace flowjet

// The CPU GEMM driver: a Goto/BLIS loop nest over packed blocks (gemm_kernel.h), parallel over
// row or column slivers of C with parallel_for, written once over the ISA's kernel and its
// blocking and dispatched on gemm_isa() at each call. Every element of C is summed in the same order
// whatever the thread count (K blocks depend on K only), so results are bitwise reproducible.
#include "engine/backend/cpu/gemm.h"

#include <algorithm>
#include <cstdlib>
#include <new>

#include "engine/backend/cpu/gemm_kernel.h"
#include "engine/backend/cpu/thread_pool.h"

namespace flowjet {
namespace {

using gemm_detail::Kernel;

// For a row-major A, packed B for one column block spans all of K; the block width is chosen to
// keep it this small.
constexpr int64_t kPackedBBytes = int64_t(8) << 20;
// For a transposed A, the widest column block and the most rows packed per K block (see
// compute_streamed): with kc = 256, f32 panels of at most 512 KiB of B and 1 MiB of A, which
// share a 2 MiB L2. The model's weight gradients (up to 630 x 256) fit in one of each.
constexpr int64_t kStreamedNC = 512;
constexpr int64_t kStreamedMC = 1024;
// Below about this many flops (or copied elements) per chunk, a thread wake-up costs more than it saves.
constexpr int64_t kMinChunkFlops = int64_t(1) << 21;
constexpr int64_t kMinChunkCopies = int64_t(1) << 15;
// Rows of C per thread from which B is packed by the calling thread alone (copying one element
// costs about as much as 32 flops, so packing is then under ~3% of a thread's share).
constexpr int64_t kPackHereRowsPerThread = 512;
// Elements of B that one thread packs in about the time of a pool round (tens of microseconds).
constexpr int64_t kPackHereElements = int64_t(1) << 17;

// A per-thread, 64-byte aligned scratch buffer that only grows; pool threads live for the
// program, so packing buffers are allocated once per thread.
class Scratch {
 public:
  ~Scratch() { std::free(data_); }
  template <class T>
  T* get(int64_t count) {
    std::size_t bytes = (static_cast<std::size_t>(count) * sizeof(T) + 63) / 64 * 64;
    if (bytes > bytes_) {
      std::free(data_);
      bytes_ = 0;
      data_ = std::aligned_alloc(64, bytes);
      if (!data_) throw std::bad_alloc();
      bytes_ = bytes;
    }
    return static_cast<T*>(data_);
  }

 private:
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
};
thread_local Scratch tls_packed_a, tls_packed_b;

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

template <class T>
struct GemmArgs {
  bool trans_a, trans_b;
  int64_t M, N, K;
  T alpha;
  const T* A;
  int64_t lda;
  const T* B;
  int64_t ldb;
  T beta;
  const T* c_in;  // what beta scales: C, or a bias row (ld_in == 0)
  int64_t ld_in;
  T* C;
  int64_t ldc;
  int64_t k_blocks;  // K is cut into k_blocks near-equal blocks of at most kKC
  int64_t k_begin(int64_t p) const { return K * p / k_blocks; }
};

// One (row block, K block) step: packs rows [i0, i0 + mc) of op(A) over K block p, then adds
// their product with slivers [s_begin, s_end) of the column block that starts at j0 (width nc)
// into C. b_panel holds those B slivers packed for K block p, sliver s at (s - s_begin) * kc * NR.
template <class Kr, class T = typename Kr::T>
void multiply_block(const GemmArgs<T>& g, T* packed_a, const T* b_panel, int64_t j0, int64_t nc, int64_t i0,
                    int64_t mc, int64_t p, int64_t s_begin, int64_t s_end) {
  constexpr int64_t MR = Kr::kMR, NR = Kr::kNR;
  const int64_t k0 = g.k_begin(p), kc = g.k_begin(p + 1) - k0;
  // Later K blocks add to what the first one wrote.
  const T beta = p == 0 ? g.beta : T(1);
  const T* c_in = p == 0 ? g.c_in : g.C;
  const int64_t ld_in = p == 0 ? g.ld_in : g.ldc;
  gemm_detail::pack_a<Kr>(g.trans_a, g.A, g.lda, i0, mc, k0, kc, packed_a);
  for (int64_t s = s_begin; s < s_end; ++s) {
    const int64_t j = j0 + s * NR, n = std::min(NR, j0 + nc - j);
    for (int64_t ir = 0; ir < mc; ir += MR) {
      const int64_t i = i0 + ir;
      Kr::run(kc, packed_a + ir * kc, b_panel + (s - s_begin) * kc * NR, g.alpha, beta, c_in + i * ld_in + j, ld_in,
              g.C + i * g.ldc + j, g.ldc, std::min(MR, mc - ir), n);
    }
  }
}

// Row-major A, B packed for all of K (see compute_column_block): C block [i_begin, i_end) x
// slivers [s_begin, s_end) of the column block at j0. Row blocks outside, K blocks inside, so
// successive A blocks continue along the rows in memory (which keeps hardware prefetching fed)
// and a tile of C stays in cache from one K block to the next.
template <class Kr, class T = typename Kr::T>
void compute_block(const GemmArgs<T>& g, const T* packed_b, int64_t j0, int64_t nc, int64_t i_begin, int64_t i_end,
                   int64_t s_begin, int64_t s_end) {
  constexpr int64_t NR = Kr::kNR, MC = Kr::kMC;
  const int64_t n_slivers = ceil_div(nc, NR);
  T* packed_a = tls_packed_a.get<T>(MC * Kr::kKC);
  for (int64_t i0 = i_begin; i0 < i_end; i0 += MC)
    for (int64_t p = 0; p < g.k_blocks; ++p) {
      const int64_t k0 = g.k_begin(p), kc = g.k_begin(p + 1) - k0;
      multiply_block<Kr>(g, packed_a, packed_b + k0 * n_slivers * NR + s_begin * kc * NR, j0, nc, i0,
                         std::min(MC, i_end - i0), p, s_begin, s_end);
    }
}

// One column block [j0, j0 + nc) for a row-major A: pack its B for all of K (many row blocks of
// a tall C reuse it), then compute its part of C.
template <class Kr, class T = typename Kr::T>
void compute_column_block(const GemmArgs<T>& g, T* packed_b, int64_t j0, int64_t nc) {
  constexpr int64_t MR = Kr::kMR, NR = Kr::kNR;
  const int64_t n_slivers = ceil_div(nc, NR), m_slivers = ceil_div(g.M, MR);
  // Packed layout: K block p at k_begin(p) * n_slivers * NR, sliver s inside it at s * kc * NR.
  const int64_t tasks = g.k_blocks * n_slivers;
  const int64_t copies_per_task = ceil_div(g.K, g.k_blocks) * NR;
  // With many rows, packing B is a few percent of each thread's work, and a small B packs in
  // less time than a pool wake-up round takes: then pack on this thread. Otherwise in parallel.
  const bool pack_here = g.M >= kPackHereRowsPerThread * num_threads() || g.K * nc <= kPackHereElements;
  const int64_t pack_grain = pack_here ? tasks : std::max<int64_t>(1, kMinChunkCopies / copies_per_task);
  parallel_for(tasks, pack_grain, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      const int64_t p = t / n_slivers, s = t % n_slivers;
      const int64_t k0 = g.k_begin(p), kc = g.k_begin(p + 1) - k0, j = j0 + s * NR;
      gemm_detail::pack_b_sliver<Kr>(g.trans_b, g.B, g.ldb, k0, kc, j, std::min(NR, j0 + nc - j),
                                     packed_b + k0 * n_slivers * NR + s * kc * NR);
    }
  });
  // Split the longer side of C among threads, in whole slivers. A row chunk reads all of packed
  // B, so it is at least a row block tall.
  if (m_slivers >= n_slivers) {
    const int64_t flops_per_sliver = 2 * MR * nc * g.K;
    const int64_t grain = std::max({int64_t(1), kMinChunkFlops / flops_per_sliver,
                                    std::min(Kr::kMC / MR, ceil_div(m_slivers, num_threads()))});
    parallel_for(m_slivers, grain, [&](int64_t begin, int64_t end) {
      compute_block<Kr>(g, packed_b, j0, nc, begin * MR, std::min(end * MR, g.M), 0, n_slivers);
    });
  } else {
    const int64_t flops_per_sliver = 2 * g.M * NR * g.K;
    parallel_for(n_slivers, std::max<int64_t>(1, kMinChunkFlops / flops_per_sliver),
                 [&](int64_t begin, int64_t end) { compute_block<Kr>(g, packed_b, j0, nc, 0, g.M, begin, end); });
  }
}

// Transposed A (the weight gradient dY^T X: small C, K the batch): C block [i_begin, i_end) x
// [j_begin, j_end), j_begin a multiple of NR, with K blocks outermost. For each K block this
// thread packs its B panel (kc x up to kStreamedNC, kept in L2) and then its rows of A (up to
// kStreamedMC at a time) in one pass: a K block of a transposed A is one stretch of memory, read
// front to back (measured about 5% faster than kMC-row blocks, which read short pieces of each
// row). C is small enough to stay in cache between K blocks. (Packing B for all of K first, as
// for a row-major A, wrote and read back up to 8 MiB and ran at about 0.65x of OpenBLAS here.)
template <class Kr, class T = typename Kr::T>
void compute_streamed(const GemmArgs<T>& g, int64_t i_begin, int64_t i_end, int64_t j_begin, int64_t j_end) {
  // MC rounded down to whole slivers, so only the last block of a thread's rows has a partial one.
  constexpr int64_t NR = Kr::kNR, MC = kStreamedMC / Kr::kMR * Kr::kMR, KC = Kr::kKC;
  const int64_t nc_max = std::min(kStreamedNC, ceil_div(j_end - j_begin, NR) * NR);
  T* packed_a = tls_packed_a.get<T>(MC * KC);
  T* packed_b = tls_packed_b.get<T>(KC * nc_max);
  for (int64_t j0 = j_begin; j0 < j_end; j0 += nc_max) {
    const int64_t nc = std::min(nc_max, j_end - j0), n_slivers = ceil_div(nc, NR);
    for (int64_t p = 0; p < g.k_blocks; ++p) {
      const int64_t k0 = g.k_begin(p), kc = g.k_begin(p + 1) - k0;
      for (int64_t s = 0; s < n_slivers; ++s)
        gemm_detail::pack_b_sliver<Kr>(g.trans_b, g.B, g.ldb, k0, kc, j0 + s * NR, std::min(NR, nc - s * NR),
                                       packed_b + s * kc * NR);
      for (int64_t i0 = i_begin; i0 < i_end; i0 += MC)
        multiply_block<Kr>(g, packed_a, packed_b, j0, nc, i0, std::min(MC, i_end - i0), p, 0, n_slivers);
    }
  }
}

// compute_streamed over all of C, the longer side split among threads in whole slivers, one equal
// share per thread: each thread packs the B panels of its own columns (all of them in a row
// split) and the A blocks of its own rows, so no thread waits for another's packing. The share
// packed twice on 2 threads (B for a row split) costs a few percent of each thread's time.
template <class Kr, class T = typename Kr::T>
void compute_transposed_a(const GemmArgs<T>& g) {
  constexpr int64_t MR = Kr::kMR, NR = Kr::kNR;
  const int64_t m_slivers = ceil_div(g.M, MR), n_slivers = ceil_div(g.N, NR);
  const bool split_rows = m_slivers >= n_slivers;
  const int64_t slivers = split_rows ? m_slivers : n_slivers;
  const int64_t flops_per_sliver = 2 * (split_rows ? MR * g.N : g.M * NR) * g.K;
  const int64_t grain = std::max(kMinChunkFlops / flops_per_sliver, ceil_div(slivers, num_threads()));
  parallel_for(slivers, grain, [&](int64_t begin, int64_t end) {
    if (split_rows)
      compute_streamed<Kr>(g, begin * MR, std::min(end * MR, g.M), 0, g.N);
    else
      compute_streamed<Kr>(g, 0, g.M, begin * NR, std::min(end * NR, g.N));
  });
}

// C = beta * C_in, for the cases with no product to add (K == 0 or alpha == 0).
template <class T>
void scale_c(int64_t M, int64_t N, T beta, const T* c_in, int64_t ld_in, T* C, int64_t ldc) {
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) C[i * ldc + j] = beta == T(0) ? T(0) : beta * c_in[i * ld_in + j];
}

// C = alpha * op(A) op(B) + beta * C_in with ISA kernel Kr.
template <class Kr, class T = typename Kr::T>
void gemm_with(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
               const T* B, int64_t ldb, T beta, const T* c_in, int64_t ld_in, T* C, int64_t ldc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || alpha == T(0)) {
    scale_c(M, N, beta, c_in, ld_in, C, ldc);
    return;
  }
  constexpr int64_t NR = Kr::kNR;
  // Packed B holds all of K for at least one sliver; past kMaxK, run K in slices that add up.
  // (A transposed A is sliced the same way, so that either layout of A sums in the same order.)
  constexpr int64_t kMaxK = kPackedBBytes / static_cast<int64_t>(sizeof(T)) / NR;
  if (K > kMaxK) {
    for (int64_t k0 = 0; k0 < K; k0 += kMaxK) {
      const bool first = k0 == 0;
      gemm_with<Kr>(trans_a, trans_b, M, N, std::min(kMaxK, K - k0), alpha, trans_a ? A + k0 * lda : A + k0, lda,
                    trans_b ? B + k0 : B + k0 * ldb, ldb, first ? beta : T(1), first ? c_in : C, first ? ld_in : ldc,
                    C, ldc);
    }
    return;
  }
  const GemmArgs<T> g{trans_a, trans_b, M,     N, K,   alpha, A, lda, B, ldb,
                      beta,    c_in,    ld_in, C, ldc, ceil_div(K, Kr::kKC)};
  if (trans_a) return compute_transposed_a<Kr>(g);
  // Column block width: as wide as N, but packed B (K x nc) within kPackedBBytes.
  const int64_t nc_max = std::max(NR, kPackedBBytes / static_cast<int64_t>(sizeof(T)) / K / NR * NR);
  const int64_t nc_alloc = std::min(nc_max, ceil_div(N, NR) * NR);
  T* packed_b = tls_packed_b.get<T>(K * nc_alloc);
  for (int64_t j0 = 0; j0 < N; j0 += nc_max) compute_column_block<Kr>(g, packed_b, j0, std::min(nc_max, N - j0));
}

// gemm_with for the ISA in use.
template <class T>
void gemm_dispatch(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
                   const T* B, int64_t ldb, T beta, const T* c_in, int64_t ld_in, T* C, int64_t ldc) {
  switch (gemm_isa()) {
    case GemmIsa::avx512:
      return gemm_with<Kernel<GemmIsa::avx512, T>>(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, c_in,
                                                   ld_in, C, ldc);
    case GemmIsa::avx2:
      return gemm_with<Kernel<GemmIsa::avx2, T>>(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, c_in, ld_in,
                                                 C, ldc);
    case GemmIsa::generic:
      return gemm_with<Kernel<GemmIsa::generic, T>>(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, c_in,
                                                    ld_in, C, ldc);
  }
}

}  // namespace

template <class T>
void gemm_cpu(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
              const T* B, int64_t ldb, T beta, T* C, int64_t ldc) {
  gemm_dispatch(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, C, ldc);
}

// The bias row is C_in with row stride 0 and beta = 1: the first K block computes
// fma(1, bias[j], acc) = bias[j] + acc, exactly what a bias-filled C with beta = 1 gives.
template <class T>
void gemm_bias_cpu(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda, const T* B,
                   int64_t ldb, const T* bias, T* C, int64_t ldc) {
  gemm_dispatch(trans_a, trans_b, M, N, K, T(1), A, lda, B, ldb, T(1), bias, int64_t(0), C, ldc);
}

template void gemm_cpu<float>(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*,
                              int64_t, float, float*, int64_t);
template void gemm_cpu<double>(bool, bool, int64_t, int64_t, int64_t, double, const double*, int64_t,
                               const double*, int64_t, double, double*, int64_t);
template void gemm_bias_cpu<float>(bool, bool, int64_t, int64_t, int64_t, const float*, int64_t, const float*,
                                   int64_t, const float*, float*, int64_t);
template void gemm_bias_cpu<double>(bool, bool, int64_t, int64_t, int64_t, const double*, int64_t, const double*,
                                    int64_t, const double*, double*, int64_t);

}  // namespace flowjet

// The portable micro-kernel (see gemm_kernel_body.h): plain C++ "vectors" of 4 elements, which
// the compiler may map onto whatever SIMD the build targets. A reference for the SIMD kernels
// (same loop, same rounding) and a fallback.
#include "engine/backend/cpu/gemm_kernel.h"
#include "engine/backend/cpu/gemm_kernel_body.h"

namespace flowjet {
namespace gemm_detail {
namespace {

// fma rounded once, as the hardware instruction; the builtins are not library functions.
inline float fused(float a, float b, float c) { return __builtin_fmaf(a, b, c); }
inline double fused(double a, double b, double c) { return __builtin_fma(a, b, c); }

template <class Elem>
struct Portable {
  using T = Elem;
  static constexpr int64_t kLanes = 4;
  struct V {
    T x[kLanes];
  };
  static V zero() { return V{}; }
  static V load_part(const T* p, int64_t lanes) {
    V v{};
    for (int64_t i = 0; i < lanes; ++i) v.x[i] = p[i];
    return v;
  }
  static void store_part(T* p, V v, int64_t lanes) {
    for (int64_t i = 0; i < lanes; ++i) p[i] = v.x[i];
  }
  static V load(const T* p) { return load_part(p, kLanes); }
  static V loadu(const T* p) { return load_part(p, kLanes); }
  static void storeu(T* p, V v) { store_part(p, v, kLanes); }
  static V set1(T s) { return V{{s, s, s, s}}; }
  static V broadcast(const T* p) { return set1(*p); }
  static V mul(V a, V b) {
    for (int64_t i = 0; i < kLanes; ++i) a.x[i] *= b.x[i];
    return a;
  }
  static V fma(V a, V b, V c) {
    for (int64_t i = 0; i < kLanes; ++i) c.x[i] = fused(a.x[i], b.x[i], c.x[i]);
    return c;
  }
};

}  // namespace

template <class Elem>
void Kernel<GemmIsa::generic, Elem>::run(int64_t kc, const T* a, const T* b, T alpha, T beta, const T* c_in,
                                         int64_t ld_in, T* C, int64_t ldc, int64_t m, int64_t n) {
  micro_kernel_body<Portable<T>, kMR, kNR>(kc, a, b, alpha, beta, c_in, ld_in, C, ldc, m, n);
}
template struct Kernel<GemmIsa::generic, float>;
template struct Kernel<GemmIsa::generic, double>;

}  // namespace gemm_detail
}  // namespace flowjet

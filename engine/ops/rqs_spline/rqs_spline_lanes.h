// Lanes<T, N>: N values of T (f32 or f64) in one SIMD register, with the operations the spline's
// per-element code (rqs_spline_math.h) uses, so that the CPU kernels run it on N elements at once:
// arithmetic and comparisons lane by lane (a comparison gives an integer lane mask), select, and
// exp, log, log1p, sqrt; and the strided loads and adds of the kernels' parameter blocks. In f32 the transcendental functions are glibc's vector math library (libmvec;
// its results are within a few ulp of the scalar libm's, not always the same bits); in f64 they are the
// scalar libm functions lane by lane, so the f64 kernels agree with the scalar code to rounding (the
// compiler fuses multiply-adds differently in scalar and vector code).
// Built on GCC's vector extensions. Everything here is in an unnamed namespace: the AVX2 and the AVX-512
// objects (rqs_spline_cpu.cpp, rqs_spline_cpu_avx512.cpp) each compile their own copy for their ISA,
// and the linker cannot hand one of them the other's code. Library templates with external linkage
// that are large enough to stay out of line (std::fill) are kept out of the kernels for that reason.
#pragma once

#include <immintrin.h>

#include <cmath>
#include <cstring>
#include <type_traits>

// The vector variants in glibc's x86-64 vector function ABI: _ZGV, then d = AVX2 or e = AVX-512,
// N = unmasked, the lane count, v = one vector argument.
extern "C" {
__m256 _ZGVdN8v_expf(__m256);
__m256 _ZGVdN8v_logf(__m256);
__m256 _ZGVdN8v_log1pf(__m256);
#ifdef __AVX512F__
__m512 _ZGVeN16v_expf(__m512);
__m512 _ZGVeN16v_logf(__m512);
__m512 _ZGVeN16v_log1pf(__m512);
#endif
}

namespace flowjet {
namespace rqs {
namespace {

// The register types, one specialisation each (GCC does not apply a vector_size that depends on a
// template argument), with their gathers (lane l = first[l * stride]), AVX-512 scatters, hardware square
// roots, and for f32 the libmvec functions. Some are the masked forms with every lane on: the same
// instructions as the unmasked intrinsics, whose undefined pass-through register trips GCC 12's
// -Wmaybe-uninitialized.
template <class T, int N>
struct Register;
template <>
struct Register<float, 8> {
  using type = __m256;
  static type gather(const float* first, int stride) {
    const __m256i index = _mm256_mullo_epi32(_mm256_set1_epi32(stride), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    return _mm256_i32gather_ps(first, index, 4);
  }
  static type sqrt(type x) { return _mm256_sqrt_ps(x); }
  static type exp(type x) { return _ZGVdN8v_expf(x); }
  static type log(type x) { return _ZGVdN8v_logf(x); }
  static type log1p(type x) { return _ZGVdN8v_log1pf(x); }
};
template <>
struct Register<double, 4> {
  using type = __m256d;
  static type gather(const double* first, int stride) {
    const __m128i index = _mm_mullo_epi32(_mm_set1_epi32(stride), _mm_setr_epi32(0, 1, 2, 3));
    return _mm256_mask_i32gather_pd(_mm256_setzero_pd(), first, index, _mm256_castsi256_pd(_mm256_set1_epi64x(-1)), 8);
  }
  static type sqrt(type x) { return _mm256_sqrt_pd(x); }
};
#ifdef __AVX512F__
template <>
struct Register<float, 16> {
  using type = __m512;
  static __m512i index(int stride) {
    return _mm512_mullo_epi32(_mm512_set1_epi32(stride),
                              _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
  }
  static type gather(const float* first, int stride) {
    return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), 0xFFFF, index(stride), first, 4);
  }
  static void add_to(float* first, int stride, type x) {
    _mm512_i32scatter_ps(first, index(stride), _mm512_add_ps(gather(first, stride), x), 4);
  }
  static type sqrt(type x) { return _mm512_maskz_sqrt_ps(0xFFFF, x); }
  static type exp(type x) { return _ZGVeN16v_expf(x); }
  static type log(type x) { return _ZGVeN16v_logf(x); }
  static type log1p(type x) { return _ZGVeN16v_log1pf(x); }
};
template <>
struct Register<double, 8> {
  using type = __m512d;
  static __m256i index(int stride) {
    return _mm256_mullo_epi32(_mm256_set1_epi32(stride), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static type gather(const double* first, int stride) {
    return _mm512_mask_i32gather_pd(_mm512_setzero_pd(), 0xFF, index(stride), first, 8);
  }
  static void add_to(double* first, int stride, type x) {
    _mm512_i32scatter_pd(first, index(stride), _mm512_add_pd(gather(first, stride), x), 8);
  }
  static type sqrt(type x) { return _mm512_maskz_sqrt_pd(0xFF, x); }
};
#endif

template <class T, int N>
struct Lanes {
  using Reg = Register<T, N>;
  using Vec = typename Reg::type;
  using Mask = decltype(Vec{} < Vec{});  // per lane: all bits set where true, 0 where false
  static constexpr int kLanes = N;

  Vec v;

  Lanes() = default;
  Lanes(T x) : v(Vec{} + x) {}  // all lanes x; implicit, as the formulas mix scalar constants in
  static Lanes of(Vec r) {
    Lanes a;
    a.v = r;
    return a;
  }
  T operator[](int lane) const { return v[lane]; }
  void set(int lane, T x) { v[lane] = x; }
  /// Lane l = first[l * stride]: one load for stride 1, else one gather instruction.
  static Lanes gather(const T* first, int stride) {
    if (stride != 1) return of(Reg::gather(first, stride));
    Lanes a;
    std::memcpy(&a.v, first, sizeof(Vec));
    return a;
  }
  /// first[l] = lane l.
  void store(T* first) const { std::memcpy(first, &v, sizeof(Vec)); }
  /// first[l * stride] += lane l: for stride 1 a load, an add and a store; else gather, add and scatter
  /// with AVX-512, lane by lane without (AVX2 has no scatter). Each lane is one IEEE addition either way.
  void add_to(T* first, int stride) const {
    if (stride == 1) return (gather(first, 1) + *this).store(first);
    if constexpr (sizeof(Vec) == 64) {
      Reg::add_to(first, stride, v);
    } else {
      for (int lane = 0; lane < N; ++lane) first[lane * stride] += v[lane];
    }
  }

  Lanes& operator+=(Lanes b) { return *this = *this + b; }
  Lanes& operator-=(Lanes b) { return *this = *this - b; }
  Lanes& operator*=(Lanes b) { return *this = *this * b; }
  friend Lanes operator+(Lanes a, Lanes b) { return of(a.v + b.v); }
  friend Lanes operator-(Lanes a, Lanes b) { return of(a.v - b.v); }
  friend Lanes operator*(Lanes a, Lanes b) { return of(a.v * b.v); }
  friend Lanes operator/(Lanes a, Lanes b) { return of(a.v / b.v); }
  friend Lanes operator-(Lanes a) { return of(-a.v); }
  friend Mask operator<(Lanes a, Lanes b) { return a.v < b.v; }
  friend Mask operator<=(Lanes a, Lanes b) { return a.v <= b.v; }
  friend Mask operator>(Lanes a, Lanes b) { return a.v > b.v; }
  friend Mask operator>=(Lanes a, Lanes b) { return a.v >= b.v; }
  friend Mask operator==(Lanes a, Lanes b) { return a.v == b.v; }
  friend Lanes select(Mask m, Lanes a, Lanes b) { return of(m ? a.v : b.v); }

  friend Lanes sqrt(Lanes a) { return of(Reg::sqrt(a.v)); }
  friend Lanes exp(Lanes a) {
    if constexpr (std::is_same_v<T, float>) return of(Reg::exp(a.v));
    else return a.each([](T x) { return std::exp(x); });
  }
  friend Lanes log(Lanes a) {
    if constexpr (std::is_same_v<T, float>) return of(Reg::log(a.v));
    else return a.each([](T x) { return std::log(x); });
  }
  friend Lanes log1p(Lanes a) {
    if constexpr (std::is_same_v<T, float>) return of(Reg::log1p(a.v));
    else return a.each([](T x) { return std::log1p(x); });
  }

 private:
  template <class F>
  Lanes each(F f) const {
    Lanes r;
    for (int lane = 0; lane < N; ++lane) r.v[lane] = f(v[lane]);
    return r;
  }
};

}  // namespace
}  // namespace rqs
}  // namespace flowjet

// exp and the logistic function on 8 floats at a time, written with GCC's portable vector extensions (GCC
// and Clang; AVX2 + FMA registers in the default x86-64-v3 build). The CPU kernels of sigmoid, gate and
// gate_residual use them instead of a scalar expf per element, which is several times slower than the
// memory traffic of those ops.
//
// Every element goes through the same vector code, the last partial vector of an array too (map() pads
// it), so a result depends only on its input, never on its position, the chunking or the thread count.
//
// exp is the textbook method: x = n ln2 + r with n = round(x / ln2) and |r| <= ln2 / 2, where r is formed
// in two steps with ln2 split into a part exact in a product with n and a small remainder (Cody and Waite);
// e^r from its degree-7 Taylor polynomial (truncation error < r^8 / 8! < 6e-9, 0.05 ulp of 1); then
// e^x = e^r 2^n, with 2^n built from the exponent bits. Measured error (tests/engine/ops/simd_math_test.cpp):
// at most 1 ulp against the correctly rounded exp, denormal results included.
#pragma once

#include <cstdint>
#include <cstring>

namespace flowjet::simd {

using f32x8 = float __attribute__((vector_size(32)));
using i32x8 = int32_t __attribute__((vector_size(32)));
using u32x8 = uint32_t __attribute__((vector_size(32)));

constexpr int64_t kWidth = 8;

/// e^x for each lane: 0 below -103.97 (the last argument whose result rounds to the smallest denormal),
/// +inf above 88.72 (the largest finite result), NaN for NaN.
inline f32x8 exp(f32x8 x) {
  // Arguments whose e^x underflows to 0 or overflows to inf move to -104 or 89, which still do, and keep n
  // within [-150, 128]. NaN fails both comparisons and stays NaN.
  x = x < -104.0f ? f32x8{} - 104.0f : x;
  x = x > 89.0f ? f32x8{} + 89.0f : x;
  // Adding 1.5 * 2^23 rounds x / ln2 to an integer (round to nearest even) held in the low mantissa bits;
  // subtracting it again gives n as a float, and subtracting its bit pattern gives n as an integer.
  const float shifter = 0x1.8p23f;
  const f32x8 shifted = x * 1.44269504088896341f + shifter;
  const f32x8 n = shifted - shifter;
  const i32x8 ni = (i32x8)shifted - (i32x8)(f32x8{} + shifter);
  // r = x - n ln2: ln2_hi = ln2 rounded to 16 significant bits, so n ln2_hi (|n| <= 150) is exact, and
  // ln2_lo = ln2 - ln2_hi rounded to float.
  const f32x8 r = (x - n * 0.693145751953125f) - n * 1.42860676533018704e-6f;
  // e^r = sum r^k / k! for k <= 7, by Horner's rule.
  f32x8 p = r * (1.0f / 5040) + (1.0f / 720);
  p = p * r + (1.0f / 120);
  p = p * r + (1.0f / 24);
  p = p * r + (1.0f / 6);
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  // 2^n as two factors 2^(n/2) that are normal floats for every n in [-150, 128]: the first product is
  // exact, the second rounds once, into the denormals where e^x lies there. A float 2^k has the biased
  // exponent k + 127 and a zero mantissa (unsigned, so the garbage n of a NaN x cannot overflow a shift).
  const i32x8 n1 = ni >> 1, n2 = ni - n1;
  return p * (f32x8)((u32x8)(n1 + 127) << 23) * (f32x8)((u32x8)(n2 + 127) << 23);
}

/// 1 / (1 + e^-x) for each lane, by the branches of sigmoid_value (engine/ops/unary/logistic.h) so that exp
/// only sees -|x| <= 0: 1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) below. NaN for NaN.
inline f32x8 sigmoid(f32x8 x) {
  const f32x8 e = exp(x < 0.0f ? x : -x);
  return (x >= 0.0f ? f32x8{} + 1.0f : e) / (1.0f + e);
}

/// y[i] = fn(x[i]) lane-wise for i in [0, n), with fn taking and returning f32x8; the last partial vector
/// goes through a zero-padded copy. y may equal x.
template <class Fn>
inline void map(const float* x, float* y, int64_t n, Fn&& fn) {
  int64_t i = 0;
  f32x8 v;
  for (; i + kWidth <= n; i += kWidth) {
    std::memcpy(&v, x + i, sizeof v);
    v = fn(v);
    std::memcpy(y + i, &v, sizeof v);
  }
  if (i == n) return;
  v = f32x8{};
  std::memcpy(&v, x + i, sizeof(float) * (n - i));
  v = fn(v);
  std::memcpy(y + i, &v, sizeof(float) * (n - i));
}

}  // namespace flowjet::simd

// Tests of the vector exp and sigmoid (engine/backend/cpu/simd_math.h) against libm: the largest error in
// ulps over a sweep of every 251st float (both signs, denormals to infinity, 17 million arguments) plus the
// special values, against libm's double exp rounded to float (the correctly rounded result but for rare
// double roundings) and against the scalar f32 sigmoid of logistic.h; and that an element's result does
// not depend on its position in the array.
#include "engine/backend/cpu/simd_math.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <vector>

#include "engine/ops/unary/logistic.h"

using namespace flowjet;

namespace {

// Floats in the order of their values as integers, so that the difference of two keys counts the floats
// between them (ulps, denormals included; +0 and -0 are the same key).
int64_t ordered_key(float f) {
  int32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits < 0 ? -static_cast<int64_t>(bits & 0x7fffffff) : bits;
}

int64_t ulps(float a, float b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : std::numeric_limits<int64_t>::max();
  return std::llabs(ordered_key(a) - ordered_key(b));
}

float exp_reference(float x) { return static_cast<float>(std::exp(static_cast<double>(x))); }

float sigmoid_reference(float x) { return static_cast<float>(sigmoid_value(static_cast<double>(x))); }

std::vector<float> sweep() {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> x = {0.0f, -0.0f, inf, -inf, nan, -nan, std::numeric_limits<float>::max(),
                          -std::numeric_limits<float>::max(), std::numeric_limits<float>::denorm_min(),
                          88.72283f, 88.72284f, -87.33654f, -103.972f, -103.973f, -104.0f, -150.0f};
  for (uint64_t b = 0; b < (uint64_t(1) << 32); b += 251) {
    const uint32_t bits = static_cast<uint32_t>(b);
    float f;
    std::memcpy(&f, &bits, sizeof f);
    x.push_back(f);
  }
  return x;
}

// The largest ulp error of fn over the inputs (vector version through simd::map) against reference.
template <class Vec, class Ref>
int64_t max_ulps(const std::vector<float>& x, Vec vec, Ref reference) {
  std::vector<float> y(x.size());
  simd::map(x.data(), y.data(), static_cast<int64_t>(x.size()), vec);
  int64_t worst = 0;
  for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, ulps(y[i], reference(x[i])));
  return worst;
}

auto vector_exp = [](simd::f32x8 v) { return simd::exp(v); };
auto vector_sigmoid = [](simd::f32x8 v) { return simd::sigmoid(v); };

}  // namespace

TEST_CASE("simd_math: exp within 1 ulp and sigmoid within 2 ulps of libm, over the whole float range") {
  const std::vector<float> x = sweep();
  CHECK(max_ulps(x, vector_exp, exp_reference) <= 1);
  CHECK(max_ulps(x, vector_sigmoid, sigmoid_reference) <= 2);
  // The vector sigmoid and the scalar f32 formula with libm's expf (which the CUDA kernels use) agree
  // within 3 ulp.
  CHECK(max_ulps(x, vector_sigmoid, [](float v) { return sigmoid_value(v); }) <= 3);
}

TEST_CASE("simd_math: limits, NaN and exact values") {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> x = {0.0f, -0.0f, inf, -inf, nan, 100.0f, -200.0f, 89.0f};
  std::vector<float> e(x.size()), s(x.size());
  simd::map(x.data(), e.data(), static_cast<int64_t>(x.size()), vector_exp);
  simd::map(x.data(), s.data(), static_cast<int64_t>(x.size()), vector_sigmoid);
  CHECK(e[0] == 1.0f);
  CHECK(e[1] == 1.0f);
  CHECK(e[2] == inf);
  CHECK(e[3] == 0.0f);
  CHECK(std::isnan(e[4]));
  CHECK(e[5] == inf);
  CHECK(e[6] == 0.0f);
  CHECK(e[7] == inf);
  CHECK(s[0] == 0.5f);
  CHECK(s[1] == 0.5f);
  CHECK(s[2] == 1.0f);
  CHECK(s[3] == 0.0f);
  CHECK(std::isnan(s[4]));
  CHECK(s[5] == 1.0f);
  CHECK(s[6] == 0.0f);
}

TEST_CASE("simd_math: a result does not depend on its position (the last partial vector is padded)") {
  std::vector<float> x(29);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = -7.0f + 0.51f * static_cast<float>(i);
  std::vector<float> all(x.size());
  simd::map(x.data(), all.data(), static_cast<int64_t>(x.size()), vector_sigmoid);
  for (int64_t start = 0; start < 29; ++start)
    for (int64_t n = 1; start + n <= 29; n += 3) {
      std::vector<float> part(static_cast<std::size_t>(n));
      simd::map(x.data() + start, part.data(), n, vector_sigmoid);
      for (int64_t i = 0; i < n; ++i) CHECK(part[static_cast<std::size_t>(i)] == all[static_cast<std::size_t>(start + i)]);
    }
}

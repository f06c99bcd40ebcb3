// CPU draws from the Philox stream. The element-to-word mapping here is the contract the CUDA kernels
// follow too: f32 element i <- word i; f64 element i <- words 2i and 2i+1; a normal pair (2j, 2j+1)
// comes from the uniforms of elements 2j and 2j+1 (Box-Muller). Uniform and keep-mask fills compute
// each Philox block once for its four words, eight blocks side by side (sixteen with AVX-512).
#include "engine/random/generator.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <type_traits>

#include <fmt/format.h>

#include "engine/backend/cpu/cpu_isa.h"
#include "engine/backend/cpu/thread_pool.h"
#include "engine/core/error.h"
#include "engine/random/philox.h"
#include "engine/random/philox_wide.h"

namespace flowjet {

namespace detail {
CudaRandomHooks& cuda_random_hooks() {
  static CudaRandomHooks hooks;
  return hooks;
}
}  // namespace detail

namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;

template <class T>
T uniform01(uint64_t seed, uint64_t offset, int64_t i) {
  if constexpr (std::is_same_v<T, float>) {
    return philox_uniform_float(philox_word(seed, offset, static_cast<uint64_t>(i)));
  } else {
    uint64_t w = 2 * static_cast<uint64_t>(i);
    return philox_uniform_double(philox_word(seed, offset, w), philox_word(seed, offset, w + 1));
  }
}

// Philox blocks computed side by side by philox_group, one per 32-bit lane of an AVX2 register.
constexpr int kLanes = 8;
// Words of the stream one group of lanes yields, and the elements of type T they make.
constexpr int64_t kGroupWords = 4 * kLanes;
template <class T>
constexpr int64_t kGroupElements = kGroupWords / (std::is_same_v<T, float> ? 1 : 2);

// The high and low 32 bits of the eight products m * c (one per 32-bit lane). _mm256_mul_epu32
// multiplies only the even lanes, so the odd lanes are shifted down for a second product and the
// halves are blended back into lane order.
inline void mul_hi_lo(__m256i m, __m256i c, __m256i& hi, __m256i& lo) {
  const __m256i even = _mm256_mul_epu32(m, c), odd = _mm256_mul_epu32(m, _mm256_srli_epi64(c, 32));
  hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
  lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
}

// words[k] = word (4 * first_block + k) of the stream of `seed`, for k < kGroupWords: the blocks
// first_block .. first_block + kLanes - 1 of philox4x32_10, one lane each.
void philox_group(uint64_t seed, uint64_t first_block, uint32_t* words) {
  uint32_t key0 = static_cast<uint32_t>(seed), key1 = static_cast<uint32_t>(seed >> 32);
  // philox_round (philox.h) on eight blocks at once, one per 32-bit lane (AVX2: the build's minimum).
  const __m256i lane = _mm256_setr_epi64x(0, 1, 2, 3);
  const __m256i block_lo = _mm256_add_epi64(_mm256_set1_epi64x(static_cast<int64_t>(first_block)), lane);
  const __m256i block_hi = _mm256_add_epi64(block_lo, _mm256_set1_epi64x(4));
  // Counter words 0 and 1 are the low and high halves of the 64-bit block numbers, in lane order.
  const __m256i order = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
  const __m256i lo_halves = _mm256_permutevar8x32_epi32(block_lo, order);  // lo0..lo3 | hi0..hi3
  const __m256i hi_halves = _mm256_permutevar8x32_epi32(block_hi, order);  // lo4..lo7 | hi4..hi7
  __m256i c0 = _mm256_permute2x128_si256(lo_halves, hi_halves, 0x20);
  __m256i c1 = _mm256_permute2x128_si256(lo_halves, hi_halves, 0x31);
  __m256i c2 = _mm256_setzero_si256(), c3 = _mm256_setzero_si256();
  const __m256i mul0 = _mm256_set1_epi32(static_cast<int>(kPhiloxMul0));
  const __m256i mul1 = _mm256_set1_epi32(static_cast<int>(kPhiloxMul1));
  for (int round = 0; round < 10; ++round) {
    __m256i hi0, lo0, hi1, lo1;
    mul_hi_lo(mul0, c0, hi0, lo0);
    mul_hi_lo(mul1, c2, hi1, lo1);
    const __m256i k0 = _mm256_set1_epi32(static_cast<int>(key0)), k1 = _mm256_set1_epi32(static_cast<int>(key1));
    c0 = _mm256_xor_si256(_mm256_xor_si256(hi1, c1), k0);
    c2 = _mm256_xor_si256(_mm256_xor_si256(hi0, c3), k1);
    c1 = lo1;
    c3 = lo0;
    key0 += kPhiloxWeyl0;
    key1 += kPhiloxWeyl1;
  }
  // Transpose to block order: words[4 l + j] = c_j[l].
  const __m256i a01 = _mm256_unpacklo_epi32(c0, c1), b01 = _mm256_unpackhi_epi32(c0, c1);
  const __m256i a23 = _mm256_unpacklo_epi32(c2, c3), b23 = _mm256_unpackhi_epi32(c2, c3);
  const __m256i blocks04 = _mm256_unpacklo_epi64(a01, a23), blocks15 = _mm256_unpackhi_epi64(a01, a23);
  const __m256i blocks26 = _mm256_unpacklo_epi64(b01, b23), blocks37 = _mm256_unpackhi_epi64(b01, b23);
  auto* out = reinterpret_cast<__m256i*>(words);
  _mm256_storeu_si256(out, _mm256_permute2x128_si256(blocks04, blocks15, 0x20));
  _mm256_storeu_si256(out + 1, _mm256_permute2x128_si256(blocks26, blocks37, 0x20));
  _mm256_storeu_si256(out + 2, _mm256_permute2x128_si256(blocks04, blocks15, 0x31));
  _mm256_storeu_si256(out + 3, _mm256_permute2x128_si256(blocks26, blocks37, 0x31));
}

// Calls fn(first, count, u) for consecutive runs of elements, where u[k] = uniform01<T>(seed,
// offset, first + k) for k < count (fn is generic in count's type, see below); each Philox block is computed once (the per-element
// definition recomputes a block for each of its words). On the thread pool.
template <class T, class Fn>
void for_each_uniform_run(int64_t n, uint64_t seed, uint64_t offset, Fn fn) {
  constexpr int64_t per_group = kGroupElements<T>;
  const int64_t groups = (n + per_group - 1) / per_group;
  // With AVX-512 two groups' blocks come from one sixteen-lane call (the same words).
  const bool wide = gemm_isa() == GemmIsa::avx512;
  parallel_for(groups, std::max<int64_t>(1, (1 << 14) / per_group), [&](int64_t g0, int64_t g1) {
    uint32_t words[2 * kGroupWords];
    T uniforms[per_group];
    for (int64_t g = g0; g < g1; ++g) {
      const uint64_t first_block = offset + static_cast<uint64_t>(g) * kLanes;
      const uint32_t* group_words = words;
      if (!wide) {
        philox_group(seed, first_block, words);
      } else if ((g - g0) % 2 == 0) {
        philox_blocks16_avx512(seed, first_block, words);  // this group's blocks and the next one's
      } else {
        group_words = words + kGroupWords;
      }
      for (int64_t k = 0; k < per_group; ++k) {
        if constexpr (std::is_same_v<T, float>)
          uniforms[k] = philox_uniform_float(group_words[k]);
        else
          uniforms[k] = philox_uniform_double(group_words[2 * k], group_words[2 * k + 1]);
      }
      // A full run passes its length as a compile-time constant: GCC's -O2 vectorises only loops
      // whose trip count it knows.
      const int64_t first = g * per_group;
      if (first + per_group <= n)
        fn(first, std::integral_constant<int64_t, per_group>{}, uniforms);
      else
        fn(first, n - first, uniforms);
    }
  });
}

uint64_t words_per_element(DType dtype) { return dtype == DType::F32 ? 1 : 2; }

// Reserves the stream for `shape`, then fills a new tensor on the CPU or through the CUDA hook.
template <class Fill>
Tensor draw(const Shape& shape, Generator& gen, DType dtype, Device device, Fill fill_cpu,
            const std::function<void(Tensor&, uint64_t, uint64_t)>& fill_cuda) {
  // Normal draws use pairs, so reserve an even number of elements' words.
  int64_t n = shape.numel();
  uint64_t seed = gen.seed();
  uint64_t offset = gen.advance(static_cast<uint64_t>(n + (n & 1)) * words_per_element(dtype));
  Tensor out = Tensor::empty(shape, dtype, device);
  if (device == Device::CUDA) {
    if (!fill_cuda) throw CudaError("random draw on a CUDA tensor: flowjet was built without CUDA (CUDA=0)");
    fill_cuda(out, seed, offset);
    return out;
  }
  dispatch_dtype(dtype, [&](auto zero) { fill_cpu(zero, out, seed, offset); });
  return out;
}

}  // namespace

Tensor random_uniform(const Shape& shape, Generator& gen, DType dtype, Device device, double low, double high) {
  auto fill = [low, high](auto zero, Tensor& out, uint64_t seed, uint64_t offset) {
    using T = decltype(zero);
    T* p = out.data<T>();
    for_each_uniform_run<T>(out.numel(), seed, offset, [p, low, high](int64_t first, auto count, const T* u) {
      T* out_run = p + first;
      const double from = low, width = high - low;  // local copies, as in random_keep_mask
      for (int64_t k = 0; k < count; ++k) out_run[k] = static_cast<T>(from + width * static_cast<double>(u[k]));
    });
  };
  std::function<void(Tensor&, uint64_t, uint64_t)> fill_cuda;
  if (auto hook = detail::cuda_random_hooks().uniform)
    fill_cuda = [=](Tensor& out, uint64_t seed, uint64_t offset) { hook(out, seed, offset, low, high); };
  return draw(shape, gen, dtype, device, fill, fill_cuda);
}

Tensor random_normal(const Shape& shape, Generator& gen, DType dtype, Device device, double mean, double stddev) {
  auto fill = [mean, stddev](auto zero, Tensor& out, uint64_t seed, uint64_t offset) {
    using T = decltype(zero);
    T* p = out.data<T>();
    int64_t n = out.numel();
    parallel_for((n + 1) / 2, 1 << 13, [&](int64_t begin, int64_t end) {
      for (int64_t j = begin; j < end; ++j) {
        // Box-Muller: (r cos θ, r sin θ) with r = sqrt(-2 log u1), θ = 2π u2; u1 in (0, 1) so log is finite.
        T u1 = uniform01<T>(seed, offset, 2 * j), u2 = uniform01<T>(seed, offset, 2 * j + 1);
        T r = std::sqrt(T(-2) * std::log(u1));
        T theta = static_cast<T>(kTwoPi) * u2;
        p[2 * j] = static_cast<T>(mean + stddev * static_cast<double>(r * std::cos(theta)));
        if (2 * j + 1 < n) p[2 * j + 1] = static_cast<T>(mean + stddev * static_cast<double>(r * std::sin(theta)));
      }
    });
  };
  std::function<void(Tensor&, uint64_t, uint64_t)> fill_cuda;
  if (auto hook = detail::cuda_random_hooks().normal)
    fill_cuda = [=](Tensor& out, uint64_t seed, uint64_t offset) { hook(out, seed, offset, mean, stddev); };
  return draw(shape, gen, dtype, device, fill, fill_cuda);
}

Tensor random_keep_mask(const Shape& shape, double p, Generator& gen, DType dtype, Device device) {
  if (!(p >= 0.0 && p < 1.0)) throw ShapeError(fmt::format("dropout probability must be in [0, 1), got {}", p));
  auto fill = [p](auto zero, Tensor& out, uint64_t seed, uint64_t offset) {
    using T = decltype(zero);
    T* m = out.data<T>();
    T scale = static_cast<T>(1.0 / (1.0 - p));
    const T threshold = static_cast<T>(p);
    for_each_uniform_run<T>(out.numel(), seed, offset, [m, threshold, scale](int64_t first, auto count, const T* u) {
      // Local copies: the stores below could alias the closure's members, which would stop the
      // compiler from vectorising the loop.
      T* out_run = m + first;
      const T keep = scale, below = threshold;
      for (int64_t k = 0; k < count; ++k) out_run[k] = u[k] >= below ? keep : T(0);
    });
  };
  std::function<void(Tensor&, uint64_t, uint64_t)> fill_cuda;
  if (auto hook = detail::cuda_random_hooks().keep_mask)
    fill_cuda = [=](Tensor& out, uint64_t seed, uint64_t offset) { hook(out, seed, offset, p); };
  return draw(shape, gen, dtype, device, fill, fill_cuda);
}

std::vector<int64_t> random_permutation(int64_t n, Generator& gen) {
  std::vector<int64_t> perm(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) perm[static_cast<std::size_t>(i)] = i;
  uint64_t seed = gen.seed();
  uint64_t offset = gen.advance(static_cast<uint64_t>(2 * n));
  for (int64_t i = n - 1; i > 0; --i) {
    // Uniform index in [0, i] from a 53-bit uniform double.
    double u = uniform01<double>(seed, offset, i);
    auto j = static_cast<int64_t>(u * static_cast<double>(i + 1));
    if (j > i) j = i;
    std::swap(perm[static_cast<std::size_t>(i)], perm[static_cast<std::size_t>(j)]);
  }
  return perm;
}

}  // namespace flowjet

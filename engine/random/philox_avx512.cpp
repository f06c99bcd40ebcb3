// Sixteen Philox-4x32-10 blocks side by side, one per 32-bit lane of an AVX-512 register: the wide twin of
// philox_group (generator.cpp, eight lanes of AVX2), used when the CPU kernels run on AVX-512
// (engine/backend/cpu/cpu_isa.h). Compiled with -mavx512f alone; called only where cpuid reports it.
#include <immintrin.h>

#include "engine/random/philox.h"
#include "engine/random/philox_wide.h"

// GCC 12's AVX-512 intrinsics pass _mm512_undefined_*() as the unused merge source of their masked
// builtins, which -Wuninitialized reports at every inlined use (GCC bug 105593); no lane of it is read.
#pragma GCC diagnostic ignored "-Wuninitialized"

namespace flowjet {
namespace {

// The high and low 32 bits of the sixteen products m * c, one per lane. _mm512_mul_epu32 multiplies the
// even lanes only, so the odd lanes are shifted down for a second product and the halves blended back.
inline void mul_hi_lo(__m512i m, __m512i c, __m512i& hi, __m512i& lo) {
  const __m512i even = _mm512_mul_epu32(m, c), odd = _mm512_mul_epu32(m, _mm512_srli_epi64(c, 32));
  hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
  lo = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
}

}  // namespace

void philox_blocks16_avx512(uint64_t seed, uint64_t first_block, uint32_t* words) {
  uint32_t key0 = static_cast<uint32_t>(seed), key1 = static_cast<uint32_t>(seed >> 32);
  // Counter words 0 and 1: the low and high halves of the 64-bit block numbers first_block + lane.
  const __m512i blocks_lo = _mm512_add_epi64(_mm512_set1_epi64(static_cast<int64_t>(first_block)),
                                             _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7));
  const __m512i blocks_hi = _mm512_add_epi64(blocks_lo, _mm512_set1_epi64(8));
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
  __m512i c0 = _mm512_permutex2var_epi32(blocks_lo, even, blocks_hi);
  __m512i c1 = _mm512_permutex2var_epi32(blocks_lo, odd, blocks_hi);
  __m512i c2 = _mm512_setzero_si512(), c3 = _mm512_setzero_si512();
  const __m512i mul0 = _mm512_set1_epi32(static_cast<int>(kPhiloxMul0));
  const __m512i mul1 = _mm512_set1_epi32(static_cast<int>(kPhiloxMul1));
  for (int round = 0; round < 10; ++round) {  // philox_round (philox.h), sixteen blocks at once
    __m512i hi0, lo0, hi1, lo1;
    mul_hi_lo(mul0, c0, hi0, lo0);
    mul_hi_lo(mul1, c2, hi1, lo1);
    const __m512i k0 = _mm512_set1_epi32(static_cast<int>(key0)), k1 = _mm512_set1_epi32(static_cast<int>(key1));
    c0 = _mm512_xor_si512(_mm512_xor_si512(hi1, c1), k0);
    c2 = _mm512_xor_si512(_mm512_xor_si512(hi0, c3), k1);
    c1 = lo1;
    c3 = lo0;
    key0 += kPhiloxWeyl0;
    key1 += kPhiloxWeyl1;
  }
  // Transpose to block order, words[4 l + j] = c_j[l]. Within each 128-bit chunk k the unpacks gather
  // whole blocks: a holds block 4k, b block 4k + 1, c block 4k + 2, d block 4k + 3.
  const __m512i a01 = _mm512_unpacklo_epi32(c0, c1), b01 = _mm512_unpackhi_epi32(c0, c1);
  const __m512i a23 = _mm512_unpacklo_epi32(c2, c3), b23 = _mm512_unpackhi_epi32(c2, c3);
  const __m512i a = _mm512_unpacklo_epi64(a01, a23), b = _mm512_unpackhi_epi64(a01, a23);
  const __m512i c = _mm512_unpacklo_epi64(b01, b23), d = _mm512_unpackhi_epi64(b01, b23);
  // Then the chunks in order: output register r holds blocks 4r .. 4r + 3 = chunk r of a, b, c, d.
  const __m512i ab_low = _mm512_shuffle_i64x2(a, b, 0x44), cd_low = _mm512_shuffle_i64x2(c, d, 0x44);
  const __m512i ab_high = _mm512_shuffle_i64x2(a, b, 0xEE), cd_high = _mm512_shuffle_i64x2(c, d, 0xEE);
  _mm512_storeu_si512(words, _mm512_shuffle_i64x2(ab_low, cd_low, 0x88));
  _mm512_storeu_si512(words + 16, _mm512_shuffle_i64x2(ab_low, cd_low, 0xDD));
  _mm512_storeu_si512(words + 32, _mm512_shuffle_i64x2(ab_high, cd_high, 0x88));
  _mm512_storeu_si512(words + 48, _mm512_shuffle_i64x2(ab_high, cd_high, 0xDD));
}

}  // namespace flowjet

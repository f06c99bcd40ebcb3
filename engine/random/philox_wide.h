// Philox blocks computed several at a time with SIMD, for the CPU's block-wise fills (generator.cpp).
#pragma once

#include <cstdint>

namespace flowjet {

/// words[4 l + j] = word j of block first_block + l of the stream of `seed`, for l < 16 and j < 4 (64
/// words): philox_block (philox.h) on sixteen blocks, with AVX-512 (philox_avx512.cpp). Call only where
/// the CPU supports AVX-512F (gemm_isa() == GemmIsa::avx512).
void philox_blocks16_avx512(uint64_t seed, uint64_t first_block, uint32_t* words);

}  // namespace flowjet

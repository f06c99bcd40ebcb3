// Device fills of the Philox stream, installed as engine/random's CUDA hooks by runtime.cu. Each follows
// the CPU's element-to-word mapping in engine/random/generator.cpp exactly.
#pragma once

#include <cstdint>

#include "engine/tensor/tensor.h"

namespace flowjet::cuda {

/// out[i] = low + (high - low) * u_i (f32: word i; f64: words 2i, 2i+1).
void random_uniform_cuda(Tensor& out, uint64_t seed, uint64_t offset, double low, double high);
/// Box-Muller on the uniform pairs (2j, 2j+1).
void random_normal_cuda(Tensor& out, uint64_t seed, uint64_t offset, double mean, double stddev);
/// 1/(1-p) where u_i >= p, else 0.
void random_keep_mask_cuda(Tensor& out, uint64_t seed, uint64_t offset, double p);

}  // namespace flowjet::cuda

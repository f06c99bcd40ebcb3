// The counter-based random generator of flowjet, for every tensor draw (weights, masks, dropout,
// latents). Its whole state is (seed, offset): each draw consumes Philox blocks starting at
// `offset` and advances it, so a draw is reproducible from the state saved in a checkpoint, on the
// CPU and (with the same formulas) on the GPU.
// Independent streams: Generator(derive_seed(seed, tag)) (engine/random/derive_seed.h) gives each
// consumer its own key; one key may also be shared by consumers that start at far-apart offsets
// (flows/flow.cpp). Host-side sequential draws of the data layer use SequentialRng
// (engine/random/sequential_rng.h); docs/data_pipeline.md §5 lists every stream.
#pragma once

#include <cstdint>

#include "engine/tensor/tensor.h"

namespace flowjet {

class Generator {
 public:
  explicit Generator(uint64_t seed = 0, uint64_t offset = 0) : seed_(seed), offset_(offset) {}

  uint64_t seed() const { return seed_; }
  /// Next unused Philox block; the state to save and restore.
  uint64_t offset() const { return offset_; }
  void set_state(uint64_t seed, uint64_t offset) {
    seed_ = seed;
    offset_ = offset;
  }

  /// Reserves the blocks for `words` 32-bit words and returns the offset of the first block.
  uint64_t advance(uint64_t words) {
    uint64_t first = offset_;
    offset_ += (words + 3) / 4;
    return first;
  }

 private:
  uint64_t seed_;
  uint64_t offset_;
};

/// Uniform draws in [low, high): element i uses word i (f32) or words 2i, 2i+1 (f64).
Tensor random_uniform(const Shape& shape, Generator& gen, DType dtype = DType::F32, Device device = Device::CPU,
                      double low = 0.0, double high = 1.0);
/// Normal draws (Box-Muller on pairs of uniforms).
Tensor random_normal(const Shape& shape, Generator& gen, DType dtype = DType::F32, Device device = Device::CPU,
                     double mean = 0.0, double stddev = 1.0);
/// Dropout keep-mask: 1/(1-p) where uniform >= p, else 0 (so output = input * mask).
Tensor random_keep_mask(const Shape& shape, double p, Generator& gen, DType dtype = DType::F32,
                        Device device = Device::CPU);
/// A uniformly random permutation of 0..n-1 (Fisher-Yates driven by the generator), on the host.
std::vector<int64_t> random_permutation(int64_t n, Generator& gen);

namespace detail {
/// Device implementations installed by the CUDA backend: fill `out` from (seed, offset).
struct CudaRandomHooks {
  void (*uniform)(Tensor& out, uint64_t seed, uint64_t offset, double low, double high) = nullptr;
  void (*normal)(Tensor& out, uint64_t seed, uint64_t offset, double mean, double stddev) = nullptr;
  void (*keep_mask)(Tensor& out, uint64_t seed, uint64_t offset, double p) = nullptr;
};
CudaRandomHooks& cuda_random_hooks();
}  // namespace detail

}  // namespace flowjet

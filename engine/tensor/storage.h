// One buffer of bytes on one device, with allocation statistics so tests can prove that
// memory does not grow across training steps.
//
// CPU blocks come from a caching allocator (storage.cpp): a freed block goes to a free list of
// its size class and is handed to the next request of that class (requests from 1 MiB may take
// a somewhat larger cached block, best fit), so a training loop that
// allocates the same tensors every step stops calling the system allocator (and stops paying
// its page faults) after the first step. FLOWJET_ALLOCATOR_CACHE=0 in the environment turns the
// cache off (every block goes straight back to the system, as sanitizers and valgrind need); the
// sanitizer build (SANITIZE=1) has it off unless FLOWJET_ALLOCATOR_CACHE=1.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/core/device.h"

namespace flowjet {

/// One device's allocator. live_* and peak_bytes count the bytes tensors asked for (not the
/// rounded blocks); the cache figures are CPU only (zero for CUDA).
struct AllocatorStats {
  int64_t live_blocks = 0;
  int64_t live_bytes = 0;
  int64_t peak_bytes = 0;          // most live_bytes at any time (since start or reset_peak_bytes)
  int64_t cached_blocks = 0;       // freed blocks kept for reuse
  int64_t cached_bytes = 0;        // their (rounded) size
  int64_t allocations = 0;         // blocks handed out since start, cached or not
  int64_t allocated_bytes = 0;     // bytes asked for by those allocations
  int64_t cache_hits = 0;          // allocations served from the cache
  int64_t system_bytes = 0;        // rounded bytes currently obtained from the system (live + cached)
};

AllocatorStats allocator_stats(Device device);

/// Sets peak_bytes to the current live_bytes (CPU), so a caller can measure the peak of one phase.
void reset_peak_bytes(Device device);

/// Returns every cached CPU block to the system (no-op for CUDA, whose backend manages its own
/// cache). Also run at exit.
void release_cached_memory(Device device);

/// Whether freed CPU blocks are cached. Turning it off releases the cache.
bool allocator_cache_enabled();
void set_allocator_cache_enabled(bool enabled);

/// RAII owner of `bytes` bytes (64-byte aligned on the CPU). Move-only.
class Storage {
 public:
  Storage(std::size_t bytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() { return data_; }
  const void* data() const { return data_; }
  std::size_t bytes() const { return bytes_; }
  Device device() const { return device_; }

 private:
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
  std::size_t block_bytes_ = 0;  // CPU: the size of the allocator's block holding the data
  Device device_;
};

namespace detail {
/// Hooks the CUDA backend installs to allocate device memory (set by backend/cuda).
struct DeviceAllocator {
  void* (*allocate)(std::size_t bytes) = nullptr;
  void (*release)(void* ptr, std::size_t bytes) = nullptr;
  AllocatorStats (*stats)() = nullptr;
};
DeviceAllocator& cuda_allocator_hooks();

/// The block size the CPU allocator serves a request of `bytes` with (its size class): multiples
/// of 64 up to 256 bytes, then four classes per power of two (2^k, 1.25, 1.5, 1.75 x 2^k), so a
/// block wastes less than a quarter of its size.
std::size_t cpu_size_class(std::size_t bytes);
}  // namespace detail

}  // namespace flowjet

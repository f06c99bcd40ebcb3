// One buffer of bytes on one device, with allocation statistics so tests can prove that
// memory does not grow across training steps.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/core/device.h"

namespace flowjet {

/// Live allocations of one device's allocator.
struct AllocatorStats {
  int64_t live_blocks = 0;
  int64_t live_bytes = 0;
  int64_t peak_bytes = 0;
};

AllocatorStats allocator_stats(Device device);

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
}  // namespace detail

}  // namespace flowjet

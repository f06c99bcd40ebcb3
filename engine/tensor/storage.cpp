// CPU allocation (aligned, counted) and the dispatch to the CUDA allocator hooks.
#include "engine/tensor/storage.h"

#include <atomic>
#include <cstdlib>
#include <new>

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet {
namespace {

std::atomic<int64_t> cpu_live_blocks{0};
std::atomic<int64_t> cpu_live_bytes{0};
std::atomic<int64_t> cpu_peak_bytes{0};

constexpr std::size_t kAlignment = 64;

void* cpu_allocate(std::size_t bytes) {
  std::size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  void* p = std::aligned_alloc(kAlignment, rounded == 0 ? kAlignment : rounded);
  if (!p) throw std::bad_alloc();
  cpu_live_blocks += 1;
  int64_t now = cpu_live_bytes += static_cast<int64_t>(bytes);
  int64_t peak = cpu_peak_bytes.load();
  while (now > peak && !cpu_peak_bytes.compare_exchange_weak(peak, now)) {
  }
  return p;
}

void cpu_release(void* p, std::size_t bytes) {
  std::free(p);
  cpu_live_blocks -= 1;
  cpu_live_bytes -= static_cast<int64_t>(bytes);
}

}  // namespace

namespace detail {
DeviceAllocator& cuda_allocator_hooks() {
  static DeviceAllocator hooks;
  return hooks;
}
}  // namespace detail

AllocatorStats allocator_stats(Device device) {
  if (device == Device::CPU) return {cpu_live_blocks.load(), cpu_live_bytes.load(), cpu_peak_bytes.load()};
  auto& hooks = detail::cuda_allocator_hooks();
  if (!hooks.stats) throw CudaError("allocator_stats(cuda): this build has no CUDA backend");
  return hooks.stats();
}

Storage::Storage(std::size_t bytes, Device device) : bytes_(bytes), device_(device) {
  if (device == Device::CPU) {
    data_ = cpu_allocate(bytes);
    return;
  }
  auto& hooks = detail::cuda_allocator_hooks();
  if (!hooks.allocate) throw CudaError("cannot allocate a CUDA tensor: flowjet was built without CUDA (CUDA=0)");
  data_ = hooks.allocate(bytes);
}

Storage::~Storage() {
  if (!data_) return;
  if (device_ == Device::CPU) {
    cpu_release(data_, bytes_);
  } else if (auto release = detail::cuda_allocator_hooks().release) {
    release(data_, bytes_);
  }
}

}  // namespace flowjet

// CPU allocation (a caching allocator with size classes, counted) and the dispatch to the CUDA
// allocator hooks.
#include "engine/tensor/storage.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <vector>

#include <fmt/format.h>

#include "engine/core/error.h"

// The cache hides use-after-free from AddressSanitizer (a freed block stays valid memory), so the
// sanitizer build starts with it off.
#if defined(__SANITIZE_ADDRESS__)
#define FLOWJET_CACHE_DEFAULT false
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FLOWJET_CACHE_DEFAULT false
#endif
#endif
#ifndef FLOWJET_CACHE_DEFAULT
#define FLOWJET_CACHE_DEFAULT true
#endif

namespace flowjet {
namespace {

constexpr std::size_t kAlignment = 64;
constexpr std::size_t kSmallLimit = 256;  // up to here classes are multiples of kAlignment
// Requests from this size on may take a larger cached block (best fit, at most kMaxOversize times
// their class): a partial last batch then reuses the full batches' blocks instead of allocating
// a second set. Smaller requests take their own class only.
constexpr std::size_t kBestFitFrom = std::size_t(1) << 20;
constexpr std::size_t kMaxOversize = 8;

bool cache_enabled_from_environment() {
  const char* value = std::getenv("FLOWJET_ALLOCATOR_CACHE");
  if (!value || !*value) return FLOWJET_CACHE_DEFAULT;
  return std::strcmp(value, "0") != 0;
}

struct CpuAllocator {
  std::mutex mutex;
  bool caching = cache_enabled_from_environment();
  std::map<std::size_t, std::vector<void*>> free_lists;  // block size -> cached blocks (no empty lists)
  AllocatorStats stats;

  void free_block(void* p, std::size_t size) {
    std::free(p);
    stats.system_bytes -= static_cast<int64_t>(size);
  }

  // Frees cached blocks smaller than `below`, largest first, until `bytes` are freed or there are
  // none left; the caller holds the mutex.
  void release_cached_locked(std::size_t below = SIZE_MAX, std::size_t bytes = SIZE_MAX) {
    std::size_t freed = 0;
    while (freed < bytes) {
      auto it = free_lists.lower_bound(below);
      if (it == free_lists.begin()) break;
      --it;
      for (void* p : it->second) {
        free_block(p, it->first);
        freed += it->first;
        stats.cached_blocks -= 1;
        stats.cached_bytes -= static_cast<int64_t>(it->first);
      }
      free_lists.erase(it);
    }
  }

  // A cached block for a request of class `size`, or nullptr; sets `block` to its size.
  void* take_cached(std::size_t size, std::size_t& block) {
    auto it = free_lists.lower_bound(size);
    if (it == free_lists.end()) return nullptr;
    const bool fits = it->first == size || (size >= kBestFitFrom && it->first <= kMaxOversize * size);
    if (!fits) return nullptr;
    block = it->first;
    void* p = it->second.back();
    it->second.pop_back();
    if (it->second.empty()) free_lists.erase(it);
    stats.cached_blocks -= 1;
    stats.cached_bytes -= static_cast<int64_t>(block);
    stats.cache_hits += 1;
    return p;
  }
};

CpuAllocator& cpu() {
  // Never destroyed: tensors in static objects may be freed during static destruction. The cache
  // goes back to the system at exit (tensors freed after that are freed one by one).
  static CpuAllocator* instance = [] {
    auto* a = new CpuAllocator();
    std::atexit([] { release_cached_memory(Device::CPU); });
    return a;
  }();
  return *instance;
}

// A block for `bytes`; `block` receives its size (its class, or a larger cached block's), which the
// owner hands back to cpu_release.
void* cpu_allocate(std::size_t bytes, std::size_t& block) {
  const std::size_t size = detail::cpu_size_class(bytes);
  CpuAllocator& a = cpu();
  std::lock_guard<std::mutex> lock(a.mutex);
  block = size;
  void* p = a.take_cached(size, block);
  if (!p) {
    // A large miss: give back as many bytes of smaller cached blocks (which cannot serve it) as
    // it takes, so that blocks of sizes no longer asked for do not pile up on top of the live
    // peak (a run whose batch size changes would otherwise keep every size it has seen).
    if (size >= kBestFitFrom) a.release_cached_locked(size, size);
    p = std::aligned_alloc(kAlignment, size);
    if (!p) {
      a.release_cached_locked();  // everything, then try once more
      p = std::aligned_alloc(kAlignment, size);
    }
    if (!p) throw std::bad_alloc();
    a.stats.system_bytes += static_cast<int64_t>(size);
  }
  a.stats.allocations += 1;
  a.stats.allocated_bytes += static_cast<int64_t>(bytes);
  a.stats.live_blocks += 1;
  a.stats.live_bytes += static_cast<int64_t>(bytes);
  if (a.stats.live_bytes > a.stats.peak_bytes) a.stats.peak_bytes = a.stats.live_bytes;
  return p;
}

void cpu_release(void* p, std::size_t bytes, std::size_t block) {
  CpuAllocator& a = cpu();
  std::lock_guard<std::mutex> lock(a.mutex);
  a.stats.live_blocks -= 1;
  a.stats.live_bytes -= static_cast<int64_t>(bytes);
  if (a.caching) {
    a.free_lists[block].push_back(p);
    a.stats.cached_blocks += 1;
    a.stats.cached_bytes += static_cast<int64_t>(block);
  } else {
    a.free_block(p, block);
  }
}

}  // namespace

namespace detail {
DeviceAllocator& cuda_allocator_hooks() {
  static DeviceAllocator hooks;
  return hooks;
}

std::size_t cpu_size_class(std::size_t bytes) {
  if (bytes <= kSmallLimit) return bytes == 0 ? kAlignment : (bytes + kAlignment - 1) / kAlignment * kAlignment;
  // The power of two p with p <= bytes - 1 < 2p; classes are p + q * p/4 for q = 1..4.
  std::size_t p = std::size_t(1) << (63 - __builtin_clzll(static_cast<unsigned long long>(bytes - 1)));
  const std::size_t step = p / 4;
  return (bytes + step - 1) / step * step;
}
}  // namespace detail

AllocatorStats allocator_stats(Device device) {
  if (device == Device::CPU) {
    CpuAllocator& a = cpu();
    std::lock_guard<std::mutex> lock(a.mutex);
    return a.stats;
  }
  auto& hooks = detail::cuda_allocator_hooks();
  if (!hooks.stats) throw CudaError("allocator_stats(cuda): this build has no CUDA backend");
  return hooks.stats();
}

void reset_peak_bytes(Device device) {
  if (device != Device::CPU)
    throw CudaError("reset_peak_bytes(cuda): only the CPU allocator's peak can be reset");
  CpuAllocator& a = cpu();
  std::lock_guard<std::mutex> lock(a.mutex);
  a.stats.peak_bytes = a.stats.live_bytes;
}

void release_cached_memory(Device device) {
  if (device != Device::CPU) return;
  CpuAllocator& a = cpu();
  std::lock_guard<std::mutex> lock(a.mutex);
  a.release_cached_locked();
}

bool allocator_cache_enabled() {
  CpuAllocator& a = cpu();
  std::lock_guard<std::mutex> lock(a.mutex);
  return a.caching;
}

void set_allocator_cache_enabled(bool enabled) {
  CpuAllocator& a = cpu();
  std::lock_guard<std::mutex> lock(a.mutex);
  a.caching = enabled;
  if (!enabled) a.release_cached_locked();
}

Storage::Storage(std::size_t bytes, Device device) : bytes_(bytes), device_(device) {
  if (device == Device::CPU) {
    data_ = cpu_allocate(bytes, block_bytes_);
    return;
  }
  auto& hooks = detail::cuda_allocator_hooks();
  if (!hooks.allocate) throw CudaError("cannot allocate a CUDA tensor: flowjet was built without CUDA (CUDA=0)");
  data_ = hooks.allocate(bytes);
}

Storage::~Storage() {
  if (!data_) return;
  if (device_ == Device::CPU) {
    cpu_release(data_, bytes_, block_bytes_);
  } else if (auto release = detail::cuda_allocator_hooks().release) {
    release(data_, bytes_);
  }
}

}  // namespace flowjet

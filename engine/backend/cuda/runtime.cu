// The CUDA runtime of flowjet: lazy device start-up, the one stream, a caching device allocator and
// host<->device copies. A static initialiser installs the hooks of engine/tensor and engine/random; it
// makes no CUDA call, so a program without a GPU starts normally and fails only when it asks for one.
#include "engine/backend/cuda/runtime.h"

#include <cstdio>
#include <map>
#include <mutex>
#include <new>

#include <fmt/format.h>

#include "engine/backend/cuda/fill.h"
#include "engine/backend/cuda/launch.cuh"
#include "engine/backend/cuda/random.h"
#include "engine/core/error.h"
#include "engine/random/generator.h"
#include "engine/tensor/storage.h"
#include "engine/tensor/tensor.h"

namespace flowjet {
namespace cuda {

void throw_status(const char* call, const char* library, int code, const char* message, const char* file, int line) {
  throw CudaError(fmt::format("{} failed with {} error {} ({}) at {}:{}", call, library, code, message, file, line));
}

namespace {

// ---- device start-up ----

struct DeviceState {
  bool ok = false;
  std::string reason;  // why ok is false
  cudaStream_t stream = nullptr;
};

// Started once, on first use, by whichever thread gets here first (C++11 static initialisation is thread-safe).
const DeviceState& device_state() {
  static const DeviceState state = [] {
    DeviceState s;
    int count = 0;
    cudaError_t status = cudaGetDeviceCount(&count);
    if (status != cudaSuccess || count == 0) {
      s.reason = status != cudaSuccess ? fmt::format("no CUDA device available: cudaGetDeviceCount returned {} ({})",
                                                     static_cast<int>(status), cudaGetErrorString(status))
                                       : std::string("no CUDA device available: cudaGetDeviceCount returned 0 devices");
      cudaGetLastError();  // clear the sticky error so later queries start clean
      return s;
    }
    status = cudaSetDevice(0);
    if (status == cudaSuccess) status = cudaStreamCreateWithFlags(&s.stream, cudaStreamNonBlocking);
    if (status != cudaSuccess) {
      s.reason = fmt::format("CUDA device 0 could not be started: {} ({})", static_cast<int>(status),
                             cudaGetErrorString(status));
      cudaGetLastError();
      return s;
    }
    s.ok = true;
    return s;
  }();
  return state;
}

const DeviceState& require_device() {
  const DeviceState& s = device_state();
  if (!s.ok) throw CudaError(s.reason);
  return s;
}

// ---- caching allocator ----
// Blocks are rounded up (512 B below 1 MiB, 2 MiB above) and kept on release, keyed by rounded size; the
// next request of that size reuses one. With one stream, stream order makes reuse safe without events.

constexpr std::size_t kSmallRound = 512;
constexpr std::size_t kLargeRound = std::size_t(2) << 20;
constexpr std::size_t kLargeFrom = std::size_t(1) << 20;

std::size_t rounded_size(std::size_t bytes) {
  const std::size_t unit = bytes < kLargeFrom ? kSmallRound : kLargeRound;
  return (bytes + unit - 1) / unit * unit;
}

struct Cache {
  std::mutex mutex;
  std::multimap<std::size_t, void*> free_blocks;  // rounded size -> block
  int64_t cached_bytes = 0;
  AllocatorStats stats;
};

Cache& cache() {
  static Cache* c = new Cache();  // never destroyed: blocks may be released during static destruction
  return *c;
}

// Frees every cached block; the caller holds the mutex.
void free_cached_locked(Cache& c) {
  if (c.free_blocks.empty()) return;
  cudaStreamSynchronize(device_state().stream);
  for (auto& entry : c.free_blocks) cudaFree(entry.second);
  c.free_blocks.clear();
  c.cached_bytes = 0;
}

void* device_allocate(std::size_t bytes) {
  if (bytes == 0) {
    require_device();
    return nullptr;
  }
  require_device();
  const std::size_t size = rounded_size(bytes);
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  void* ptr = nullptr;
  auto hit = c.free_blocks.find(size);
  if (hit != c.free_blocks.end()) {
    ptr = hit->second;
    c.free_blocks.erase(hit);
    c.cached_bytes -= static_cast<int64_t>(size);
  } else {
    cudaError_t status = cudaMalloc(&ptr, size);
    if (status == cudaErrorMemoryAllocation) {
      cudaGetLastError();
      free_cached_locked(c);  // give the cache back to the driver and try once more
      status = cudaMalloc(&ptr, size);
    }
    if (status != cudaSuccess) {
      cudaGetLastError();
      throw CudaError(fmt::format("cudaMalloc of {} bytes failed: {} ({} bytes live in flowjet tensors)", size,
                                  cudaGetErrorString(status), c.stats.live_bytes));
    }
  }
  c.stats.live_blocks += 1;
  c.stats.live_bytes += static_cast<int64_t>(bytes);
  if (c.stats.live_bytes > c.stats.peak_bytes) c.stats.peak_bytes = c.stats.live_bytes;
  return ptr;
}

// Called from Storage's destructor: never throws, only returns the block to the cache.
void device_release(void* ptr, std::size_t bytes) {
  if (!ptr) return;
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  const std::size_t size = rounded_size(bytes);
  c.free_blocks.emplace(size, ptr);
  c.cached_bytes += static_cast<int64_t>(size);
  c.stats.live_blocks -= 1;
  c.stats.live_bytes -= static_cast<int64_t>(bytes);
}

AllocatorStats device_stats() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  return c.stats;
}

// ---- copies ----

// Host<->device copies wait for the stream so the host buffer may be reused as soon as this returns.
void device_copy(void* dst, Device dst_device, const void* src, Device src_device, std::size_t bytes) {
  cudaStream_t s = require_device().stream;
  if (dst_device == Device::CUDA && src_device == Device::CUDA) {
    FLOWJET_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, s));
    return;
  }
  const cudaMemcpyKind kind = dst_device == Device::CUDA ? cudaMemcpyHostToDevice : cudaMemcpyDeviceToHost;
  FLOWJET_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, kind, s));
  FLOWJET_CUDA_CHECK(cudaStreamSynchronize(s));
}

// ---- hook installation ----

struct HookInstaller {
  HookInstaller() {
    auto& alloc = detail::cuda_allocator_hooks();
    alloc.allocate = device_allocate;
    alloc.release = device_release;
    alloc.stats = device_stats;
    detail::cuda_copy_hook() = device_copy;
    detail::cuda_fill_hook() = fill_cuda;
    auto& random = detail::cuda_random_hooks();
    random.uniform = random_uniform_cuda;
    random.normal = random_normal_cuda;
    random.keep_mask = random_keep_mask_cuda;
  }
};
const HookInstaller hook_installer;

}  // namespace

cudaStream_t stream() { return require_device().stream; }

}  // namespace cuda

bool cuda_available() { return cuda::device_state().ok; }

std::string cuda_unavailable_reason() { return cuda::device_state().reason; }

std::string cuda_device_description() {
  cuda::require_device();
  cudaDeviceProp prop{};
  FLOWJET_CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
  return fmt::format("{} (sm_{}{}, {:.0f} GiB)", prop.name, prop.major, prop.minor,
                     static_cast<double>(prop.totalGlobalMem) / (1024.0 * 1024.0 * 1024.0));
}

void cuda_synchronize() { FLOWJET_CUDA_CHECK(cudaStreamSynchronize(cuda::stream())); }

void cuda_release_cached_memory() {
  if (!cuda_available()) return;
  cuda::Cache& c = cuda::cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  cuda::free_cached_locked(c);
}

int64_t cuda_cached_bytes() {
  cuda::Cache& c = cuda::cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  return c.cached_bytes;
}

}  // namespace flowjet

// Referenced by the linker flag -u flowjet_cuda_runtime_anchor (Makefile, CUDA=1), so this object and its
// hook installer are linked into every program even when it calls no CUDA function by name.
extern "C" {
int flowjet_cuda_runtime_anchor = 0;
}

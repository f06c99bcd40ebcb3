// Tests of the CPU caching allocator: size classes, reuse of freed blocks, the statistics,
// releasing the cache, turning it off, and concurrent use.
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "engine/tensor/storage.h"

using namespace flowjet;

namespace {

// Turns the cache on for one test (the sanitizer build starts with it off) and restores the setting.
struct CacheOn {
  bool before = allocator_cache_enabled();
  CacheOn() { set_allocator_cache_enabled(true); }
  ~CacheOn() { set_allocator_cache_enabled(before); }
};

}  // namespace

TEST_CASE("allocator: size classes are 64-byte multiples and waste less than a quarter") {
  CHECK(detail::cpu_size_class(0) == 64);
  CHECK(detail::cpu_size_class(1) == 64);
  CHECK(detail::cpu_size_class(65) == 128);
  CHECK(detail::cpu_size_class(256) == 256);
  CHECK(detail::cpu_size_class(257) == 320);
  CHECK(detail::cpu_size_class(512) == 512);
  CHECK(detail::cpu_size_class(513) == 640);
  CHECK(detail::cpu_size_class(std::size_t(1) << 30) == std::size_t(1) << 30);
  CHECK(detail::cpu_size_class((std::size_t(1) << 30) + 1) == std::size_t(5) << 28);
  for (std::size_t bytes = 1; bytes < (std::size_t(1) << 26); bytes = bytes * 3 / 2 + 7) {
    const std::size_t size = detail::cpu_size_class(bytes);
    INFO("bytes " << bytes << " -> class " << size);
    CHECK(size >= bytes);
    CHECK(size % 64 == 0);
    if (bytes > 256) CHECK(static_cast<double>(size - bytes) < 0.25 * static_cast<double>(size));
  }
}

TEST_CASE("allocator: a freed block is reused by the next request of its size class") {
  CacheOn on;
  release_cached_memory(Device::CPU);
  const AllocatorStats start = allocator_stats(Device::CPU);
  void* first = nullptr;
  {
    Storage s(100000, Device::CPU);
    first = s.data();
    CHECK(reinterpret_cast<std::uintptr_t>(first) % 64 == 0);
    std::memset(s.data(), 1, s.bytes());
    const AllocatorStats live = allocator_stats(Device::CPU);
    CHECK(live.live_blocks == start.live_blocks + 1);
    CHECK(live.live_bytes == start.live_bytes + 100000);
  }
  const AllocatorStats freed = allocator_stats(Device::CPU);
  CHECK(freed.live_bytes == start.live_bytes);
  CHECK(freed.cached_blocks == 1);
  CHECK(freed.cached_bytes == static_cast<int64_t>(detail::cpu_size_class(100000)));
  {
    Storage again(99000, Device::CPU);  // same class (98304 < 99000 <= 114688)
    CHECK(again.data() == first);
    const AllocatorStats hit = allocator_stats(Device::CPU);
    CHECK(hit.cache_hits == freed.cache_hits + 1);
    CHECK(hit.cached_blocks == 0);
    CHECK(hit.allocations == start.allocations + 2);
    CHECK(hit.allocated_bytes == start.allocated_bytes + 100000 + 99000);
    CHECK(hit.live_bytes == start.live_bytes + 99000);  // requested bytes, not the class size
  }
  {
    Storage other(300000, Device::CPU);  // another class: a new block
    CHECK(allocator_stats(Device::CPU).cache_hits == freed.cache_hits + 1);
  }
}

TEST_CASE("allocator: large requests take the best-fitting larger block; a large miss gives back smaller ones") {
  CacheOn on;
  release_cached_memory(Device::CPU);
  constexpr std::size_t MiB = std::size_t(1) << 20;
  void* four = nullptr;
  { Storage s(4 * MiB, Device::CPU); four = s.data(); }
  { Storage big(3 * MiB, Device::CPU);  // a partial batch reuses a full batch's block
    CHECK(big.data() == four);
  }
  CHECK(allocator_stats(Device::CPU).cached_bytes == static_cast<int64_t>(4 * MiB));  // back under its own size
  void* small_block = nullptr;
  { Storage s(128 * 1024, Device::CPU); small_block = s.data(); }
  { Storage small(64 * 1024, Device::CPU);  // below 1 MiB only the exact class is reused
    CHECK(small.data() != small_block);
  }
  CHECK(allocator_stats(Device::CPU).cached_blocks == 3);
  { Storage huge(40 * MiB, Device::CPU);  // fits none (4 MiB is too small): a miss
    const AllocatorStats s = allocator_stats(Device::CPU);
    CHECK(s.cached_blocks == 0);  // the smaller blocks went back to the system
    CHECK(s.cached_bytes == 0);
  }
  release_cached_memory(Device::CPU);
}

TEST_CASE("allocator: release_cached_memory returns the cache; the peak counts requested bytes") {
  CacheOn on;
  { std::vector<std::unique_ptr<Storage>> blocks;
    for (int i = 0; i < 5; ++i) blocks.push_back(std::make_unique<Storage>(4096 * (i + 1), Device::CPU));
  }
  CHECK(allocator_stats(Device::CPU).cached_blocks >= 5);
  const int64_t system_before = allocator_stats(Device::CPU).system_bytes;
  release_cached_memory(Device::CPU);
  const AllocatorStats released = allocator_stats(Device::CPU);
  CHECK(released.cached_blocks == 0);
  CHECK(released.cached_bytes == 0);
  CHECK(released.system_bytes < system_before);

  reset_peak_bytes(Device::CPU);
  const int64_t base = allocator_stats(Device::CPU).live_bytes;
  CHECK(allocator_stats(Device::CPU).peak_bytes == base);
  { Storage a(1000, Device::CPU);
    Storage b(3000, Device::CPU);
  }
  { Storage c(500, Device::CPU); }
  CHECK(allocator_stats(Device::CPU).peak_bytes == base + 4000);
}

TEST_CASE("allocator: with the cache off, freed blocks go back to the system") {
  const bool before = allocator_cache_enabled();
  set_allocator_cache_enabled(false);
  const AllocatorStats start = allocator_stats(Device::CPU);
  CHECK(start.cached_blocks == 0);
  { Storage s(50000, Device::CPU); }
  const AllocatorStats after = allocator_stats(Device::CPU);
  CHECK(after.cached_blocks == 0);
  CHECK(after.cache_hits == start.cache_hits);
  CHECK(after.system_bytes == start.system_bytes);
  set_allocator_cache_enabled(before);
}

TEST_CASE("allocator: threads allocating and freeing at once keep the counts exact") {
  CacheOn on;
  const AllocatorStats start = allocator_stats(Device::CPU);
  constexpr int kThreads = 4, kRounds = 2000;
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([t, &bad] {
      for (int r = 0; r < kRounds; ++r) {
        Storage s(static_cast<std::size_t>(64 + 997 * ((r + t) % 50)), Device::CPU);
        auto* bytes = static_cast<unsigned char*>(s.data());
        std::memset(bytes, t + 1, s.bytes());  // another thread holding this block would change it
        if (bytes[0] != t + 1 || bytes[s.bytes() - 1] != t + 1) ++bad;
      }
    });
  for (std::thread& th : threads) th.join();
  const AllocatorStats end = allocator_stats(Device::CPU);
  CHECK(bad == 0);
  CHECK(end.live_blocks == start.live_blocks);
  CHECK(end.live_bytes == start.live_bytes);
  CHECK(end.allocations == start.allocations + kThreads * kRounds);
  CHECK(end.cache_hits > start.cache_hits);
}

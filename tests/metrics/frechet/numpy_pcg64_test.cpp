// numpy-compatible PCG64 against metric-definitions.md §13.4 (seeded states) and 13.9.2 (outputs).
#include <doctest/doctest.h>

#include "metrics/frechet/numpy_pcg64.h"

using namespace flowjet::metrics;

TEST_CASE("metrics/numpy_pcg64: seeded states of metric-definitions.md §13.4") {
  struct Row { uint64_t seed, s_high, s_low, c_high, c_low; };
  const Row rows[] = {
      {42, 0xcea44f6798798f2aULL, 0xacbc7c9d68860ac8ULL, 0xfa505436c9a8416eULL, 0x66caf2e28d25abffULL},
      {1042, 0x452e546bd25cc6a9ULL, 0xcfcba3598ee0c0a9ULL, 0x3a50a81b6d815c7cULL, 0x04ef9987b44302c1ULL},
      {2042, 0xd9dc29d1e5476092ULL, 0x5a8782333a348f02ULL, 0x937bca5edca9f138ULL, 0xaa1da5ef7691bbe1ULL},
      {3042, 0x14bd10aeebb97b5bULL, 0x875e474701c01eadULL, 0x05cd3d1319f3a61aULL, 0xd47896c07c5a2ac9ULL},
      {4042, 0xc3864a0e7ef2d1a4ULL, 0x6431c189530670e8ULL, 0x790a83823fae1928ULL, 0x8f3275305669c00dULL},
      {5042, 0xdd59dd92ca94a927ULL, 0x17a079d943e3bf92ULL, 0x3a971f84f57c4f1cULL, 0x482d0e5191661143ULL},
      {6042, 0xe27d8e9921c9b58aULL, 0x4acf30afae2f5ae7ULL, 0x29a5bf44842d3358ULL, 0x2ac4a5c130d23b81ULL},
      {7042, 0x995595719ca48f76ULL, 0xd4e5220b6c3154c6ULL, 0x4d6d2fc5803fcf30ULL, 0xebedb3c738113a07ULL},
      {8042, 0x032f2bedf6681c21ULL, 0x93791eed73d6c183ULL, 0x6feeddad58f27f17ULL, 0x8f5727e0b29cb475ULL},
      {9042, 0xd853251c8e0d0959ULL, 0xe6cb6d6fef7f92bcULL, 0x04c7843b14663148ULL, 0x5822aaec26eaac1bULL},
  };
  for (const auto& r : rows) {
    INFO("seed " << r.seed);
    NumpyPcg64 g(r.seed);
    CHECK(g.state_high() == r.s_high);
    CHECK(g.state_low() == r.s_low);
    CHECK(g.increment_high() == r.c_high);
    CHECK(g.increment_low() == r.c_low);
  }
}

TEST_CASE("metrics/numpy_pcg64: outputs and choice of metric-definitions.md §13.9.2") {
  NumpyPcg64 g(42);
  CHECK(g.next_uint64() == 0xc621fbcd16d92688ULL);
  CHECK(g.next_uint64() == 0x705a5661a791ffc1ULL);
  CHECK(g.next_uint64() == 0xdbcd12c26eda1624ULL);
  NumpyPcg64 h(42);
  CHECK(h.next_uint32() == 383329928u);
  CHECK(h.next_uint32() == 3324115917u);
  CHECK(h.next_uint32() == 2811363265u);
  CHECK(h.next_uint32() == 1884968545u);

  NumpyPcg64 a(42);
  CHECK(a.choice(10, 10) == std::vector<int64_t>{0, 7, 6, 4, 4, 8, 0, 6, 2, 0});
  CHECK(a.choice(7, 5) == std::vector<int64_t>{3, 6, 5, 5, 5});
  NumpyPcg64 b(42);
  CHECK(b.choice(50000, 8) == std::vector<int64_t>{4462, 38697, 32728, 21943, 21650, 42929, 4297, 34868});
  CHECK(b.choice(50000, 3) == std::vector<int64_t>{10073, 4708, 26323});
  NumpyPcg64 c(42);
  CHECK(c.choice(3, 12) == std::vector<int64_t>{0, 2, 1, 1, 1, 2, 0, 2, 0, 0, 1, 2});
  NumpyPcg64 d(1042);
  CHECK(d.choice(50000, 5) == std::vector<int64_t>{37671, 17870, 349, 18610, 6745});
  NumpyPcg64 e(7);
  CHECK(e.choice(1, 3) == std::vector<int64_t>{0, 0, 0});
}

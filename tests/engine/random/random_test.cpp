// Tests of the Philox generator: known-answer vectors, reproducibility, distributions.
#include <cmath>

#include <doctest/doctest.h>

#include "engine/backend/cpu/cpu_isa.h"
#include "engine/random/derive_seed.h"
#include "engine/random/generator.h"
#include "engine/random/philox.h"
#include "engine/random/sequential_rng.h"

using namespace flowjet;

TEST_CASE("random/philox: known-answer vectors of Philox-4x32-10") {
  // Reference values from the Random123 known-answer tests (kat_vectors, philox4x32 10 rounds).
  Philox4x32 zero = philox4x32_10(Philox4x32{{0, 0, 0, 0}}, 0, 0);
  CHECK(zero.v[0] == 0x6627e8d5u);
  CHECK(zero.v[1] == 0xe169c58du);
  CHECK(zero.v[2] == 0xbc57ac4cu);
  CHECK(zero.v[3] == 0x9b00dbd8u);
  Philox4x32 ones = philox4x32_10(Philox4x32{{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}}, 0xffffffffu, 0xffffffffu);
  CHECK(ones.v[0] == 0x408f276du);
  CHECK(ones.v[1] == 0x41c83b0eu);
  CHECK(ones.v[2] == 0xa20bc7c6u);
  CHECK(ones.v[3] == 0x6d5451fdu);
  Philox4x32 pi = philox4x32_10(Philox4x32{{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}}, 0xa4093822u, 0x299f31d0u);
  CHECK(pi.v[0] == 0xd16cfe09u);
  CHECK(pi.v[1] == 0x94fdccebu);
  CHECK(pi.v[2] == 0x5001e420u);
  CHECK(pi.v[3] == 0x24126ea1u);
}

TEST_CASE("random/generator: same (seed, offset) gives the same draws; the state advances") {
  Generator a(42), b(42);
  std::vector<double> x = random_uniform(Shape{1000}, a).to_vector();
  std::vector<double> y = random_uniform(Shape{1000}, b).to_vector();
  CHECK(x == y);
  CHECK(a.offset() == 250);
  std::vector<double> z = random_uniform(Shape{1000}, a).to_vector();
  CHECK(z != x);
  Generator c(42, 250);
  CHECK(random_uniform(Shape{1000}, c).to_vector() == z);
}

TEST_CASE("random/generator: uniform and normal moments") {
  Generator gen(3);
  for (DType dtype : {DType::F32, DType::F64}) {
    std::vector<double> u = random_uniform(Shape{200000}, gen, dtype).to_vector();
    std::vector<double> g = random_normal(Shape{200001}, gen, dtype).to_vector();
    double mu = 0, mg = 0, vg = 0, umin = 1, umax = 0;
    for (double v : u) { mu += v; umin = std::fmin(umin, v); umax = std::fmax(umax, v); }
    for (double v : g) { mg += v; vg += v * v; }
    mu /= double(u.size()); mg /= double(g.size()); vg = vg / double(g.size()) - mg * mg;
    CHECK(mu == doctest::Approx(0.5).epsilon(0.01));
    CHECK(umin > 0.0);
    CHECK(umax < 1.0);
    CHECK(std::fabs(mg) < 0.01);
    CHECK(vg == doctest::Approx(1.0).epsilon(0.01));
  }
}

TEST_CASE("random/generator: keep mask has the right rate and scale") {
  Generator gen(5);
  std::vector<double> m = random_keep_mask(Shape{100000}, 0.25, gen).to_vector();
  double kept = 0;
  int bad = 0;
  for (double v : m) {
    bad += !(v == 0.0 || std::fabs(v - 1.0 / 0.75) < 1e-6);
    kept += v != 0.0;
  }
  CHECK(bad == 0);
  CHECK(kept / double(m.size()) == doctest::Approx(0.75).epsilon(0.01));
  CHECK_THROWS_AS(random_keep_mask(Shape{3}, 1.0, gen), ShapeError);
}

TEST_CASE("random/generator: the block-wise fills equal the per-element definition of the stream") {
  // The fills compute each Philox block once for several outputs; every value must still be the one
  // the per-element formula gives (f32 element i <- word i; f64 element i <- words 2i, 2i+1), which is
  // what the CUDA kernels compute. Sizes around the 32-word groups, a 64-bit seed, and an offset whose
  // blocks carry into the counter's second word.
  // Each ISA's Philox (AVX2: eight blocks at a time; AVX-512: sixteen) where this CPU has it.
  const uint64_t seeds[] = {0, 7, 0x0123456789abcdefull};
  const uint64_t offsets[] = {0, 5, 0xfffffffeull};
  const int64_t sizes[] = {1, 31, 32, 33, 63, 64, 65, 1000, 40001};
  const GemmIsa before = gemm_isa();
  for (GemmIsa isa : {GemmIsa::avx2, GemmIsa::avx512}) {
    if (!gemm_isa_supported(isa)) {
      MESSAGE("skipped on this CPU: ISA " << gemm_isa_name(isa));
      continue;
    }
    set_gemm_isa(isa);
    INFO("ISA " << std::string(gemm_isa_name(isa)));
    for (uint64_t seed : seeds)
      for (uint64_t offset : offsets)
        for (int64_t n : sizes)
          for (DType dtype : {DType::F32, DType::F64}) {
            CAPTURE(seed);
            CAPTURE(offset);
            CAPTURE(n);
            Generator uniform_gen(seed, offset), mask_gen(seed, offset);
            std::vector<double> u = random_uniform(Shape{n}, uniform_gen, dtype).to_vector();
            std::vector<double> m = random_keep_mask(Shape{n}, 0.3, mask_gen, dtype).to_vector();
            CHECK(uniform_gen.offset() == mask_gen.offset());
            // Both reserve the words of an even element count (draw()), in blocks of four words.
            const uint64_t words = static_cast<uint64_t>(n + (n & 1)) * (dtype == DType::F32 ? 1 : 2);
            CHECK(mask_gen.offset() == offset + (words + 3) / 4);
            int mismatches = 0;
            for (int64_t i = 0; i < n; ++i) {
              const auto w = static_cast<uint64_t>(i);
              double want = 0, keep = 0;
              if (dtype == DType::F32) {
                const float v = philox_uniform_float(philox_word(seed, offset, w));
                want = v;
                keep = v >= 0.3f ? static_cast<float>(1.0 / 0.7) : 0.0f;
              } else {
                want = philox_uniform_double(philox_word(seed, offset, 2 * w), philox_word(seed, offset, 2 * w + 1));
                keep = want >= 0.3 ? 1.0 / 0.7 : 0.0;
              }
              mismatches += u[static_cast<std::size_t>(i)] != want || m[static_cast<std::size_t>(i)] != keep;
            }
            CHECK(mismatches == 0);
          }
  }
  set_gemm_isa(before);
}

TEST_CASE("random/generator: permutation is a permutation and reproducible") {
  Generator a(9), b(9);
  std::vector<int64_t> p = random_permutation(1000, a);
  CHECK(p == random_permutation(1000, b));
  std::vector<int> seen(1000, 0);
  for (int64_t i : p) seen[static_cast<std::size_t>(i)]++;
  for (int s : seen) CHECK(s == 1);
}

TEST_CASE("random/derive_seed: SplitMix64 values pin every derived stream") {
  CHECK(derive_seed(0, 0) == 16294208416658607535ull);  // SplitMix64's first output for state 0
  CHECK(derive_seed(42, 1) == 2949826092126892291ull);
  CHECK(derive_seed(42, 1000) == 6153847732809348270ull);
  CHECK(derive_seed(42, 2) != derive_seed(43, 2));
}

TEST_CASE("random/sequential_rng: draws of a derived stream are fixed (splits, noise and shuffles depend on them)") {
  // Values of the data layer's generator as the committed results were drawn with it.
  SequentialRng rng(derive_seed(42, 1));
  CHECK(rng.next_u64() == 11572511668999661906ull);
  CHECK(rng.uniform() == 0.83232649654089619);
  CHECK(rng.uniform_index(10) == 4);
  CHECK(rng.normal() == 0.55506799411379182);
  std::vector<int64_t> values{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  rng.shuffle(values);
  CHECK(values == std::vector<int64_t>{0, 8, 5, 6, 4, 9, 2, 1, 3, 7});
  SequentialRng a(7), b(7);
  for (int i = 0; i < 100; ++i) CHECK(a.uniform_index(1000003) == b.uniform_index(1000003));
}

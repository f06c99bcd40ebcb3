// Tests of gemm_cpu: every transpose combination and many odd sizes against a naive triple loop
// in long double, alpha/beta semantics (beta == 0 ignores NaNs in C), strided operands, and
// bitwise identical results on 1 and 2 threads; each on every micro-kernel ISA this CPU has.
// Also gemm_bias_cpu against bias-filled C + gemm_cpu, and the FLOWJET_ISA parsing.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "engine/backend/cpu/gemm.h"
#include "engine/backend/cpu/thread_pool.h"
#include "engine/core/error.h"
#include "engine/ops/linear/linear_cpu.h"

using namespace flowjet;

namespace {

struct GemmCase {
  bool trans_a, trans_b;
  int64_t M, N, K;
  double alpha, beta;
  int64_t pad;  // extra elements at the end of every stored row of A, B and C
};

std::string describe(const GemmCase& g) {
  return std::string(g.trans_a ? "A^T " : "A ") + (g.trans_b ? "B^T " : "B ") + "M=" + std::to_string(g.M) +
         " N=" + std::to_string(g.N) + " K=" + std::to_string(g.K) + " alpha=" + std::to_string(g.alpha) +
         " beta=" + std::to_string(g.beta) + " pad=" + std::to_string(g.pad);
}

// Random operands laid out as gemm_cpu reads them; C holds NaNs when beta == 0 (they must be
// ignored) and its row padding holds a sentinel.
template <class T>
struct Operands {
  int64_t lda, ldb, ldc;
  std::vector<T> a, b, c;
  Operands(const GemmCase& g, std::mt19937& rng) {
    std::uniform_real_distribution<double> uniform(-1.0, 1.0);
    lda = (g.trans_a ? g.M : g.K) + g.pad;
    ldb = (g.trans_b ? g.K : g.N) + g.pad;
    ldc = g.N + g.pad;
    a.resize((g.trans_a ? g.K : g.M) * lda);
    b.resize((g.trans_b ? g.N : g.K) * ldb);
    c.assign(g.M * ldc, T(-77));
    for (T& v : a) v = T(uniform(rng));
    for (T& v : b) v = T(uniform(rng));
    for (int64_t i = 0; i < g.M; ++i)
      for (int64_t j = 0; j < g.N; ++j) c[i * ldc + j] = g.beta == 0 ? std::numeric_limits<T>::quiet_NaN() : T(uniform(rng));
  }
  void run(const GemmCase& g, std::vector<T>& out) const {
    out = c;
    gemm_cpu<T>(g.trans_a, g.trans_b, g.M, g.N, g.K, T(g.alpha), a.data(), lda, b.data(), ldb, T(g.beta), out.data(),
                ldc);
  }
};

// Compares gemm_cpu with a long double triple loop. Bound: each of the K products and sums, the
// alpha scaling and the beta update round once, so |error| <= (K + 2) * eps/2 * scale with
// scale = |alpha| sum_k |a_ik b_kj| + |beta c_ij|; we allow (K + 2) * eps * scale (twice that).
template <class T>
void check_against_reference(const GemmCase& g, std::mt19937& rng) {
  Operands<T> ops(g, rng);
  std::vector<T> got;
  ops.run(g, got);
  const long double eps = std::numeric_limits<T>::epsilon();
  int64_t failures = 0;
  for (int64_t i = 0; i < g.M && failures < 3; ++i) {
    for (int64_t j = 0; j < g.N && failures < 3; ++j) {
      long double sum = 0, scale = 0;
      for (int64_t k = 0; k < g.K; ++k) {
        long double x = g.trans_a ? ops.a[k * ops.lda + i] : ops.a[i * ops.lda + k];
        long double y = g.trans_b ? ops.b[j * ops.ldb + k] : ops.b[k * ops.ldb + j];
        sum += x * y;
        scale += std::fabs(x * y);
      }
      long double ref = g.alpha * sum, c0 = ops.c[i * ops.ldc + j];
      scale = std::fabs(g.alpha) * scale;
      if (g.beta != 0) {
        ref += g.beta * c0;
        scale += std::fabs(g.beta * c0);
      }
      const long double v = got[i * ops.ldc + j], tol = (g.K + 2) * eps * scale + std::numeric_limits<T>::min();
      if (!(std::fabs(v - ref) <= tol)) {
        ++failures;
        FAIL_CHECK(describe(g) << ": C[" << i << "][" << j << "] = " << double(v) << ", reference " << double(ref)
                               << ", tolerance " << double(tol));
      }
    }
  }
  // The row padding of C is never written.
  for (int64_t i = 0; i < g.M; ++i)
    for (int64_t j = g.N; j < ops.ldc; ++j) REQUIRE_MESSAGE(got[i * ops.ldc + j] == T(-77), describe(g));
}

template <class T>
void check_sizes(const std::vector<int64_t>& sizes, std::mt19937& rng) {
  const double alphas[] = {1.0, -1.5, 0.3}, betas[] = {0.0, 1.0, -0.7};
  int64_t n = 0;
  for (int t = 0; t < 4; ++t)
    for (int64_t M : sizes)
      for (int64_t N : sizes)
        for (int64_t K : sizes) {
          GemmCase g{(t & 1) != 0, (t & 2) != 0, M, N, K, alphas[n % 3], betas[(n / 3) % 3], n % 3};
          check_against_reference<T>(g, rng);
          ++n;
        }
}

// The layer shapes of the model at a small odd batch, including K and M beyond one cache block.
std::vector<GemmCase> model_cases() {
  const int64_t batch = 257;
  return {{false, true, batch, 128, 47, 1, 1, 0},     {false, true, batch, 1035, 128, 1, 1, 0},
          {false, false, batch, 47, 128, 1, 1, 0},    {false, false, batch, 128, 1035, 1, 1, 0},
          {true, false, 128, 47, batch, 1, 1, 0},     {true, false, 1035, 128, batch, 1, 0, 0},
          {false, false, 7, 450, 5000, 1, 0, 0},      {true, true, 150, 70, 600, -2, 0.5, 3},
          {false, true, 2, 3, 300000, 1, 0.5, 0},     {true, false, 3, 17, 140000, 1, 0, 1}};  // K in slices
}

// Deep products (K the batch, as in a weight gradient), every transpose combination. A transposed
// A runs K blocks outermost with B packed one K block at a time (gemm.cpp, compute_streamed):
// C split over rows or over columns, more rows than one packed A panel (1024) and more columns
// than one packed B panel (512) even on each of 2 threads, K not a multiple of the K block, edge
// tiles, beta = 0 on a NaN C.
std::vector<GemmCase> large_k_cases() {
  return {{true, false, 37, 45, 10000, 1, 1, 0},   {true, true, 20, 70, 10007, -1.5, 0, 1},
          {false, false, 45, 37, 10000, 1, 1, 1},  {false, true, 33, 17, 10003, 0.5, -0.7, 0},
          {true, false, 2100, 5, 1500, 1, 1, 0},   {true, true, 3, 1100, 2000, 1, 0, 2}};
}

// Runs body once per ISA this CPU supports (set_gemm_isa), naming the ISA in failure messages;
// the others are reported as skipped. Restores the ISA in use before.
template <class Body>
void for_each_isa(Body body) {
  const GemmIsa before = gemm_isa();
  for (GemmIsa isa : {GemmIsa::generic, GemmIsa::avx2, GemmIsa::avx512}) {
    if (!gemm_isa_supported(isa)) {
      MESSAGE("skipped on this CPU: ISA " << gemm_isa_name(isa));
      continue;
    }
    set_gemm_isa(isa);
    INFO("ISA " << gemm_isa_name(isa));
    body();
  }
  set_gemm_isa(before);
}

}  // namespace

TEST_CASE("gemm: sizes 1..70, all transposes, alpha/beta, padded rows, f32 and f64") {
  for_each_isa([&] {
    std::mt19937 rng(1);
    // Around the tile edges of every kernel (4 x 8, 6 x 16, 16 x 16; f64: 4 x 8, 6 x 8, 16 x 8).
    const std::vector<int64_t> sizes = {1, 2, 5, 6, 7, 13, 14, 16, 17, 31, 33, 70};
    check_sizes<float>(sizes, rng);
    check_sizes<double>(sizes, rng);
    // Random triples in 1..70 on top of the grid above.
    std::uniform_int_distribution<int64_t> size(1, 70);
    for (int n = 0; n < 200; ++n) {
      GemmCase g{n % 2 == 0, n % 4 < 2, size(rng), size(rng), size(rng), 0.75, n % 3 == 0 ? 0.0 : 1.25, n % 2};
      check_against_reference<float>(g, rng);
      check_against_reference<double>(g, rng);
    }
  });
}

TEST_CASE("gemm: model layer shapes and multi-block sizes, f32 and f64") {
  for_each_isa([&] {
    std::mt19937 rng(2);
    for (const GemmCase& g : model_cases()) {
      check_against_reference<float>(g, rng);
      check_against_reference<double>(g, rng);
    }
  });
}

TEST_CASE("gemm: large K, all transposes, f32 and f64") {
  for_each_isa([&] {
    std::mt19937 rng(7);
    for (const GemmCase& g : large_k_cases()) {
      check_against_reference<float>(g, rng);
      check_against_reference<double>(g, rng);
    }
  });
}

TEST_CASE("gemm: beta = 0 overwrites a NaN-filled C; K = 0 and alpha = 0 only scale C") {
  for_each_isa([&] {
    std::mt19937 rng(3);
    // check_against_reference fills C with NaN whenever beta == 0.
    for (bool ta : {false, true})
      for (bool tb : {false, true}) {
        check_against_reference<float>({ta, tb, 9, 20, 11, 1, 0, 0}, rng);
        check_against_reference<double>({ta, tb, 9, 20, 11, 1, 0, 0}, rng);
      }
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::vector<float> a(6, 1.f), b(6, 1.f), c(4, nan);
    gemm_cpu<float>(false, false, 2, 2, 0, 1.f, a.data(), 1, b.data(), 2, 0.f, c.data(), 2);
    CHECK(c == std::vector<float>{0, 0, 0, 0});
    c.assign(4, nan);
    gemm_cpu<float>(false, false, 2, 2, 3, 0.f, a.data(), 3, b.data(), 2, 0.f, c.data(), 2);
    CHECK(c == std::vector<float>{0, 0, 0, 0});
    c = {1, 2, 3, 4};
    gemm_cpu<float>(false, false, 2, 2, 3, 0.f, a.data(), 3, b.data(), 2, 2.f, c.data(), 2);
    CHECK(c == std::vector<float>{2, 4, 6, 8});
    // Empty M or N: C is not touched.
    gemm_cpu<float>(false, false, 0, 2, 3, 1.f, a.data(), 3, b.data(), 2, 0.f, c.data(), 2);
    gemm_cpu<float>(false, false, 2, 0, 3, 1.f, a.data(), 3, b.data(), 2, 0.f, c.data(), 2);
    CHECK(c == std::vector<float>{2, 4, 6, 8});
    // A 1x1x1 product by hand: 2 * (3 * 4) + 0.5 * 10 = 29.
    double x = 3, y = 4, z = 10;
    gemm_cpu<double>(true, true, 1, 1, 1, 2.0, &x, 1, &y, 1, 0.5, &z, 1);
    CHECK(z == 29);
  });
}

// Each element is summed in an order fixed by K alone, so the split among threads cannot change
// a single bit.
TEST_CASE("gemm: 1 and 2 threads give bitwise identical results") {
  for_each_isa([&] {
    std::mt19937 rng(4);
    const int threads_before = num_threads();
    std::vector<GemmCase> cases = model_cases();
    for (const GemmCase& g : large_k_cases()) cases.push_back(g);
    cases.push_back({false, false, 1, 3000, 200, 1, 1, 0});  // one row: split over columns
    cases.push_back({false, true, 600, 600, 300, 1, 0, 0});
    for (const GemmCase& g : cases) {
      Operands<float> f(g, rng);
      Operands<double> d(g, rng);
      std::vector<float> f1, f2;
      std::vector<double> d1, d2;
      set_num_threads(1);
      f.run(g, f1);
      d.run(g, d1);
      set_num_threads(2);
      f.run(g, f2);
      d.run(g, d2);
      CHECK_MESSAGE(std::memcmp(f1.data(), f2.data(), f1.size() * sizeof(float)) == 0, describe(g));
      CHECK_MESSAGE(std::memcmp(d1.data(), d2.data(), d1.size() * sizeof(double)) == 0, describe(g));
    }
    set_num_threads(threads_before);
  });
}

// Row-major and transposed A run different loop nests (gemm.cpp) but sum each element in the same
// order, so storing A either way gives the same bits.
template <class T>
void check_layouts_agree(const GemmCase& g, std::mt19937& rng) {
  Operands<T> ops(g, rng);  // A row-major (g.trans_a is false)
  std::vector<T> a_t(g.K * g.M), row_major, transposed = ops.c;
  for (int64_t i = 0; i < g.M; ++i)
    for (int64_t k = 0; k < g.K; ++k) a_t[k * g.M + i] = ops.a[i * ops.lda + k];
  ops.run(g, row_major);
  gemm_cpu<T>(true, g.trans_b, g.M, g.N, g.K, T(g.alpha), a_t.data(), g.M, ops.b.data(), ops.ldb, T(g.beta),
              transposed.data(), ops.ldc);
  CHECK_MESSAGE(std::memcmp(row_major.data(), transposed.data(), row_major.size() * sizeof(T)) == 0, describe(g));
}

TEST_CASE("gemm: A stored transposed gives the same bits as A stored row-major") {
  for_each_isa([&] {
    std::mt19937 rng(8);
    for (const GemmCase& g : std::vector<GemmCase>{{false, false, 221, 47, 3001, 1, 1, 0},
                                                   {false, true, 37, 1100, 700, 0.5, 0, 1},
                                                   {false, false, 1100, 20, 600, -1, 1, 2}}) {
      check_layouts_agree<float>(g, rng);
      check_layouts_agree<double>(g, rng);
    }
  });
}

// linear's bias gradient is a blocked sum split over threads: it must agree bit for bit on 1 and 2
// threads, and match a plain serial loop to rounding (sum of 3001 terms of size <= 1: 1e-3 is
// about 30x the worst float error).
TEST_CASE("gemm: linear kernels with bias give bitwise identical results on 1 and 2 threads") {
  for_each_isa([&] {
    const int threads_before = num_threads();
    const int64_t batch = 3001, in = 47, out = 130;
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> uniform(-1.f, 1.f);
    std::vector<float> x(batch * in), w(out * in), bias(out), grad_y(batch * out);
    for (auto* v : {&x, &w, &bias, &grad_y})
      for (float& e : *v) e = uniform(rng);
    std::vector<float> serial_grad_bias(out, 0.5f);
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t o = 0; o < out; ++o) serial_grad_bias[o] += grad_y[b * out + o];
    std::vector<std::vector<float>> results;
    for (int threads : {1, 2}) {
      set_num_threads(threads);
      std::vector<float> y(batch * out), grad_x(batch * in, 0.f), grad_w(out * in, 0.f), grad_b(out, 0.5f);
      linear_forward_cpu<float>(x.data(), w.data(), bias.data(), y.data(), batch, in, out);
      linear_backward_cpu<float>(x.data(), w.data(), grad_y.data(), grad_x.data(), grad_w.data(), grad_b.data(), batch,
                                 in, out);
      for (int64_t o = 0; o < out; ++o) CHECK(std::fabs(grad_b[o] - serial_grad_bias[o]) <= 1e-3f);
      for (auto* v : {&y, &grad_x, &grad_w, &grad_b}) results.push_back(*v);
    }
    set_num_threads(threads_before);
    for (int i = 0; i < 4; ++i) CHECK(results[i] == results[i + 4]);
  });
}

// The bias epilogue must give exactly what linear computes without it: C filled with the bias
// rows, then gemm_cpu with alpha = beta = 1. C starts as NaN: gemm_bias_cpu must never read it.
template <class T>
void check_bias_epilogue(const GemmCase& g, std::mt19937& rng) {
  GemmCase with_c = g;
  with_c.beta = 1;
  Operands<T> ops(with_c, rng);
  std::vector<T> bias(g.N);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  for (T& v : bias) v = T(uniform(rng));
  std::vector<T> expected(ops.c.size(), T(-77)), got(ops.c.size(), T(-77));
  for (int64_t i = 0; i < g.M; ++i)
    for (int64_t j = 0; j < g.N; ++j) {
      expected[i * ops.ldc + j] = bias[j];
      got[i * ops.ldc + j] = std::numeric_limits<T>::quiet_NaN();
    }
  gemm_cpu<T>(g.trans_a, g.trans_b, g.M, g.N, g.K, T(1), ops.a.data(), ops.lda, ops.b.data(), ops.ldb, T(1),
              expected.data(), ops.ldc);
  gemm_bias_cpu<T>(g.trans_a, g.trans_b, g.M, g.N, g.K, ops.a.data(), ops.lda, ops.b.data(), ops.ldb, bias.data(),
                   got.data(), ops.ldc);
  CHECK_MESSAGE(std::memcmp(expected.data(), got.data(), got.size() * sizeof(T)) == 0, describe(g));
}

TEST_CASE("gemm: gemm_bias_cpu equals bias-filled C plus gemm_cpu bit for bit") {
  for_each_isa([&] {
    std::mt19937 rng(6);
    std::vector<GemmCase> cases = model_cases();
    for (int64_t K : {0, 1, 3, 300})  // K = 0: C is the bias rows
      for (int t = 0; t < 4; ++t) cases.push_back({(t & 1) != 0, (t & 2) != 0, 37, 45, K, 1, 1, t % 2});
    for (const GemmCase& g : cases) {
      check_bias_epilogue<float>(g, rng);
      check_bias_epilogue<double>(g, rng);
    }
  });
}

TEST_CASE("gemm: FLOWJET_ISA values") {
  CHECK(parse_gemm_isa("generic") == GemmIsa::generic);
  for (GemmIsa isa : {GemmIsa::avx2, GemmIsa::avx512}) {
    if (gemm_isa_supported(isa))
      CHECK(parse_gemm_isa(gemm_isa_name(isa)) == isa);
    else
      CHECK_THROWS_AS(parse_gemm_isa(gemm_isa_name(isa)), ConfigError);
  }
  for (const char* bad : {"sse2", "AVX2", ""}) {
    try {
      parse_gemm_isa(bad);
      FAIL("no error for FLOWJET_ISA=" << bad);
    } catch (const ConfigError& e) {
      CHECK(std::string(e.what()).find(std::string("FLOWJET_ISA=") + bad + ":") == 0);
    }
  }
}

// bench_gemm: GFLOP/s of the engine's f32 GEMM on the model's layer shapes (forward, grad_x,
// grad_W at batch 1024 and 10,000) and a square 2048^3 product, on 1 and 2 threads, next to
// OpenBLAS on the same shapes and threads when built with FLOWJET_BENCH_OPENBLAS.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "engine/backend/cpu/gemm.h"
#include "engine/backend/cpu/thread_pool.h"
#include "tests/bench/timing.h"

#ifdef FLOWJET_BENCH_OPENBLAS
#include <cblas.h>
extern "C" void openblas_set_num_threads(int num_threads);
extern "C" char* openblas_get_config(void);
#endif

namespace {

struct Shape {
  std::string label;
  bool trans_a, trans_b;
  int64_t M, N, K;
};

// Linear layer y = x W^T with x [batch, in], W [out, in]: the three products of one training
// step, called with the same transposes as engine/ops/linear/linear_cpu.cpp.
void add_layer(std::vector<Shape>& shapes, int64_t batch, int64_t in, int64_t out) {
  auto dims = [](int64_t a, int64_t b, int64_t c) {
    return "(" + std::to_string(a) + "x" + std::to_string(b) + ").(" + std::to_string(b) + "x" + std::to_string(c) + ")";
  };
  shapes.push_back({"y      " + dims(batch, in, out), false, true, batch, out, in});
  shapes.push_back({"grad_x " + dims(batch, out, in), false, false, batch, in, out});
  shapes.push_back({"grad_W " + dims(out, batch, in), true, false, out, in, batch});
}

}  // namespace

int main() {
  std::vector<Shape> shapes;
  for (int64_t batch : {1024, 10000})
    for (auto [in, out] : {std::pair<int64_t, int64_t>{47, 128}, {128, 128}, {128, 1035}}) add_layer(shapes, batch, in, out);
  shapes.push_back({"square (2048x2048).(2048x2048)", false, false, 2048, 2048, 2048});

  std::printf("f32 GEMM, GFLOP/s = 2*M*N*K / time of one call: median (and best) of 3..15 timed calls after a\n"
              "warm-up call; y: B transposed, grad_W: A transposed. Load average at start: %s\n",
              flowjet::bench::load_average().c_str());
#ifdef FLOWJET_BENCH_OPENBLAS
  std::printf("OpenBLAS: %s\n", openblas_get_config());
  std::printf("%-32s %3s %8s %8s %6s | %8s %8s %6s\n", "product", "thr", "engine", "OpenBLAS", "ratio", "best:eng",
              "OpenBLAS", "ratio");
#else
  std::printf("built without OpenBLAS: engine only\n");
  std::printf("%-32s %3s %8s | %8s\n", "product", "thr", "engine", "best:eng");
#endif
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> uniform(-1.f, 1.f);
  for (const Shape& s : shapes) {
    std::vector<float> a(s.M * s.K), b(s.K * s.N), c(s.M * s.N, 0.f);
    for (float& v : a) v = uniform(rng);
    for (float& v : b) v = uniform(rng);
    const int64_t lda = s.trans_a ? s.M : s.K, ldb = s.trans_b ? s.K : s.N;
    const double flops = 2.0 * s.M * s.N * s.K;
    for (int threads : {1, 2}) {
      // About 0.2 s of timed calls per measurement at 50 GFLOP/s, between 3 and 15 calls.
      const int reps = static_cast<int>(std::clamp(0.2 * 50e9 / threads / flops, 3.0, 15.0));
      flowjet::set_num_threads(threads);
      // beta = 1: the layer's products add into existing outputs and gradients.
      const flowjet::bench::Timing engine = flowjet::bench::time_calls(reps, [&] {
        flowjet::gemm_cpu<float>(s.trans_a, s.trans_b, s.M, s.N, s.K, 1.f, a.data(), lda, b.data(), ldb, 1.f, c.data(),
                                 s.N);
      });
#ifdef FLOWJET_BENCH_OPENBLAS
      openblas_set_num_threads(threads);
      const flowjet::bench::Timing blas = flowjet::bench::time_calls(reps, [&] {
        cblas_sgemm(CblasRowMajor, s.trans_a ? CblasTrans : CblasNoTrans, s.trans_b ? CblasTrans : CblasNoTrans,
                    s.M, s.N, s.K, 1.f, a.data(), lda, b.data(), ldb, 1.f, c.data(), s.N);
      });
      std::printf("%-32s %3d %8.1f %8.1f %6.2f | %8.1f %8.1f %6.2f\n", s.label.c_str(), threads,
                  flops / engine.median / 1e9, flops / blas.median / 1e9, blas.median / engine.median,
                  flops / engine.best / 1e9, flops / blas.best / 1e9, blas.best / engine.best);
      // OpenBLAS's idle workers spin for a while after a call; let them sleep before the next
      // engine measurement so they do not take its cores.
      if (threads > 1) std::this_thread::sleep_for(std::chrono::milliseconds(200));
#else
      std::printf("%-32s %3d %8.1f | %8.1f\n", s.label.c_str(), threads, flops / engine.median / 1e9,
                  flops / engine.best / 1e9);
#endif
      std::fflush(stdout);
    }
  }
  std::printf("Load average at end: %s\n", flowjet::bench::load_average().c_str());
  return 0;
}

// bench_gemm: GFLOP/s of the engine's f32 GEMM on the layer shapes of the two model configs
// (light_cnf_mn and the talk model, batch 10,000: forward, grad_x and grad_W of the input,
// hidden and output layers) and a square 2048^3 product, on 1 and 2 threads, with each
// micro-kernel ISA this CPU supports, next to OpenBLAS when built with FLOWJET_BENCH_OPENBLAS.
// `bench_gemm --cpu-time`: 1 thread only, each call timed by the CPU time of the calling thread.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
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
extern "C" char* openblas_get_corename(void);
#endif

namespace {

struct Shape {
  std::string label;
  bool trans_a, trans_b;
  int64_t M, N, K;
};

// Linear layer y = x W^T with x [batch, in], W [out, in]: the three products of one training
// step, called with the same transposes as engine/ops/linear/linear_cpu.cpp.
void add_layer(std::vector<Shape>& shapes, const std::string& model, int64_t batch, int64_t in, int64_t out) {
  auto dims = [](int64_t a, int64_t b, int64_t c) {
    return "(" + std::to_string(a) + "x" + std::to_string(b) + ").(" + std::to_string(b) + "x" + std::to_string(c) + ")";
  };
  shapes.push_back({model + " y      " + dims(batch, in, out), false, true, batch, out, in});
  shapes.push_back({model + " grad_x " + dims(batch, out, in), false, false, batch, in, out});
  shapes.push_back({model + " grad_W " + dims(out, batch, in), true, false, out, in, batch});
}

// A model's residual MLP at batch 10,000: input layer (45 features + 2 conditions), one hidden
// block layer, output layer (the spline parameters).
void add_model(std::vector<Shape>& shapes, const std::string& model, int64_t hidden, int64_t out) {
  const int64_t batch = 10000, in = 47;
  add_layer(shapes, model, batch, in, hidden);
  add_layer(shapes, model, batch, hidden, hidden);
  add_layer(shapes, model, batch, hidden, out);
}

}  // namespace

int main(int argc, char** argv) {
  using flowjet::GemmIsa;
  const bool cpu_time = argc > 1 && std::strcmp(argv[1], "--cpu-time") == 0;
  // With --cpu-time each call is timed by the calling thread's CPU time (engine and OpenBLAS both
  // compute in the caller on 1 thread).
  const auto clock = cpu_time ? flowjet::bench::thread_cpu_seconds : flowjet::bench::wall_seconds;
  const auto time_calls = [clock](int reps, const std::function<void()>& call) {
    return flowjet::bench::time_calls(reps, call, clock);
  };
  const std::vector<int> thread_counts = cpu_time ? std::vector<int>{1} : std::vector<int>{1, 2};
  std::vector<Shape> shapes;
  add_model(shapes, "light", 221, 45 * (3 * 4 - 1));  // light_cnf_mn: H 221, 4 spline bins
  add_model(shapes, "talk ", 256, 45 * (3 * 5 - 1));  // talk model: H 256, 5 spline bins
  shapes.push_back({"square (2048x2048).(2048x2048)", false, false, 2048, 2048, 2048});
  std::vector<GemmIsa> isas;
  for (GemmIsa isa : {GemmIsa::avx512, GemmIsa::avx2})
    if (flowjet::gemm_isa_supported(isa)) isas.push_back(isa);
  const GemmIsa default_isa = flowjet::gemm_isa();

  std::printf("CPU: %s; engine ISA in use: %s\n", flowjet::bench::cpu_model().c_str(), flowjet::gemm_isa_name());
  std::printf("f32 GEMM, GFLOP/s = 2*M*N*K / %s of the fastest of 3..15 timed calls after a warm-up call\n"
              "(the median is in parentheses); beta = 1; y: B transposed, grad_W: A transposed.\n"
              "Load average at start: %s\n",
              cpu_time ? "CPU time of the calling thread" : "wall time", flowjet::bench::load_average().c_str());
#ifdef FLOWJET_BENCH_OPENBLAS
  std::printf("OpenBLAS: %s (kernel: %s)\n", openblas_get_config(), openblas_get_corename());
#else
  std::printf("built without OpenBLAS: engine only\n");
#endif
  std::printf("%-38s %3s", "product", "thr");
  for (GemmIsa isa : isas) std::printf(" %15s", flowjet::gemm_isa_name(isa));
#ifdef FLOWJET_BENCH_OPENBLAS
  std::printf(" %15s", "OpenBLAS");
  for (GemmIsa isa : isas) std::printf(" %7s", (std::string(flowjet::gemm_isa_name(isa)) + "/B").c_str());
#endif
  std::printf("\n");

  std::mt19937 rng(7);
  std::uniform_real_distribution<float> uniform(-1.f, 1.f);
  for (const Shape& s : shapes) {
    std::vector<float> a(s.M * s.K), b(s.K * s.N), c(s.M * s.N, 0.f);
    for (float& v : a) v = uniform(rng);
    for (float& v : b) v = uniform(rng);
    const int64_t lda = s.trans_a ? s.M : s.K, ldb = s.trans_b ? s.K : s.N;
    const double flops = 2.0 * s.M * s.N * s.K;
    for (int threads : thread_counts) {
      // About 0.1 s of timed calls per measurement at 100 GFLOP/s, between 3 and 15 calls.
      const int reps = static_cast<int>(std::clamp(0.1 * 100e9 / threads / flops, 3.0, 15.0));
      flowjet::set_num_threads(threads);
      std::printf("%-38s %3d", s.label.c_str(), threads);
      std::vector<double> engine_best;
      for (GemmIsa isa : isas) {
        flowjet::set_gemm_isa(isa);
        const flowjet::bench::Timing t = time_calls(reps, [&] {
          flowjet::gemm_cpu<float>(s.trans_a, s.trans_b, s.M, s.N, s.K, 1.f, a.data(), lda, b.data(), ldb, 1.f,
                                   c.data(), s.N);
        });
        std::printf(" %6.1f (%6.1f)", flops / t.best / 1e9, flops / t.median / 1e9);
        engine_best.push_back(t.best);
      }
      flowjet::set_gemm_isa(default_isa);
#ifdef FLOWJET_BENCH_OPENBLAS
      openblas_set_num_threads(threads);
      const flowjet::bench::Timing blas = time_calls(reps, [&] {
        cblas_sgemm(CblasRowMajor, s.trans_a ? CblasTrans : CblasNoTrans, s.trans_b ? CblasTrans : CblasNoTrans,
                    s.M, s.N, s.K, 1.f, a.data(), lda, b.data(), ldb, 1.f, c.data(), s.N);
      });
      std::printf(" %6.1f (%6.1f)", flops / blas.best / 1e9, flops / blas.median / 1e9);
      for (double best : engine_best) std::printf(" %7.2f", blas.best / best);
      // OpenBLAS's idle workers spin for a while after a call; let them sleep before the next
      // engine measurement so they do not take its cores.
      if (threads > 1) std::this_thread::sleep_for(std::chrono::milliseconds(200));
#endif
      std::printf("\n");
      std::fflush(stdout);
    }
  }
  std::printf("Load average at end: %s\n", flowjet::bench::load_average().c_str());
  return 0;
}

// bench_elementwise: wall time of a large element-wise op (exp on 10^7 f32 values) and of one
// linear layer's forward + backward at batch 10,000, on 1 and 2 threads, and the 2-thread speed-up.
#include <cstdio>
#include <functional>

#include "engine/autograd/tape.h"
#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/linear/linear.h"
#include "engine/ops/unary/unary.h"
#include "engine/random/generator.h"
#include "tests/bench/timing.h"

using namespace flowjet;

namespace {

void report(const char* label, int reps, const std::function<void()>& call) {
  set_num_threads(1);
  const bench::Timing one = bench::time_calls(reps, call);
  set_num_threads(2);
  const bench::Timing two = bench::time_calls(reps, call);
  std::printf("%-48s %9.1f %9.1f %8.2fx | %9.1f %9.1f %8.2fx\n", label, one.median * 1e3, two.median * 1e3,
              one.median / two.median, one.best * 1e3, two.best * 1e3, one.best / two.best);
  std::fflush(stdout);
}

}  // namespace

int main() {
  Generator gen(3);
  std::printf("wall time in ms per call, median (and best) of 5..9 timed calls after a warm-up call;\n"
              "speed-up = time on 1 thread / time on 2 threads. Load average at start: %s\n",
              bench::load_average().c_str());
  std::printf("%-48s %9s %9s %9s | %9s %9s %9s\n", "operation", "1 thread", "2 threads", "speed-up", "best:1", "best:2",
              "speed-up");

  Tensor big = random_normal(Shape{10'000'000}, gen);
  report("exp, f32 [10^7] (allocates its output)", 9, [&] { exp(big); });
  // The same kernel into a buffer that is already mapped: separates the arithmetic from the
  // page faults of a fresh 40 MB output.
  Tensor out = Tensor::zeros(big.shape());
  report("exp kernel, f32 [10^7] into an existing buffer", 9,
         [&] { unary_forward_cpu<float>(UnaryKind::Exp, big.data<float>(), out.data<float>(), big.numel()); });

  // x [10000, 128] -> y [10000, 128]: y = x W^T + b, then dL/dx, dL/dW, dL/db for a given dL/dy.
  Tensor x = random_normal(Shape{10'000, 128}, gen).set_requires_grad();
  Tensor w = random_normal(Shape{128, 128}, gen).set_requires_grad();
  Tensor b = random_normal(Shape{128}, gen).set_requires_grad();
  Tensor grad_y = random_normal(Shape{10'000, 128}, gen);
  report("linear fwd+bwd, f32 x[10000,128] W[128,128] b", 9, [&] { backward(linear(x, w, b), grad_y); });

  Tensor w_wide = random_normal(Shape{1035, 128}, gen).set_requires_grad();
  Tensor b_wide = random_normal(Shape{1035}, gen).set_requires_grad();
  Tensor grad_y_wide = random_normal(Shape{10'000, 1035}, gen);
  report("linear fwd+bwd, f32 x[10000,128] W[1035,128] b", 5,
         [&] { backward(linear(x, w_wide, b_wide), grad_y_wide); });
  std::printf("Load average at end: %s\n", bench::load_average().c_str());
  return 0;
}

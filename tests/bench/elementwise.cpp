// bench_elementwise: wall time of a large element-wise op (exp on 10^7 f32 values) and of one
// linear layer's forward + backward at batch 10,000, on 1 and 2 threads, and the 2-thread speed-up.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <vector>

#include "engine/autograd/tape.h"
#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/linear/linear.h"
#include "engine/ops/unary/unary.h"
#include "engine/random/generator.h"

using namespace flowjet;

namespace {

// Median milliseconds of `reps` timed calls after one warm-up call.
double median_ms(int reps, const std::function<void()>& call) {
  call();
  std::vector<double> times;
  for (int r = 0; r < reps; ++r) {
    auto start = std::chrono::steady_clock::now();
    call();
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

void report(const char* label, int reps, const std::function<void()>& call) {
  set_num_threads(1);
  const double one = median_ms(reps, call);
  set_num_threads(2);
  const double two = median_ms(reps, call);
  std::printf("%-48s %10.2f %10.2f %9.2fx\n", label, one, two, one / two);
  std::fflush(stdout);
}

}  // namespace

int main() {
  Generator gen(3);
  std::printf("median wall time in ms (one warm-up call, then 9 timed calls); speed-up = 1 thread / 2 threads\n");
  std::printf("%-48s %10s %10s %10s\n", "operation", "1 thread", "2 threads", "speed-up");

  Tensor big = random_normal(Shape{10'000'000}, gen);
  report("exp, f32 [10^7] (allocates its output)", 9, [&] { exp(big); });

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
  return 0;
}

// bench_residual_block: wall time of one ResidualNet block of the light_cnf_mn conditioner (width 221,
// batch norm, dropout 0.2, context gate on 2 context features), forward + backward at batch 10,000 in
// f32, and of the dropout keep-mask draw alone, on 1 thread (FLOWJET_THREADS is ignored). Besides wall
// time it reports the CPU time of the calling thread (which does all the work on 1 thread), the better
// measure on a shared, loaded machine. Then the block's fused ops gate_residual and batchnorm_relu_dropout
// alone, forward and forward + backward.
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <functional>

#include "engine/autograd/recording.h"
#include "engine/autograd/tape.h"
#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/fused/batchnorm_relu_dropout.h"
#include "engine/ops/fused/gate_residual.h"
#include "engine/random/generator.h"
#include "flows/conditioner/residual_net.h"
#include "tests/bench/timing.h"

using namespace flowjet;

namespace {

// Best thread CPU time of `reps` calls after a warm-up call.
double best_cpu_time(int reps, const std::function<void()>& call) {
  return bench::time_calls(reps, call, bench::thread_cpu_seconds).best;
}

}  // namespace

int main() {
  set_num_threads(1);
  std::printf("ms per call: wall median and best, and best thread CPU time, of 15 calls after a warm-up;\n"
              "1 thread; load average %s\n",
              bench::load_average().c_str());
  const int64_t batch = 10'000, width = 221;
  flows::ResidualNetSpec spec;
  spec.in_features = width;
  spec.out_features = width;
  spec.hidden_features = width;
  spec.context_features = 2;
  spec.dropout = 0.2;
  spec.batch_norm = true;
  Generator init(1), dropout_gen(2), data(3);
  flows::ResidualBlock block(spec, init, dropout_gen, DType::F32);
  Tensor h = random_normal(Shape{batch, width}, data).set_requires_grad();
  Tensor context = random_normal(Shape{batch, 2}, data);
  Tensor grad_out = random_normal(Shape{batch, width}, data);

  auto print = [](const char* label, const std::function<void()>& call) {
    const bench::Timing t = bench::time_calls(15, call);
    std::printf("%-52s %8.2f %8.2f %8.2f\n", label, t.median * 1e3, t.best * 1e3, best_cpu_time(15, call) * 1e3);
    std::fflush(stdout);
  };
  std::printf("%-52s %8s %8s %8s\n", "what", "median", "best", "best cpu");
  print("residual block fwd+bwd, f32 [10000, 221], training", [&] { backward(block.forward(h, context), grad_out); });
  print("residual block fwd, f32 [10000, 221], training", [&] {
    NoGradScope no_grad;
    block.forward(h, context);
  });
  print("random_keep_mask f32 [10000, 221]", [&] { random_keep_mask(Shape{batch, width}, 0.2, dropout_gen); });

  // The block's two fused element-wise ops alone, on the same shape.
  Tensor t = random_normal(Shape{batch, width}, data).set_requires_grad();
  Tensor g = random_normal(Shape{batch, width}, data).set_requires_grad();
  print("gate_residual fwd", [&] {
    NoGradScope no_grad;
    gate_residual(h, t, g);
  });
  print("gate_residual fwd+bwd", [&] { backward(gate_residual(h, t, g), grad_out); });
  Tensor gamma = Tensor::ones(Shape{width}).set_requires_grad(), beta = Tensor::zeros(Shape{width}).set_requires_grad();
  Tensor running_mean = Tensor::zeros(Shape{width}), running_var = Tensor::ones(Shape{width});
  const Tensor keep = random_keep_mask(Shape{batch, width}, 0.2, dropout_gen);
  auto bn = [&] { return batchnorm_relu_dropout(h, gamma, beta, running_mean, running_var, true, 0.1, 1e-5, keep); };
  print("batchnorm_relu_dropout fwd, training", [&] {
    NoGradScope no_grad;
    bn();
  });
  print("batchnorm_relu_dropout fwd+bwd, training", [&] { backward(bn(), grad_out); });
  return 0;
}

// Benchmark of the spline of one RQS coupling layer: forward + backward from the conditioner's packed
// output [N, F (3K-1)] to the outputs and the per-row log|det|, at the model shapes (10,000 x 45 elements,
// K = 4 and 5), both directions, on 1 and 2 threads. f32, CPU. Best of 5 after one warm-up.
// Usage: bench_spline_bench [batch [repeats]] (smaller runs for instruction counts under callgrind).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <vector>

#include "engine/autograd/tape.h"
#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/rqs_spline/rqs_spline.h"
#include "engine/random/generator.h"
#include "flows/coupling/rqs_coupling.h"

using namespace flowjet;

namespace {

using Clock = std::chrono::steady_clock;

double milliseconds_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct Timing {
  double forward_ms, backward_ms;
};

constexpr int64_t kHidden = 256;  // the conditioner width whose 1/sqrt(H) scales the width/height logits

// One recorded forward and one backward with upstream gradients on both outputs.
Timing run_once(const Tensor& inputs, const Tensor& params, int bins, bool inverse, const Tensor& grad_outputs,
                const Tensor& grad_logabsdet) {
  inputs.zero_grad();
  params.zero_grad();
  const auto start = Clock::now();
  RqsSplineResult r = rqs_spline(inputs, params, flows::coupling_spline_options(bins, 4.0, kHidden), inverse);
  const double forward_ms = milliseconds_since(start);
  const auto start_backward = Clock::now();
  backward({r.outputs, r.logabsdet}, {grad_outputs, grad_logabsdet});
  return {forward_ms, milliseconds_since(start_backward)};
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t batch = argc > 1 ? std::atoll(argv[1]) : 10000, features = 45;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
  std::printf("spline of a coupling layer, forward+backward, %lld x %lld elements, f32, best of %d\n",
              static_cast<long long>(batch), static_cast<long long>(features), repeats);
  std::printf("%3s %-9s %7s %12s %13s %10s %16s\n", "K", "direction", "threads", "forward ms", "backward ms",
              "total ms", "elements/s");
  for (int bins : {4, 5}) {
    Generator gen(2022);
    // inputs ~ N(0, 1.5^2): a few percent fall in the tails (B = 4), as for standardised jet features;
    // logits ~ N(0, 4^2), which the 1/sqrt(256) scale brings to the order of 0.25 for widths and heights.
    const Tensor inputs =
        random_normal(Shape{batch, features}, gen, DType::F32, Device::CPU, 0.0, 1.5).set_requires_grad();
    const Tensor params = random_normal(Shape{batch, features * (3 * bins - 1)}, gen, DType::F32, Device::CPU, 0.0, 4.0)
                              .set_requires_grad();
    const Tensor grad_outputs = Tensor::ones(Shape{batch, features});
    const Tensor grad_logabsdet = Tensor::ones(Shape{batch});
    const double elements = static_cast<double>(batch * features);
    for (bool inverse : {false, true}) {
      for (int threads : {1, 2}) {
        set_num_threads(threads);
        run_once(inputs, params, bins, inverse, grad_outputs, grad_logabsdet);  // warm-up
        Timing best{1e300, 1e300};
        for (int rep = 0; rep < repeats; ++rep) {
          const Timing t = run_once(inputs, params, bins, inverse, grad_outputs, grad_logabsdet);
          if (t.forward_ms + t.backward_ms < best.forward_ms + best.backward_ms) best = t;
        }
        const double total_ms = best.forward_ms + best.backward_ms;
        std::printf("%3d %-9s %7d %12.2f %13.2f %10.2f %16.3e\n", bins, inverse ? "inverse" : "forward", threads,
                    best.forward_ms, best.backward_ms, total_ms, elements / (total_ms * 1e-3));
      }
    }
  }
  return 0;
}

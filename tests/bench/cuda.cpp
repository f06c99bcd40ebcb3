// GPU benchmark (make bench): cuBLAS GEMM TFLOP/s (TF32 off and on), fused spline throughput, and
// training-step / sampling throughput of a talk-sized stack at batch 10,000. Without a CUDA device it
// prints one "no CUDA device" line and exits 0.
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/autograd/tape.h"
#include "engine/backend/cuda/runtime.h"
#include "engine/ops/linear/linear.h"
#include "engine/ops/rqs_spline/rqs_spline.h"
#include "engine/ops/unary/unary.h"
#include "engine/random/generator.h"
#include "tests/bench/timing.h"

using namespace flowjet;

namespace {

constexpr Device kCuda = Device::CUDA;

// Seconds per call of `call` (best and median of `reps`), each timed call synchronised with the device.
bench::Timing time_device(int reps, const std::function<void()>& call) {
  return bench::time_calls(reps, [&] {
    call();
    cuda_synchronize();
  });
}

void bench_gemm() {
  std::printf("\n%-34s %10s %10s %12s\n", "GEMM (cuBLAS, f32, C = A B)", "best ms", "median ms", "TFLOP/s");
  Generator gen(1);
  const int64_t sizes[][3] = {{10000, 256, 256}, {10000, 256, 630}, {4096, 4096, 4096}, {8192, 8192, 8192}};
  for (bool tf32 : {false, true}) {
    cuda_set_allow_tf32(tf32);
    for (const auto& s : sizes) {
      Tensor a = random_normal(Shape{s[0], s[1]}, gen, DType::F32, kCuda);
      Tensor b = random_normal(Shape{s[1], s[2]}, gen, DType::F32, kCuda);
      const int calls = s[0] * s[1] * s[2] > (int64_t(1) << 32) ? 3 : 20;
      bench::Timing t = time_device(5, [&] {
        for (int i = 0; i < calls; ++i) matmul(a, b);
      });
      const double flops = 2.0 * static_cast<double>(s[0] * s[1] * s[2]) * calls;
      std::printf("%-34s %10.3f %10.3f %12.1f\n",
                  fmt::format("{}x{}x{}{}", s[0], s[1], s[2], tf32 ? " TF32" : "").c_str(), 1e3 * t.best / calls,
                  1e3 * t.median / calls, flops / t.best * 1e-12);
    }
  }
  cuda_set_allow_tf32(false);
}

void bench_spline() {
  std::printf("\n%-34s %10s %10s %14s\n", "rqs_spline (f32, 10,000 x 45)", "best ms", "median ms", "Melements/s");
  const int64_t batch = 10000, features = 45;
  for (int bins : {5, 8}) {
    RqsSplineOptions options;
    options.num_bins = bins;
    options.tail_bound = 6.0;
    Generator gen(2);
    std::vector<Tensor> leaves{random_normal(Shape{batch, features}, gen, DType::F32, kCuda, 0.0, 1.5),
                               random_normal(Shape{batch, features, bins}, gen, DType::F32, kCuda),
                               random_normal(Shape{batch, features, bins}, gen, DType::F32, kCuda),
                               random_normal(Shape{batch, features, bins - 1}, gen, DType::F32, kCuda)};
    for (Tensor& t : leaves) t.set_requires_grad();
    const Tensor ones = Tensor::ones(Shape{batch, features}, DType::F32, kCuda);
    for (bool inverse : {false, true}) {
      bench::Timing fwd = time_device(20, [&] {
        NoGradScope no_grad;
        rqs_spline(leaves[0], leaves[1], leaves[2], leaves[3], options, inverse);
      });
      bench::Timing both = time_device(20, [&] {
        for (const Tensor& t : leaves) t.zero_grad();
        RqsSplineResult r = rqs_spline(leaves[0], leaves[1], leaves[2], leaves[3], options, inverse);
        backward({r.outputs, r.logabsdet}, {ones, ones});
      });
      const double elements = static_cast<double>(batch * features);
      const std::string label = fmt::format("K = {} {}", bins, inverse ? "inverse" : "forward");
      std::printf("%-34s %10.3f %10.3f %14.0f\n", (label + " fwd").c_str(), 1e3 * fwd.best, 1e3 * fwd.median,
                  elements / fwd.best * 1e-6);
      std::printf("%-34s %10.3f %10.3f %14.0f\n", (label + " fwd+bwd").c_str(), 1e3 * both.best, 1e3 * both.median,
                  elements / both.best * 1e-6);
    }
  }
}

// A talk-sized stack (flows.md §5: 15 layers; per layer a 45 -> 256 input layer, four 256 x 256 hidden layers
// with ReLU, a 256 -> 630 output layer, and the K = 5 spline on 45 features). flows/ is not part of this bench
// build, so the spline reads its own leaf parameters instead of the output layer's, and the residual sums are
// left out: the GEMM, activation and spline work of a training step and of sampling is all there.
struct LayerProxy {
  Tensor w_in, b_in, w_out, b_out, widths, heights, derivatives;
  std::vector<Tensor> w_hidden, b_hidden;
};

void bench_stack() {
  const int64_t batch = 10000, features = 45, hidden = 256, layers = 15, bins = 5;
  const int64_t out = features * (3 * bins - 1);
  Generator gen(3);
  auto param = [&](const Shape& shape, double stddev) {
    return random_normal(shape, gen, DType::F32, kCuda, 0.0, stddev).set_requires_grad();
  };
  std::vector<LayerProxy> stack(layers);
  for (LayerProxy& l : stack) {
    l.w_in = param(Shape{hidden, features}, 0.15);
    l.b_in = param(Shape{hidden}, 0.01);
    for (int k = 0; k < 4; ++k) {
      l.w_hidden.push_back(param(Shape{hidden, hidden}, 0.06));
      l.b_hidden.push_back(param(Shape{hidden}, 0.01));
    }
    l.w_out = param(Shape{out, hidden}, 0.06);
    l.b_out = param(Shape{out}, 0.01);
    l.widths = param(Shape{batch, features, bins}, 1.0);
    l.heights = param(Shape{batch, features, bins}, 1.0);
    l.derivatives = param(Shape{batch, features, bins - 1}, 1.0);
  }
  RqsSplineOptions options;
  options.num_bins = static_cast<int>(bins);
  options.tail_bound = 6.0;
  const Tensor x = random_normal(Shape{batch, features}, gen, DType::F32, kCuda);
  auto pass = [&](bool inverse) {
    Tensor z = x;
    std::vector<Tensor> outputs;
    for (LayerProxy& l : stack) {
      Tensor h = linear(z, l.w_in, l.b_in);
      for (int k = 0; k < 4; ++k) h = linear(relu(h), l.w_hidden[k], l.b_hidden[k]);
      outputs.push_back(linear(relu(h), l.w_out, l.b_out));
      RqsSplineResult r = rqs_spline(z, l.widths, l.heights, l.derivatives, options, inverse);
      outputs.push_back(r.logabsdet);
      z = r.outputs;
    }
    outputs.push_back(z);
    return outputs;
  };
  bench::Timing step = time_device(5, [&] {
    std::vector<Tensor> outputs = pass(false);
    std::vector<Tensor> grads;
    for (const Tensor& o : outputs) grads.push_back(Tensor::ones(o.shape(), DType::F32, kCuda));
    backward(outputs, grads);
  });
  bench::Timing sample = time_device(5, [&] {
    NoGradScope no_grad;
    pass(true);
  });
  std::printf("\n%-46s %10s %10s %12s\n", "talk-sized stack (15 layers, H 256, K 5), f32", "best ms", "median ms",
              "jets/s");
  std::printf("%-46s %10.2f %10.2f %12.0f\n", "training step (fwd+bwd), batch 10,000", 1e3 * step.best,
              1e3 * step.median, static_cast<double>(batch) / step.best);
  std::printf("%-46s %10.2f %10.2f %12.0f\n", "sampling (inverse, no grad), batch 10,000", 1e3 * sample.best,
              1e3 * sample.median, static_cast<double>(batch) / sample.best);
  std::printf("(proxy of the flow: no residual sums, spline parameters are leaves; see the comment in the source)\n");
}

}  // namespace

int main() {
  if (!cuda_available()) {
    std::printf("cuda bench: no CUDA device (%s); nothing measured\n", cuda_unavailable_reason().c_str());
    return 0;
  }
  try {
    std::printf("cuda bench on %s, host load average %s\n", cuda_device_description().c_str(),
                bench::load_average().c_str());
    bench_gemm();
    bench_spline();
    bench_stack();
  } catch (const Error& e) {
    std::fprintf(stderr, "cuda bench: %s\n", e.what());
    return 1;
  }
  return 0;
}

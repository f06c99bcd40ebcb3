// GPU benchmark (make bench): cuBLAS GEMM TFLOP/s (TF32 off and on), fused spline throughput, and
// training-step (forward, backward, AdamW) and sampling throughput of the talk-sized flow at batch 10,000,
// and FPND's ParticleNet forward pass on 10,000 jets (skipped with a line when its weights are absent).
// Without a CUDA device it prints one "no CUDA device" line and exits 0.
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/autograd/tape.h"
#include "engine/backend/cuda/runtime.h"
#include "engine/ops/binary/binary.h"
#include "engine/ops/linear/linear.h"
#include "engine/ops/rqs_spline/rqs_spline.h"
#include "engine/optim/adam.h"
#include "engine/random/generator.h"
#include "flows/flow.h"
#include "flows/loss/mass_constraint.h"
#include "flows/loss/nll.h"
#include "metrics/fpnd/fpnd_pipeline.h"
#include "metrics/fpnd/fpnd_resources.h"
#include "metrics/fpnd/particlenet_weights.h"
#include "tests/bench/bench_jets.h"
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
                               random_normal(Shape{batch, features * (3 * bins - 1)}, gen, DType::F32, kCuda)};
    for (Tensor& t : leaves) t.set_requires_grad();
    const Tensor ones = Tensor::ones(Shape{batch, features}, DType::F32, kCuda);
    const Tensor row_ones = Tensor::ones(Shape{batch}, DType::F32, kCuda);
    for (bool inverse : {false, true}) {
      bench::Timing fwd = time_device(20, [&] {
        NoGradScope no_grad;
        rqs_spline(leaves[0], leaves[1], options, inverse);
      });
      bench::Timing both = time_device(20, [&] {
        for (const Tensor& t : leaves) t.zero_grad();
        RqsSplineResult r = rqs_spline(leaves[0], leaves[1], options, inverse);
        backward({r.outputs, r.logabsdet}, {ones, row_ones});
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

// The talk's big model (training-recipe.md §11.4, flow-model.md §5): 90 features, 15 RQS coupling layers, K = 5,
// B = 6, H = 256, 2 residual blocks, no batch norm, no dropout; C = 0 for the plain NLL step and the
// (m, n) context for a CCNF step with the mass constraint (training-recipe.md §7.2, lambda 10). One training step
// is forward, backward and one AdamW update at batch 10,000; sampling is the inverse pass without autodiff.
flows::FlowSpec talk_spec(int64_t context_features) {
  flows::FlowSpec spec;
  spec.features = 90;
  spec.coupling_layers = 15;
  spec.bins = 5;
  spec.tail_bound = 6.0;
  spec.hidden_features = 256;
  spec.num_blocks = 2;
  spec.context_features = context_features;
  return spec;
}

void bench_flow() {
  const int64_t batch = 10000;
  Generator gen(3);
  std::printf("\n%-52s %10s %10s %12s\n", "talk-sized flow (15 layers, K 5, H 256, 2 blocks), f32", "best ms",
              "median ms", "jets/s");
  auto report = [&](const char* label, const bench::Timing& t) {
    std::printf("%-52s %10.2f %10.2f %12.0f\n", label, 1e3 * t.best, 1e3 * t.median,
                static_cast<double>(batch) / t.best);
  };

  flows::Flow flow(talk_spec(0));
  flow.to(kCuda);
  const Tensor x = random_normal(Shape{batch, 90}, gen, DType::F32, kCuda);
  Adam adam(flow.named_parameters(), AdamOptions::adamw(1e-3));
  report("training step: NLL fwd+bwd+AdamW, batch 10,000", time_device(5, [&] {
           adam.zero_grad();
           backward(flows::nll_loss(flow, x, Tensor()));
           adam.step();
         }));
  flow.eval();
  report("sampling (inverse, no grad), batch 10,000", time_device(5, [&] { flow.sample(batch, Tensor(), gen); }));

  flows::Flow ccnf(talk_spec(2));
  ccnf.to(kCuda);
  const Tensor context = random_normal(Shape{batch, 2}, gen, DType::F32, kCuda);
  const Tensor true_mass = random_uniform(Shape{batch}, gen, DType::F32, kCuda, 0.05, 0.2);
  std::vector<double> mean, stddev;
  for (int p = 0; p < 30; ++p) {
    mean.insert(mean.end(), {0.0, 0.0, 0.03});
    stddev.insert(stddev.end(), {0.1, 0.1, 0.05});
  }
  const flows::FeatureScaling scaling{Tensor::from_vector(mean, Shape{90}).to(kCuda),
                                      Tensor::from_vector(stddev, Shape{90}).to(kCuda)};
  Adam ccnf_adam(ccnf.named_parameters(), AdamOptions::adamw(1e-3));
  report("training step: NLL + 10 x mass constraint, context 2", time_device(5, [&] {
           ccnf_adam.zero_grad();
           Tensor nll = flows::nll_loss(ccnf, x, context);
           backward(nll + flows::mass_constraint_loss(ccnf, context, true_mass, scaling, gen).loss * 10.0);
           ccnf_adam.step();
         }));
  std::printf("(%lld parameters per coupling layer with C = 0)\n",
              static_cast<long long>(talk_spec(0).parameters_per_layer()));
}

// FPND's ParticleNet (metric-definitions.md §9.2) on the GPU: fc1 activations of 10,000 jets in batches of
// 1,000 (as bin/evaluate --device cuda runs it), input upload and activations download included.
void bench_fpnd() {
  const std::string weights = metrics::default_fpnd_directory() + "/pnet_state_dict.pt";
  if (!std::ifstream(weights).good()) {
    std::printf("\nParticleNet forward (FPND): skipped, no %s (set FLOWJET_FPND_DIR)\n", weights.c_str());
    return;
  }
  const auto net = metrics::load_particlenet(weights);
  net->to(kCuda);
  const int64_t jets = 10000, batch = 1000;
  int64_t used = 0;
  const std::vector<float> input = metrics::fpnd_network_input(bench::bench_jets(jets), 0, used);
  const bench::Timing t = time_device(3, [&] { metrics::particlenet_activations(*net, input, used, 30, batch); });
  std::printf("\n%-52s %10s %10s %12s\n", "ParticleNet forward (FPND), f32", "best ms", "median ms", "jets/s");
  std::printf("%-52s %10.1f %10.1f %12.0f\n", "fc1 activations, 10,000 jets, batch 1,000", 1e3 * t.best,
              1e3 * t.median, static_cast<double>(used) / t.best);
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
    bench_flow();
    bench_fpnd();
  } catch (const Error& e) {
    std::fprintf(stderr, "cuda bench: %s\n", e.what());
    return 1;
  }
  return 0;
}

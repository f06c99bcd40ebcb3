// CPU f32 vs CUDA f32 parity of a whole flow: log_prob, the NLL's gradient for every parameter, the
// batch-norm running statistics and one AdamW step (training mode, dropout masks drawn on each device from
// the same stream); and the mass-constraint loss through the differentiable inverse with its gradients.
#include <doctest/doctest.h>

#include <string>

#include "engine/autograd/recording.h"
#include "engine/autograd/tape.h"
#include "engine/ops/binary/binary.h"
#include "engine/optim/adam.h"
#include "engine/random/generator.h"
#include "flows/flow.h"
#include "flows/loss/mass_constraint.h"
#include "flows/loss/nll.h"
#include "tests/support/parity.h"

using namespace flowjet;
using namespace flowjet::flows;

namespace {

// A whole flow chains GEMMs, batch-norm statistics, reductions and the spline over several layers, each
// with its own summation order per backend; the differences compound, so the bound is 10x the per-op one.
constexpr testing::ParityTolerance kFlowTolerance{1e-3};

FlowSpec small_spec() {
  FlowSpec spec;
  spec.features = 12;  // four particles (eta, phi, pt)
  spec.coupling_layers = 2;
  spec.bins = 5;
  spec.tail_bound = 4.0;
  spec.hidden_features = 32;
  spec.num_blocks = 2;
  spec.context_features = 2;
  spec.batch_norm = true;
  spec.dropout = 0.1;
  spec.seed = 17;
  return spec;
}

// A CPU flow moved away from its near-identity initialisation, and a CUDA copy of it.
struct FlowPair {
  Flow cpu, cuda;
  explicit FlowPair(const FlowSpec& spec) : cpu(spec), cuda(spec) {
    Generator gen(3);
    NoGradScope no_grad;
    for (NamedTensor& p : cpu.named_parameters())
      p.tensor.copy_(p.tensor + random_normal(p.tensor.shape(), gen, p.tensor.dtype(), Device::CPU, 0.0, 0.2));
    cuda.to(Device::CUDA);
    const NamedTensors from = cpu.named_parameters();
    NamedTensors to = cuda.named_parameters();
    for (std::size_t i = 0; i < from.size(); ++i) to[i].tensor.copy_(from[i].tensor);
  }
};

void check_gradients(const std::string& loss, Flow& cpu, Flow& cuda) {
  const NamedTensors a = cpu.named_parameters(), b = cuda.named_parameters();
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::string label = loss + " d/d" + a[i].name;
    REQUIRE_MESSAGE(a[i].tensor.grad().defined() == b[i].tensor.grad().defined(), label);
    if (a[i].tensor.grad().defined())
      testing::check_close(label, a[i].tensor.grad(), b[i].tensor.grad(), kFlowTolerance);
  }
}

void check_tensors(const std::string& what, const NamedTensors& a, const NamedTensors& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i)
    testing::check_close(what + " " + a[i].name, a[i].tensor, b[i].tensor, kFlowTolerance);
}

}  // namespace

TEST_CASE("cuda/flow: log_prob, every gradient, running statistics and one AdamW step match the CPU" *
          doctest::skip(testing::cuda_parity_skipped())) {
  const FlowSpec spec = small_spec();
  FlowPair flows(spec);
  for (const NamedTensor& p : flows.cuda.named_parameters()) {
    CHECK(p.tensor.device() == Device::CUDA);
    CHECK(p.tensor.requires_grad());
  }
  Generator gen(4);
  const int64_t batch = 512;
  Tensor x = random_normal(Shape{batch, spec.features}, gen);
  Tensor context = testing::uniform_f32(Shape{batch, spec.context_features}, gen, -1, 1);

  Tensor log_prob_cpu = flows.cpu.log_prob(x, context);
  Tensor log_prob_cuda = flows.cuda.log_prob(x.to(Device::CUDA), context.to(Device::CUDA));
  testing::check_close("log_prob", log_prob_cpu, log_prob_cuda, kFlowTolerance);
  backward(nll_loss(flows.cpu, x, context));
  backward(nll_loss(flows.cuda, x.to(Device::CUDA), context.to(Device::CUDA)));
  check_gradients("nll", flows.cpu, flows.cuda);
  check_tensors("buffer", flows.cpu.named_buffers(), flows.cuda.named_buffers());

  Adam cpu_opt(flows.cpu.named_parameters(), AdamOptions::adamw(1e-3));
  Adam cuda_opt(flows.cuda.named_parameters(), AdamOptions::adamw(1e-3));
  cpu_opt.step();
  cuda_opt.step();
  check_tensors("after AdamW", flows.cpu.named_parameters(), flows.cuda.named_parameters());
}

TEST_CASE("cuda/flow: the mass-constraint loss through the inverse and its gradients match the CPU" *
          doctest::skip(testing::cuda_parity_skipped())) {
  const FlowSpec spec = small_spec();
  FlowPair flows(spec);
  Generator gen(5);
  const int64_t batch = 256;
  Tensor context = testing::uniform_f32(Shape{batch, spec.context_features}, gen, -1, 1);
  Tensor true_mass = testing::uniform_f32(Shape{batch}, gen, 0.5, 1.5);
  // eta and phi spread by 0.5 around 0, pt = 1 +- 0.1: four clearly separated particles, a mass of order 1,
  // far from the square-root floors of jet_mass.
  std::vector<double> mean, stddev;
  for (int64_t p = 0; p < spec.features / 3; ++p) {
    mean.insert(mean.end(), {0.0, 0.0, 1.0});
    stddev.insert(stddev.end(), {0.5, 0.5, 0.1});
  }
  const Shape features{spec.features};
  FeatureScaling cpu_scaling{Tensor::from_vector(mean, features), Tensor::from_vector(stddev, features)};
  FeatureScaling cuda_scaling{cpu_scaling.mean.to(Device::CUDA), cpu_scaling.std.to(Device::CUDA)};
  Generator cpu_z(77), cuda_z(77);  // the same latent draws on both devices
  MassConstraintResult cpu = mass_constraint_loss(flows.cpu, context, true_mass, cpu_scaling, cpu_z);
  MassConstraintResult cuda =
      mass_constraint_loss(flows.cuda, context.to(Device::CUDA), true_mass.to(Device::CUDA), cuda_scaling, cuda_z);
  testing::check_close("generated mass", cpu.generated_mass, cuda.generated_mass, kFlowTolerance);
  testing::check_close("mass loss", cpu.loss, cuda.loss, kFlowTolerance);
  backward(cpu.loss);
  backward(cuda.loss);
  check_gradients("mass loss", flows.cpu, flows.cuda);
}

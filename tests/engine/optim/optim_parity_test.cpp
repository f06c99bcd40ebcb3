// CPU f32 vs CUDA f32 parity of the optimiser: several Adam and AdamW steps of more parameters than one
// fused launch takes (moments, step counts and parameters compared), and gradient clipping by norm and
// by value and the finite check on device gradients.
#include <doctest/doctest.h>

#include <limits>
#include <string>

#include <fmt/format.h>

#include "engine/optim/adam.h"
#include "engine/optim/clip.h"
#include "engine/random/generator.h"
#include "tests/support/parity.h"

using namespace flowjet;

namespace {

// 30 parameters of assorted sizes (one empty) with gradients, on `device`; the same values on both devices.
NamedTensors make_params(Device device, double grad_scale = 1.0) {
  Generator gen(91);
  NamedTensors params;
  for (int k = 0; k < 30; ++k) {
    const Shape shape = k == 7 ? Shape{0, 3} : Shape{1 + 37 * k, 3};
    Tensor p = testing::uniform_f32(shape, gen, -1, 1).to(device).set_requires_grad();
    p.set_grad(testing::uniform_f32(shape, gen, -grad_scale, grad_scale).to(device));
    params.push_back({fmt::format("p{}", k), p});
  }
  return params;
}

void check_params(const std::string& what, const NamedTensors& cpu, const NamedTensors& cuda) {
  for (std::size_t i = 0; i < cpu.size(); ++i)
    testing::check_close(what + " " + cpu[i].name, cpu[i].tensor, cuda[i].tensor, testing::kElementwiseTolerance);
}

}  // namespace

TEST_CASE("cuda/adam: fused Adam and AdamW steps match the CPU" * doctest::skip(testing::cuda_parity_skipped())) {
  AdamOptions adam;
  adam.lr = 1e-2;
  adam.weight_decay = 0.1;  // coupled L2
  for (const AdamOptions& options : {adam, AdamOptions::adamw(1e-2, 0.05)}) {
    const std::string label = options.decoupled ? "AdamW" : "Adam";
    NamedTensors cpu = make_params(Device::CPU), cuda = make_params(Device::CUDA);
    Adam cpu_opt(cpu, options), cuda_opt(cuda, options);
    for (int step = 0; step < 3; ++step) {
      cpu_opt.step();
      cuda_opt.step();
    }
    check_params(label + " parameter", cpu, cuda);
    const NamedTensors cpu_state = cpu_opt.state(), cuda_state = cuda_opt.state();
    REQUIRE(cpu_state.size() == cuda_state.size());
    for (std::size_t i = 0; i < cpu_state.size(); ++i)
      testing::check_close(label + " state " + cpu_state[i].name, cpu_state[i].tensor, cuda_state[i].tensor,
                           testing::kElementwiseTolerance);
  }
}

TEST_CASE("cuda/clip: norm, value clipping and the finite check on device gradients" *
          doctest::skip(testing::cuda_parity_skipped())) {
  NamedTensors cpu = make_params(Device::CPU, 3.0), cuda = make_params(Device::CUDA, 3.0);
  const double cpu_norm = clip_grad_norm(cpu, 1.0), cuda_norm = clip_grad_norm(cuda, 1.0);
  CHECK(cuda_norm == doctest::Approx(cpu_norm).epsilon(1e-12));  // both sum f32 squares in double
  auto grads = [](const NamedTensors& params) {
    NamedTensors out;
    for (const NamedTensor& p : params) out.push_back({p.name, p.tensor.grad()});
    return out;
  };
  check_params("clipped by norm", grads(cpu), grads(cuda));
  NamedTensors cpu_value = make_params(Device::CPU, 3.0), cuda_value = make_params(Device::CUDA, 3.0);
  clip_grad_value(cpu_value, 0.5);
  clip_grad_value(cuda_value, 0.5);
  check_params("clipped by value", grads(cpu_value), grads(cuda_value));
  CHECK(all_grads_finite(cuda_value));
  Tensor bad = cuda_value[12].tensor.grad().to(Device::CPU);
  bad.data<float>()[5] = std::numeric_limits<float>::quiet_NaN();
  cuda_value[12].tensor.set_grad(bad.to(Device::CUDA));
  CHECK_FALSE(all_grads_finite(cuda_value));
}

// The CPU-vs-CUDA parity harness (see parity.h).
#include "tests/support/parity.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <fmt/format.h>

#include "engine/autograd/tape.h"
#include "engine/random/generator.h"

namespace flowjet::testing {

bool cuda_parity_skipped() {
  static const bool skipped = [] {
    const bool none = !cuda_available();
    if (none) std::printf("CUDA parity tests skipped: no CUDA device (%s)\n", cuda_unavailable_reason().c_str());
    return none;
  }();
  return skipped;
}

void check_close(const std::string& what, const Tensor& cpu, const Tensor& cuda, ParityTolerance tolerance) {
  REQUIRE_MESSAGE(cpu.shape() == cuda.shape(),
                  fmt::format("{}: cpu shape {} vs cuda shape {}", what, cpu.shape().str(), cuda.shape().str()));
  const std::vector<double> a = cpu.to_vector(), b = cuda.to_vector();
  double scale = 0;
  for (double v : a) scale = std::max(scale, std::fabs(v));
  int mismatches = 0;
  double worst = 0;
  std::string report;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double bound = tolerance.rtol * (std::fabs(a[i]) + tolerance.floor * scale);
    const double err = std::fabs(a[i] - b[i]);
    const bool ok = err <= bound || (std::isnan(a[i]) && std::isnan(b[i])) || a[i] == b[i];
    if (!ok) {
      if (mismatches < 5)
        report += fmt::format("\n  [{}] cpu {:.9g} cuda {:.9g} (|diff| {:.3g} > {:.3g})", i, a[i], b[i], err, bound);
      ++mismatches;
    }
    if (std::isfinite(err) && std::fabs(a[i]) + scale > 0)
      worst = std::max(worst, err / (std::fabs(a[i]) + tolerance.floor * scale));
  }
  if (mismatches > 0)
    FAIL_CHECK(fmt::format("{}: {} of {} elements differ (rtol {}, worst relative error {:.3g}); first ones:{}", what,
                           mismatches, a.size(), tolerance.rtol, worst, report));
}

void check_identical(const std::string& what, const Tensor& cpu, const Tensor& cuda) {
  check_close(what, cpu, cuda, ParityTolerance{0.0, 0.0});
}

Tensor uniform_f32(const Shape& shape, Generator& gen, double low, double high) {
  return random_uniform(shape, gen, DType::F32, Device::CPU, low, high);
}

Tensor away_from_zero_f32(const Shape& shape, Generator& gen) {
  std::vector<double> magnitude = uniform_f32(shape, gen, 0.5, 1.5).to_vector();
  const std::vector<double> sign = uniform_f32(shape, gen, 0.0, 1.0).to_vector();
  for (std::size_t i = 0; i < magnitude.size(); ++i)
    if (sign[i] < 0.5) magnitude[i] = -magnitude[i];
  return Tensor::from_vector(magnitude, shape);
}

namespace {

std::vector<Tensor> run_on(Device device, const ParityFunction& fn, const std::vector<Tensor>& inputs,
                           const std::vector<bool>& differentiable, uint64_t seed, std::vector<Tensor>& grads) {
  std::vector<Tensor> moved;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    Tensor t = inputs[i].to(device).clone();
    if (differentiable[i]) t.set_requires_grad();
    moved.push_back(t);
  }
  std::vector<Tensor> outputs = fn(moved);
  std::vector<Tensor> upstream;
  Generator gen(seed);
  for (const Tensor& out : outputs)
    upstream.push_back(random_normal(out.shape(), gen, out.dtype(), Device::CPU).to(device));
  bool any = false;
  for (bool d : differentiable) any = any || d;
  if (any) backward(outputs, upstream);
  grads.clear();
  for (std::size_t i = 0; i < moved.size(); ++i) grads.push_back(differentiable[i] ? moved[i].grad() : Tensor());
  return outputs;
}

}  // namespace

void check_op_parity(const std::string& op, const ParityFunction& fn, const std::vector<Tensor>& inputs,
                     const std::vector<std::string>& names, const std::vector<bool>& differentiable,
                     ParityTolerance tolerance, uint64_t seed) {
  std::vector<Tensor> cpu_grads, cuda_grads;
  const std::vector<Tensor> cpu = run_on(Device::CPU, fn, inputs, differentiable, seed, cpu_grads);
  const std::vector<Tensor> cuda = run_on(Device::CUDA, fn, inputs, differentiable, seed, cuda_grads);
  REQUIRE(cpu.size() == cuda.size());
  for (std::size_t k = 0; k < cpu.size(); ++k) {
    CHECK(cuda[k].device() == Device::CUDA);
    check_close(fmt::format("{}: output {}", op, k), cpu[k], cuda[k], tolerance);
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!differentiable[i]) continue;
    const std::string name = i < names.size() ? names[i] : fmt::format("input {}", i);
    const std::string defined_once = op + ": gradient of " + name + " defined on one device only";
    REQUIRE_MESSAGE(cpu_grads[i].defined() == cuda_grads[i].defined(), defined_once);
    if (cpu_grads[i].defined()) check_close(fmt::format("{}: d/d{}", op, name), cpu_grads[i], cuda_grads[i], tolerance);
  }
}

}  // namespace flowjet::testing

// The gradient-check harness of gradcheck.h.
#include "engine/autograd/gradcheck.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/autograd/tape.h"
#include "engine/core/error.h"
#include "engine/random/generator.h"

namespace flowjet {
namespace {

using Weights = std::vector<std::vector<double>>;

// s = sum_k sum_i w_k[i] * y_k[i]
double weighted_sum(const std::vector<Tensor>& outputs, const Weights& weights) {
  double s = 0.0;
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    std::vector<double> y = outputs[k].to_vector();
    for (std::size_t i = 0; i < y.size(); ++i) s += weights[k][i] * y[i];
  }
  return s;
}

void require_f64_cpu(const Tensor& t, const std::string& name) {
  if (t.dtype() != DType::F64 || t.device() != Device::CPU)
    throw TypeError(fmt::format("gradcheck: {} is {}; gradient checks run on f64 CPU tensors", name, t.describe()));
}

// Runs `evaluate` once with recording, draws the output weights and back-propagates s.
Weights analytic_pass(const std::function<std::vector<Tensor>()>& evaluate, const GradcheckOptions& options) {
  tape().clear();
  std::vector<Tensor> outputs = evaluate();
  Weights weights;
  Generator gen(options.seed);
  std::vector<Tensor> roots, seeds;
  for (const Tensor& y : outputs) {
    Tensor w = random_normal(y.shape(), gen, DType::F64);
    weights.push_back(w.to_vector());
    if (y.requires_grad()) {
      roots.push_back(y);
      seeds.push_back(w);
    }
  }
  if (!roots.empty()) backward(roots, seeds);
  tape().clear();
  return weights;
}

// Compares `analytic` with central differences obtained by perturbing `target`'s values in place.
GradcheckInputReport compare(const std::string& name, Tensor& target, const std::vector<double>& analytic,
                             const std::function<std::vector<Tensor>()>& evaluate, const Weights& weights,
                             const GradcheckOptions& options) {
  GradcheckInputReport report;
  report.name = name;
  report.shape = target.shape();
  NoGradScope no_grad;
  double* x = target.data<double>();
  for (int64_t j = 0; j < target.numel(); ++j) {
    const double saved = x[j];
    x[j] = saved + options.step;
    const double s_plus = weighted_sum(evaluate(), weights);
    x[j] = saved - options.step;
    const double s_minus = weighted_sum(evaluate(), weights);
    x[j] = saved;
    const double numeric = (s_plus - s_minus) / (2.0 * options.step);
    const double a = analytic[static_cast<std::size_t>(j)];
    const double err = std::fabs(a - numeric);
    const double scale = std::max(std::fabs(a), std::fabs(numeric));
    report.max_abs_error = std::max(report.max_abs_error, err);
    if (scale > options.atol) report.max_rel_error = std::max(report.max_rel_error, err / scale);
    if (!(err <= options.atol + options.rtol * std::fabs(numeric))) {
      report.passed = false;
      if (static_cast<int>(report.mismatches.size()) < options.max_reported)
        report.mismatches.push_back(fmt::format("index {}: analytic {:.12g}, numeric {:.12g}", j, a, numeric));
    }
  }
  return report;
}

std::vector<double> gradient_or_zeros(const Tensor& t) {
  return t.grad().defined() ? t.grad().to_vector() : std::vector<double>(static_cast<std::size_t>(t.numel()), 0.0);
}

}  // namespace

std::string GradcheckResult::summary() const {
  std::string out;
  for (const auto& in : inputs) {
    out += fmt::format("  {} {}: max abs error {:.3g}, max rel error {:.3g} -> {}\n", in.name, in.shape.str(),
                       in.max_abs_error, in.max_rel_error, in.passed ? "pass" : "FAIL");
    for (const auto& m : in.mismatches) out += "    " + m + "\n";
  }
  return out;
}

GradcheckResult gradcheck(const GradcheckFunction& fn, const std::vector<Tensor>& inputs,
                          const std::vector<std::string>& names, const GradcheckOptions& options) {
  auto input_name = [&](std::size_t i) { return i < names.size() ? names[i] : fmt::format("input{}", i); };
  // Fresh leaf copies: the caller's tensors are never modified; perturbations go into these.
  std::vector<Tensor> leaves;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    require_f64_cpu(inputs[i], input_name(i));
    Tensor c = inputs[i].clone();
    if (inputs[i].requires_grad()) c.set_requires_grad(true);
    leaves.push_back(c);
  }
  auto evaluate = [&] { return fn(leaves); };
  Weights weights = analytic_pass(evaluate, options);
  GradcheckResult result;
  for (std::size_t i = 0; i < leaves.size(); ++i) {
    if (!leaves[i].requires_grad()) continue;
    std::vector<double> analytic = gradient_or_zeros(leaves[i]);
    result.inputs.push_back(compare(input_name(i), leaves[i], analytic, evaluate, weights, options));
    result.passed = result.passed && result.inputs.back().passed;
  }
  return result;
}

GradcheckResult gradcheck_parameters(const std::function<std::vector<Tensor>()>& fn, const NamedTensors& parameters,
                                     const GradcheckOptions& options) {
  for (const NamedTensor& p : parameters) {
    require_f64_cpu(p.tensor, p.name);
    if (!p.tensor.requires_grad())
      throw AutogradError(fmt::format("gradcheck_parameters: {} does not require a gradient", p.name));
    p.tensor.zero_grad();
  }
  Weights weights = analytic_pass(fn, options);
  GradcheckResult result;
  for (const NamedTensor& p : parameters) {
    std::vector<double> analytic = gradient_or_zeros(p.tensor);
    Tensor target = p.tensor;
    result.inputs.push_back(compare(p.name, target, analytic, fn, weights, options));
    result.passed = result.passed && result.inputs.back().passed;
    p.tensor.zero_grad();
  }
  return result;
}

}  // namespace flowjet

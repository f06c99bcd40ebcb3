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

// s = sum_k sum_i w_k[i] * y_k[i]
double weighted_sum(const std::vector<Tensor>& outputs, const std::vector<std::vector<double>>& weights) {
  double s = 0.0;
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    std::vector<double> y = outputs[k].to_vector();
    for (std::size_t i = 0; i < y.size(); ++i) s += weights[k][i] * y[i];
  }
  return s;
}

std::vector<Tensor> fresh_leaves(const std::vector<Tensor>& inputs) {
  std::vector<Tensor> leaves;
  for (const Tensor& t : inputs) {
    Tensor c = t.clone();
    if (t.requires_grad()) c.set_requires_grad(true);
    leaves.push_back(c);
  }
  return leaves;
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
  for (std::size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].dtype() != DType::F64 || inputs[i].device() != Device::CPU)
      throw TypeError(fmt::format("gradcheck: input {} is {}; gradient checks run on f64 CPU tensors", i,
                                  inputs[i].describe()));
  auto input_name = [&](std::size_t i) { return i < names.size() ? names[i] : fmt::format("input{}", i); };

  // Analytic pass: s = sum(w * y), backward through the tape.
  tape().clear();
  std::vector<Tensor> leaves = fresh_leaves(inputs);
  std::vector<Tensor> outputs = fn(leaves);
  std::vector<std::vector<double>> weights;
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

  GradcheckResult result;
  NoGradScope no_grad;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].requires_grad()) continue;
    GradcheckInputReport report;
    report.name = input_name(i);
    report.shape = inputs[i].shape();
    std::vector<double> analytic = leaves[i].grad().defined() ? leaves[i].grad().to_vector()
                                                              : std::vector<double>(static_cast<std::size_t>(inputs[i].numel()), 0.0);
    std::vector<Tensor> probe = fresh_leaves(inputs);
    double* x = probe[i].data<double>();
    for (int64_t j = 0; j < inputs[i].numel(); ++j) {
      double saved = x[j];
      x[j] = saved + options.step;
      double s_plus = weighted_sum(fn(probe), weights);
      x[j] = saved - options.step;
      double s_minus = weighted_sum(fn(probe), weights);
      x[j] = saved;
      double numeric = (s_plus - s_minus) / (2.0 * options.step);
      double a = analytic[static_cast<std::size_t>(j)];
      double err = std::fabs(a - numeric);
      double scale = std::max(std::fabs(a), std::fabs(numeric));
      report.max_abs_error = std::max(report.max_abs_error, err);
      if (scale > options.atol) report.max_rel_error = std::max(report.max_rel_error, err / scale);
      if (!(err <= options.atol + options.rtol * std::fabs(numeric))) {
        report.passed = false;
        if (static_cast<int>(report.mismatches.size()) < options.max_reported)
          report.mismatches.push_back(fmt::format("index {}: analytic {:.12g}, numeric {:.12g}", j, a, numeric));
      }
    }
    result.passed = result.passed && report.passed;
    result.inputs.push_back(std::move(report));
  }
  return result;
}

}  // namespace flowjet

// Gradient checking for embedders and tests: analytic gradients from the tape compared with
// float64 central finite differences of the scalar s = sum_k sum(w_k * y_k), where the w_k are
// fixed random weights (a plain sum could hide a transposed or permuted gradient).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/nn/named_tensor.h"
#include "engine/tensor/tensor.h"

namespace flowjet {

struct GradcheckOptions {
  double step = 1e-6;   // central-difference step h: (s(x+h) - s(x-h)) / 2h
  double atol = 1e-6;   // pass if |analytic - numeric| <= atol + rtol * |numeric|
  double rtol = 1e-6;
  uint64_t seed = 20221;  // seed of the output weights w_k
  int max_reported = 5;   // mismatches listed per input
};

struct GradcheckInputReport {
  std::string name;
  Shape shape;
  double max_abs_error = 0.0;
  /// max over elements of |a - n| / max(|a|, |n|), counting only elements with max(|a|,|n|) > atol.
  double max_rel_error = 0.0;
  bool passed = true;
  std::vector<std::string> mismatches;  // "index 3: analytic 0.5, numeric 0.25"
};

struct GradcheckResult {
  bool passed = true;
  std::vector<GradcheckInputReport> inputs;
  /// One line per input, then the first mismatches.
  std::string summary() const;
};

using GradcheckFunction = std::function<std::vector<Tensor>(const std::vector<Tensor>& inputs)>;

/// Checks the gradient of `fn` with respect to every input that requires a gradient. Inputs must be
/// f64 CPU tensors; `names` (optional) labels them in the report. `fn` is called with fresh leaf copies
/// of the inputs; it must be deterministic (draw masks outside and capture them).
GradcheckResult gradcheck(const GradcheckFunction& fn, const std::vector<Tensor>& inputs,
                          const std::vector<std::string>& names = {}, const GradcheckOptions& options = {});

/// Checks the gradient of `fn` (which reads the given parameters in place, e.g. a module's weights) with
/// respect to each parameter: analytic gradients from backward, numeric ones by perturbing the parameter's
/// values in place (restored afterwards). Parameters must be f64 CPU tensors that require a gradient;
/// their grad() is cleared before and after.
GradcheckResult gradcheck_parameters(const std::function<std::vector<Tensor>()>& fn, const NamedTensors& parameters,
                                     const GradcheckOptions& options = {});

}  // namespace flowjet

// One recorded operation on the tape: its name, inputs, outputs and the function that turns the
// outputs' gradients into contributions to the inputs' gradients.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/tensor/tensor.h"

namespace flowjet {

/// Receives one gradient per output (same order; all defined) and ADDS into the gradients of
/// the inputs that require one, through grad_buffer(input).
using BackwardFn = std::function<void(const std::vector<Tensor>& grad_outputs)>;

struct Node {
  std::string op;
  std::vector<Tensor> inputs;
  std::vector<Tensor> outputs;
  BackwardFn backward;
};

}  // namespace flowjet

// How ops record themselves: grad mode, the no-grad scope, and the helpers an op's wiring uses
// to push a Node and, in its backward, to reach the gradient buffers of its inputs.
#pragma once

#include <initializer_list>
#include <vector>

#include "engine/autograd/node.h"

namespace flowjet {

/// True unless a NoGradScope is open on this thread.
bool grad_enabled();

/// While alive, nothing is recorded on this thread's tape (sampling, evaluation, optimiser updates).
class NoGradScope {
 public:
  NoGradScope();
  ~NoGradScope();
  NoGradScope(const NoGradScope&) = delete;
  NoGradScope& operator=(const NoGradScope&) = delete;

 private:
  bool previous_;
};

/// True when grad mode is on and at least one of `inputs` requires a gradient: the op must record.
bool should_record(std::initializer_list<const Tensor*> inputs);
bool should_record(const std::vector<Tensor>& inputs);

/// Pushes a node; marks every output as a non-leaf that requires a gradient.
void record(const char* op, std::vector<Tensor> inputs, std::vector<Tensor> outputs, BackwardFn backward);

/// Inside a backward function: the gradient buffer of `input` to ADD into (allocated as zeros on
/// first use), or an undefined tensor when `input` does not require a gradient.
Tensor grad_buffer(const Tensor& input);

/// A gradient buffer and how a backward function must fill it.
struct GradTarget {
  Tensor grad;             ///< undefined: the input needs no gradient
  bool overwrite = false;  ///< true: created just now and uninitialised, so store every element; false: add
};

/// Inside a backward function that writes every element of `input`'s gradient: grad_buffer without the
/// zero fill. The first node to reach an input (its last consumer on the tape) gets a fresh,
/// uninitialised buffer and overwrite = true, and stores its gradient instead of adding it to zeros;
/// later nodes get overwrite = false and add. Saves a pass that writes zeros and one that reads them.
GradTarget grad_target(const Tensor& input);

}  // namespace flowjet

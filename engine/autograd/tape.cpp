// Recording and the reverse walk over the tape. Walking in exact reverse execution order makes
// gradient accumulation order fixed, so CPU runs are bit-reproducible.
#include "engine/autograd/tape.h"

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/core/error.h"
#include "engine/profile/profiler.h"

namespace flowjet {
namespace {
thread_local bool tls_grad_enabled = true;
}

Tape& tape() {
  thread_local Tape instance;
  return instance;
}

bool grad_enabled() { return tls_grad_enabled; }

NoGradScope::NoGradScope() : previous_(tls_grad_enabled) { tls_grad_enabled = false; }
NoGradScope::~NoGradScope() { tls_grad_enabled = previous_; }

bool should_record(std::initializer_list<const Tensor*> inputs) {
  if (!tls_grad_enabled) return false;
  for (const Tensor* t : inputs)
    if (t->requires_grad()) return true;
  return false;
}

bool should_record(const std::vector<Tensor>& inputs) {
  if (!tls_grad_enabled) return false;
  for (const Tensor& t : inputs)
    if (t.requires_grad()) return true;
  return false;
}

void record(const char* op, std::vector<Tensor> inputs, std::vector<Tensor> outputs, BackwardFn backward_fn) {
  for (Tensor& out : outputs) {
    out.impl()->requires_grad = true;
    out.impl()->is_leaf = false;
  }
  tape().push(Node{op, std::move(inputs), std::move(outputs), std::move(backward_fn)});
}

namespace {

// a + b element-wise, computed on the host in double and returned in a's dtype on the CPU. Used only
// for the rare output gradient that adds to an existing one, so the tape needs no op (engine/ops
// builds on the tape, not the other way round). For f32 the double sum rounded to f32 is the f32 sum
// (double has more than twice float's precision, so the double rounding is harmless).
Tensor sum_on_host(const Tensor& a, const Tensor& b) {
  std::vector<double> sum = a.to_vector();
  const std::vector<double> other = b.to_vector();
  for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += other[i];
  return Tensor::from_vector(sum, a.shape(), a.dtype());
}

}  // namespace

Tensor grad_buffer(const Tensor& input) {
  if (!input.requires_grad()) return Tensor();
  if (!input.impl()->grad) input.set_grad(Tensor::zeros(input.shape(), input.dtype(), input.device()));
  return input.grad();
}

GradTarget grad_target(const Tensor& input) {
  if (!input.requires_grad()) return {};
  if (input.impl()->grad) return {input.grad(), false};
  input.set_grad(Tensor::empty(input.shape(), input.dtype(), input.device()));
  return {input.grad(), true};
}

void backward(const Tensor& loss) {
  if (!loss.defined()) throw AutogradError("backward: the loss tensor is undefined");
  if (loss.numel() != 1)
    throw AutogradError(fmt::format("backward: the loss must have exactly one element, got {}; reduce it first "
                                    "(sum or mean) or pass an explicit output gradient",
                                    loss.describe()));
  backward(loss, Tensor::ones(loss.shape(), loss.dtype(), loss.device()));
}

void backward(const Tensor& output, const Tensor& grad_output) { backward(std::vector<Tensor>{output}, {grad_output}); }

void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs) {
  if (outputs.size() != grad_outputs.size())
    throw AutogradError(fmt::format("backward: {} outputs but {} output gradients", outputs.size(), grad_outputs.size()));
  Tape& t = tape();
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    const Tensor& output = outputs[k];
    const Tensor& grad_output = grad_outputs[k];
    if (!output.requires_grad())
      throw AutogradError(fmt::format("backward: {} does not depend on any tensor that requires a gradient "
                                      "(was it computed inside a NoGradScope?)",
                                      output.describe()));
    if (grad_output.shape() != output.shape() || grad_output.dtype() != output.dtype() ||
        grad_output.device() != output.device())
      throw ShapeError(fmt::format("backward: output gradient {} does not match output {}", grad_output.describe(),
                                   output.describe()));
    // A leaf output may already hold a gradient from an earlier backward: add to it, as for any leaf.
    const bool had_grad = output.impl()->grad != nullptr;
    Tensor seed = grad_buffer(output);
    seed.copy_(had_grad ? sum_on_host(seed, grad_output) : grad_output);
  }
  NoGradScope no_grad;  // backward computations are never recorded themselves
  try {
    for (auto node = t.nodes_.rbegin(); node != t.nodes_.rend(); ++node) {
      bool any = false;
      for (const Tensor& out : node->outputs) any = any || out.impl()->grad != nullptr;
      if (!any) continue;
      std::vector<Tensor> grads;
      grads.reserve(node->outputs.size());
      for (const Tensor& out : node->outputs) grads.push_back(grad_buffer(out));
      OpProfileScope scope(node->op.c_str(), OpPhase::Backward);
      if (scope.active()) {  // reads the output gradients and the inputs, writes the inputs' gradients
        for (const Tensor& g : grads) scope.add_read(g);
        for (const Tensor& in : node->inputs) {
          scope.add_read(in);
          if (in.requires_grad()) scope.add_written(in);
        }
      }
      node->backward(grads);
      // Intermediate gradients are not kept: every consumer of these outputs came later on the tape.
      for (const Tensor& out : node->outputs) out.impl()->grad.reset();
    }
  } catch (...) {
    t.clear();
    throw;
  }
  t.clear();
}

}  // namespace flowjet

// The tape: recorded operations in execution order, and the reverse walk that computes
// gradients. Each thread has its own tape, so independent models can run on separate threads.
#pragma once

#include <cstddef>
#include <vector>

#include "engine/autograd/node.h"

namespace flowjet {

class Tape {
 public:
  void push(Node node) { nodes_.push_back(std::move(node)); }
  std::size_t size() const { return nodes_.size(); }
  bool empty() const { return nodes_.empty(); }
  const std::vector<Node>& nodes() const { return nodes_; }
  /// Forgets every recorded node (and so releases the activations they hold).
  void clear() { nodes_.clear(); }

 private:
  friend void backward(const std::vector<Tensor>&, const std::vector<Tensor>&);
  std::vector<Node> nodes_;
};

/// This thread's tape.
Tape& tape();

/// Back-propagates from a one-element `loss` (seeded with 1): every leaf that requires a gradient
/// and that the loss depends on gets d loss / d leaf ADDED to its grad(). The tape is cleared
/// afterwards. Throws AutogradError for a loss with more than one element or none that requires grad.
void backward(const Tensor& loss);
/// Same, seeded with an explicit gradient of `output`'s shape (vector-Jacobian product).
void backward(const Tensor& output, const Tensor& grad_output);
/// Same, from several outputs at once, each seeded with its own gradient.
void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs);

}  // namespace flowjet

// Collectives over named tensors: the one gradient all-reduce of a data-parallel step (a flat
// bucket of every gradient plus the step's loss values) and the broadcast of a model's state.
#pragma once

#include <string>
#include <vector>

#include "engine/dist/communicator.h"
#include "engine/nn/named_tensor.h"

namespace flowjet::dist {

/// One all-reduce over a flat F32 bucket on comm.buffer_device(): every defined gradient of
/// `params`, then each of the one-element tensors `values`, all multiplied by `weight` on this rank
/// and summed over the ranks. The sums replace the gradients; the summed values are returned.
/// With weight = this rank's share of the global batch (rows / batch), gradients of per-rank means
/// become the gradient of the global batch mean. Every rank must hold the same defined gradients.
std::vector<double> all_reduce_gradients(Communicator& comm, const NamedTensors& params, double weight,
                                         const std::vector<Tensor>& values, const std::string& what);

/// Copies every tensor of rank `root` into the same tensor of the other ranks (through the host).
void broadcast_tensors(Communicator& comm, const NamedTensors& tensors, int root, const std::string& what);

}  // namespace flowjet::dist

// Loading jetnet's ParticleNet weights (pnet_state_dict.pt, metric-definitions.md §9.5 and 10.3) into the
// engine's ParticleNet, checking every tensor name, dtype and shape.
#pragma once

#include <memory>
#include <string>

#include "metrics/fpnd/particlenet.h"
#include "engine/io/torch_legacy.h"

namespace flowjet::metrics {

/// Copies the weights of `state` into `net`. Every parameter and buffer is looked up by its name and
/// must be float32 of the same shape; the file must also hold each batch norm's int64 scalar
/// num_batches_tracked (unused at inference) and, for every edge_nets.<i>.<rest> tensor, its alias
/// edge_convs.<i>.nn.<rest> with equal values, and nothing else (the 130 names of metric-definitions.md §10.3).
/// Everything is checked before anything is copied, so a failed load leaves `net` untouched.
/// Throws DataError naming the file and the tensor (missing, wrong dtype, wrong shape, unexpected).
void load_particlenet_weights(ParticleNet& net, const TorchStateDict& state);

/// Reads a legacy torch state dict (e.g. pnet_state_dict.pt) and returns the network in eval mode,
/// float32. Throws DataError as read_torch_legacy_state_dict and load_particlenet_weights.
std::unique_ptr<ParticleNet> load_particlenet(const std::string& path);

}  // namespace flowjet::metrics

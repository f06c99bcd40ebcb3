// Flow checkpoints: a flow's parameters and buffers (masks, batchnorm statistics) under their
// dotted names, plus its FlowSpec as "flow.*" attributes, so that a file alone rebuilds the flow.
// The file is an engine checkpoint (engine/io/checkpoint.h); callers add their own tensors
// (e.g. "aux/..." or "optim/...") and attributes beside the flow's.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/io/checkpoint.h"
#include "flows/flow.h"

namespace flowjet::flows {

/// Writes every FlowSpec field as an attribute "flow.<field>" (strings for enums and dtype). Explicit
/// masks are not attributes: they are the flow's "transforms.<l>.mask" tensors, which save_flow writes.
void put_flow_spec(Attributes& attributes, const FlowSpec& spec);
/// Reads what put_flow_spec wrote and validates it (for flow.mask = "explicit", the masks are read
/// from the tensors "transforms.<l>.mask"); throws CheckpointError naming the file and the attribute
/// or tensor when one is missing or malformed, or when the spec is invalid.
FlowSpec read_flow_spec(const Checkpoint& checkpoint);
/// True when the checkpoint holds a flow spec.
bool has_flow_spec(const Checkpoint& checkpoint);

/// The tensors that define a flow's state: parameters then buffers, shared (not copied).
NamedTensors flow_state(const Flow& flow);

/// Builds the flow of the checkpoint's spec and copies its state in (eval mode). Throws
/// CheckpointError naming the file and: each missing or mis-shaped tensor; a tensor with a NaN or
/// infinity; a mask with a value other than 0 and 1 or another number of 1s than the spec's mask;
/// the first tensor that is neither the flow's nor in `other_tensors` (exact names, or prefixes
/// ending in "/", e.g. the aux tensors of a jet model). Nothing is copied when a check fails.
std::unique_ptr<Flow> restore_flow(const Checkpoint& checkpoint, const std::vector<std::string>& other_tensors = {});

/// Saves the flow's state and spec, plus `extra_tensors` and `attributes`, atomically.
void save_flow(const std::string& path, const Flow& flow, const Attributes& attributes = {},
               const NamedTensors& extra_tensors = {});
/// load_checkpoint(path) then restore_flow.
std::unique_ptr<Flow> load_flow(const std::string& path);

}  // namespace flowjet::flows

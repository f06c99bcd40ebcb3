// What a flow reads, taken from files the way training prepares it: JetNet jets through a jet
// model's scaler (training-recipe.md §2–§4, §6: scaled particle columns, context [m~] or [m~, n]), or,
// for a bare flow checkpoint, an HDF5 file of ready-made flow inputs. Used by bin/logprob and bin/inspect.
#pragma once

#include <cstdint>
#include <string>

#include "data/jet_set.h"
#include "flows/io/jet_model.h"

namespace flowjet::flows {

/// Rows for Flow::log_prob / to_latent.
struct FlowInputs {
  Tensor x;        // [rows, D] in the flow's dtype
  Tensor context;  // [rows, C]; undefined when the flow takes no context
  int64_t rows() const { return x.defined() ? x.size(0) : 0; }
};

struct JetInputOptions {
  /// Half-normal noise on padded slots (training-recipe.md §3). Off by default: evaluation scores the jets as they are.
  bool add_noise = false;
  double noise_scale = 1e-7;
  uint64_t noise_seed = 42;
};

/// The flow inputs of `jets` under `model`: particle columns and the mass (computed before any noise) scaled with
/// the model's scaler, n raw; context per the flow's context_features (<= 0: none, 1: [m~], 2: [m~, n]). Throws
/// DataError when the jets have another particle count than the model, ConfigError for context_features > 2.
FlowInputs jet_model_inputs(const JetModel& model, const data::JetSet& jets, const JetInputOptions& options = {});

/// A checkpoint opened for evaluation: a jet model when it holds one (attribute model.kind), else a bare
/// flow (then `model` has only the flow and `is_jet_model` is false).
struct OpenedModel {
  JetModel model;
  bool is_jet_model = false;
  Flow& flow() const { return *model.flow; }
};
/// Throws CheckpointError naming the file (missing, not a flow checkpoint, malformed).
OpenedModel open_model(const std::string& path);

/// Rows [first, first + count) (count < 0: to the end) of `data_path` as inputs of `opened`:
///  - a jet model reads a JetNet file (its first P particles, num_particles capped to P);
///  - a bare flow reads any HDF5 file with root datasets "inputs" [N, D] and, for a conditioned flow,
///    "context" [N, C], float32 or float64 (no attributes needed; flowjet checkpoints and the nflows
///    fixtures have this layout too).
/// Throws DataError naming the file and what is wrong (missing dataset, dtype or shape with the shape
/// expected, row range).
FlowInputs read_flow_inputs(const OpenedModel& opened, const std::string& data_path, int64_t first = 0,
                            int64_t count = -1, const JetInputOptions& options = {});

}  // namespace flowjet::flows

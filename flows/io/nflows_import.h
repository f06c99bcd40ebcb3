// Importing an nflows coupling flow (a state dict read by engine/io/torch_state_dict.h, so no
// PyTorch is needed) as a flowjet flow: the talk's models (flow-model.md) are nflows
// CompositeTransforms of PiecewiseRationalQuadraticCouplingTransform (linear tails) or
// AffineCouplingTransform layers, each with a ResidualNet conditioner. Shapes (features, layers,
// hidden width, blocks, batch norm, context, bins) and each layer's mask come from the tensors;
// what a state dict does not hold (coupling kind, tail bound, dropout) from the options.
// docs/import.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/io/checkpoint.h"
#include "engine/io/torch_state_dict.h"
#include "flows/flow.h"

namespace flowjet::flows {

struct NflowsImportOptions {
  std::optional<CouplingKind> coupling;  ///< not in a state dict: required
  double tail_bound = 6.0;               ///< B of the spline
  double dropout = 0.0;                  ///< dropout of the conditioners (training only)
  std::optional<DType> dtype;            ///< default: f64 when every float tensor is float64, else f32
  uint64_t seed = 0;                     ///< recorded in the spec (dropout stream)
  std::optional<int64_t> bins;           ///< checked against the tensors when given (RQS only)
};

struct NflowsImport {
  std::unique_ptr<Flow> flow;             ///< eval mode, every tensor copied from the state dict
  std::string prefix;                     ///< the part of the names before "<l>.", e.g. "flow._transform._transforms."
  std::string container_key;              ///< "state_dict" when read from that entry of a checkpoint dict, else ""
  std::vector<std::string> ignored;       ///< tensors outside the coupling layers (e.g. "_distribution._log_z")
  int64_t dropped = 0;                    ///< batch norms' num_batches_tracked counters (unused by flowjet)
};

/// Builds the flowjet flow of an nflows state dict. Throws DataError naming the file and the tensor
/// or layer at fault: no "_transforms.<l>." tensors, layers under several prefixes or not numbered
/// 0..L-1, a missing or unknown tensor, identity/transform features that do not partition 0..D-1,
/// layers of different shapes, sizes that fit no RQS/affine ResidualNet, or a given option that
/// disagrees with the tensors; ConfigError when the coupling kind is missing.
NflowsImport import_nflows_state_dict(const TorchStateDict& state, const NflowsImportOptions& options);

/// Reads `input` (zip or legacy torch.save), imports it and saves the flow to `output` atomically with
/// the attributes import.source = "nflows", import.file (the input's file name) and import.prefix.
NflowsImport import_nflows_file(const std::string& input, const std::string& output, const NflowsImportOptions& options);

}  // namespace flowjet::flows

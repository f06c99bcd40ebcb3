// bin/inspect --html: one self-contained HTML page (inline SVG and CSS, no scripts, no network)
// showing a flow to people learning how flows work: the module table and where one coupling
// layer's parameters are, one jet traced through every layer (running log-probability, which
// features each layer held and how far it moved the others, the jet before and after), one
// spline with its knots and derivatives, and the masks of all layers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "data/standard_scaler.h"
#include "flows/flow.h"

namespace flowjet::flows {

struct InspectPageOptions {
  std::string model_description;  ///< the header line, e.g. "model.h5: jet model ..."
  std::string jet_description;    ///< which jet is traced, e.g. "jet 7 of q.h5"
  /// Module table rows down to this depth; < 0: every row of coupling layer 0 and the others' rows down to depth 2.
  int depth = -1;
  /// (layer, feature) of the spline; empty: layer 0 and its first transformed feature (a note instead of the figure
  /// when layer 0 is affine).
  std::optional<std::pair<int64_t, int64_t>> spline;
  /// A jet model's scaler: draws the input jet in physical (eta_rel, phi_rel, pt_rel); null for a bare flow, whose
  /// inputs are drawn as they are.
  const data::StandardScaler* scaler = nullptr;
};

/// The page for the row x [1, D] with context [1, C] (undefined without context); the flow should be in eval mode.
/// The traced log p(x | c) is in the page as <data id="log-prob" value="..."> with 17 significant digits.
/// Throws ShapeError for a malformed row, ConfigError for a spline layer or feature the flow does not have.
std::string inspect_page(Flow& flow, const Tensor& x, const Tensor& context, const InspectPageOptions& options = {});

}  // namespace flowjet::flows

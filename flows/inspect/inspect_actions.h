// bin/inspect's actions on an opened checkpoint, each one call returning its text, for
// tools/inspect.cpp and for programs that embed the library (docs/inspect.md, docs/embedding.md):
// the overview (module table and hyper-parameters), one jet traced layer by layer, one spline's knots
// and curve as CSV, and the HTML page with all of it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "flows/io/flow_inputs.h"

namespace flowjet::flows {

/// The jet an action looks at: row `index` of `data`, or without `data` random jet number `index`:
/// z ~ N(0, I) from a generator seeded with `index`, mapped to data, with a condition drawn from the
/// model's sampler (zeros for a bare conditioned flow).
struct InspectJet {
  std::optional<std::string> data;  // a JetNet file for a jet model, an inputs file for a bare flow
  int64_t index = 0;
  /// "jet 7 of q.h5" or "random jet 7".
  std::string description() const;
};

/// Receives the line that says how a random jet was made ("random jet 5 (z ~ N(0, I) seeded with 5, ...)"),
/// before the action's work; not called for a jet of `data`.
using InspectNote = std::function<void(const std::string& line)>;

/// The inputs [1, D] (and context [1, C]) of `jet`. Throws DataError naming the file for a bad `data`.
FlowInputs inspect_jet(const OpenedModel& opened, const InspectJet& jet, const InspectNote& note = {});

/// "model.h5: jet model \"cnf_mn\" (g jets, 30 particles, with conditional sampler)" or "x.h5: flow checkpoint".
std::string describe_model(const std::string& path, const OpenedModel& opened);

/// `title`, the module table down to `depth` (negative: every row) and the hyper-parameters.
std::string format_overview(const Flow& flow, const std::string& title, int depth = -1);

/// The jet traced through every layer, forward and backward, with `values_shown` values per layer.
std::string inspect_trace(const OpenedModel& opened, const InspectJet& jet, int values_shown = 6,
                          const InspectNote& note = {});

/// The knots and curve (spline_csv) of coupling layer `layer`'s spline for `feature` at `jet`, the curve
/// on `grid_points` points. Throws ConfigError for a layer or feature without a spline.
std::string inspect_spline_csv(const OpenedModel& opened, const InspectJet& jet, int64_t layer, int64_t feature,
                               int64_t grid_points = 201, const InspectNote& note = {});

/// The self-contained page (inspect_page) of the checkpoint at `path`: its module table down to `depth`
/// (negative: inspect_page's default), `jet` traced, the spline of (layer, feature) (empty: layer 0's first).
std::string inspect_html(const std::string& path, const OpenedModel& opened, const InspectJet& jet, int depth = -1,
                         const std::optional<std::pair<int64_t, int64_t>>& spline = std::nullopt,
                         const InspectNote& note = {});

}  // namespace flowjet::flows

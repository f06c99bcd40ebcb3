// A layer-by-layer walk of one point through a flow, for learners: per coupling layer, which
// features were held (fed to the conditioner) and which transformed, the values before and after,
// the layer's log|det| and the running log-probability; then the same backwards from the latent point.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "flows/flow.h"

namespace flowjet::flows {

struct TraceStep {
  int64_t layer = 0;                     // index of the coupling layer (0 = first in the data -> latent direction)
  std::vector<int64_t> held;             // identity features (increasing)
  std::vector<int64_t> transformed;      // transformed features (increasing)
  std::vector<double> before, after;     // the point before and after this layer: [D]
  double logabsdet = 0.0;                // log|det| of the map this step applied (inverse map when going backwards)
  /// Forward: log N(h_l; 0, I) + sum of the log|det| so far, i.e. log p(x) if the flow ended after this layer
  /// (after the last layer it is log p(x | c)). Backward: log N(z; 0, I) - sum of the inverse log|det| so far,
  /// which is log p(x | c) again once every layer is undone.
  double running_log_prob = 0.0;
};

struct FlowTraceReport {
  std::vector<double> input;             // x: [D]
  std::vector<double> context;           // c: [C] (empty without context)
  double input_base_log_prob = 0.0;      // log N(x; 0, I): the running log-probability before any layer
  std::vector<TraceStep> forward;        // layers 0 .. L-1
  std::vector<TraceStep> backward;       // layers L-1 .. 0, starting from the latent point
  std::vector<double> latent;            // z = f(x): [D]
  std::vector<double> reconstructed;     // f^-1(z): [D], equals x up to rounding
  double log_prob = 0.0;                 // Flow::log_prob(x | c)
};

/// Traces one row: x [1, D], context [1, C] or undefined (the flow should be in eval mode). Throws ShapeError for
/// more than one row or shapes the flow does not take.
FlowTraceReport trace_flow(Flow& flow, const Tensor& x, const Tensor& context);

/// Text for a terminal: per step the held/transformed counts and first indices, `values_shown` transformed
/// features before/after, log|det| and the running log-probability; then the round-trip error.
std::string format_trace(const FlowTraceReport& report, int values_shown = 6);

}  // namespace flowjet::flows

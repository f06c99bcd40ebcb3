// The small flows that tests build: one shape shared by the flow tests and one on JetNet's 90
// features for the tests that train or generate jets. A test changes the fields its point needs.
#pragma once

#include <cstdint>

#include "flows/flow_spec.h"

namespace flowjet::test {

/// D = 6 (two particles), 3 RQS coupling layers with K = 4 bins and B = 3, conditioners with
/// H = 8 in 2 residual blocks with batch norm, context (m, n), float64; the rest as FlowSpec's
/// defaults (random masks, seed 42, no dropout).
flows::FlowSpec small_flow_spec();

/// D = 90 (30 particles), 2 RQS coupling layers with K = 4 and FlowSpec's B = 6, conditioners
/// with H = 16 in one residual block, `context_features` as the model needs, float32; the rest
/// as FlowSpec's defaults (no batch norm, no dropout).
flows::FlowSpec small_jet_flow_spec(int64_t context_features);

}  // namespace flowjet::test

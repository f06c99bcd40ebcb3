// A small float64 flow with non-trivial weights and batch-norm statistics for the inspection tests.
#pragma once

#include <memory>

#include "flows/flow.h"

namespace flowjet::test {

/// test::small_flow_spec() (D = 6, 3 layers, K = 4, B = 3, H = 8, 2 blocks, batch norm, context 2) with
/// `coupling`; weights perturbed by N(0, 0.3^2) and one training-mode pass; returned in eval mode.
std::unique_ptr<flows::Flow> non_trivial_flow(flows::CouplingKind coupling, uint64_t seed = 11);

/// One row x [1, 6] with entries inside and outside [-3, 3], and its context [1, 2].
Tensor trace_row();
Tensor trace_context();

}  // namespace flowjet::test

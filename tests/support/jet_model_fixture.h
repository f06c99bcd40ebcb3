// A small but complete jet model for tests of generation, bin/sample and the embedding API:
// JetNet-like synthetic jets (P = 30), the preprocessing, scaler and conditional sampler fitted
// on them, and a small freshly initialised flow (close to the identity, so generated jets stay
// JetNet-like and pass strict validation).
#pragma once

#include <cstdint>
#include <string>

#include "data/jet_set.h"
#include "flows/io/jet_model.h"

namespace flowjet::test {

/// `count` jets with n in 3..10 real particles, pt_rel ≈ 0.4·0.6^k (±5 %), |eta_rel|, |phi_rel| < 0.2,
/// zero padding up to P = 30, jet features as JetNet's; passes strict validation.
data::JetSet jetnet_like_jets(int64_t count, uint64_t seed);

/// kind: "vnf" (no context), "cnf_m" (context [m~]) or "cnf_mn" (context [m~, n]); the flow has
/// 2 RQS layers with 16 hidden features and is in eval mode.
flows::JetModel small_jet_model(const std::string& kind, uint64_t seed = 5);

}  // namespace flowjet::test

// JetNet jets (data/jet_set.h, read from HDF5) as metric input: the first three particle
// features (eta_rel, phi_rel, pt_rel) in double precision, the mask dropped (metric-definitions.md §2).
#pragma once

#include <string>
#include <vector>

#include "data/jet_set.h"
#include "metrics/jets/jet_array.h"

namespace flowjet::metrics {

/// The particle features of `jets` as a JetArray, values unchanged (padding stays exactly 0).
JetArray to_jet_array(const data::JetSet& jets);

/// Reads the first `particles` particles (0: all stored) of every jet of a JetNet-layout file.
/// The data reader's content checks (jet-samples.md §4.3) are skipped, because generated jets need not
/// be pt-ordered or have consistent jet features; the metrics check finiteness themselves.
/// `type` only labels the set (the reader wants one). Throws JetNetError naming the file.
JetArray read_jet_array(const std::string& path, int64_t particles, data::JetType type,
                        std::vector<std::string>* warnings = nullptr);

}  // namespace flowjet::metrics

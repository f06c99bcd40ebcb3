// The committed stand-in samples (data/samples/*.h5, read from the repository root) as metric input.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>

#include <doctest/doctest.h>

#include "data/jet_set.h"
#include "metrics/jets/jet_array.h"
#include "metrics/jets/jet_set_input.h"

namespace flowjet::metrics::testing {

/// The first n jets of `jets`.
inline JetArray first_jets(const JetArray& jets, int64_t n) {
  REQUIRE(jets.jets >= n);
  JetArray out(n, jets.particles);
  std::copy(jets.values.begin(), jets.values.begin() + static_cast<std::ptrdiff_t>(out.values.size()),
            out.values.begin());
  return out;
}

/// The first n jets of data/samples/<type>.h5 ("g", "q" or "t"), 30 particles each.
inline JetArray sample_jets(const char* type, int64_t n) {
  return first_jets(read_jet_array(std::string("data/samples/") + type + ".h5", 30, *data::parse_jet_type(type)), n);
}

}  // namespace flowjet::metrics::testing

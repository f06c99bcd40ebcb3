// Shared helpers of the metrics tests: tolerance checks and the small jets of metric-definitions.md §11.2.
#pragma once

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "metrics/fpnd/fpnd_resources.h"
#include "metrics/jets/jet_array.h"
#include "tests/support/tolerance.h"

namespace flowjet::metrics::testing {

/// CHECK that |got - expected| <= atol + rtol * |expected| (the "relative" tolerances of
/// metric-definitions.md, atol for values near 0), through the suites' one tolerance helper.
#define CHECK_CLOSE(got, expected, rtol, atol) \
  ::flowjet::test::check_close((got), (expected), ::flowjet::test::Tolerance::isclose((rtol), (atol)))

using Particle = std::vector<double>;
using Jet = std::vector<Particle>;

/// The test jets A-F of metric-definitions.md §11.2, as (eta, phi, pt).
inline Jet jet_a() { return {{0, 0, 0.5}, {0, 0.1, 0.5}}; }
inline Jet jet_b() { return {{0.1, 0, 0.6}, {-0.2, 0, 0.4}}; }
inline Jet jet_c() { return {{0, 0, 0.5}, {0.3, 0.4, 0.3}, {-0.1, 0.2, 0.2}}; }
inline Jet jet_d() { return {{0.05, -0.02, 0.7}, {-0.1, 0.15, 0.2}, {0.2, 0.1, 0.08}, {0, -0.3, 0.02}}; }
inline Jet jet_e() { return {{0, 3.0, 0.5}, {0, -3.0, 0.5}}; }
inline Jet jet_f() { return {{0.1, 0.1, 0.5}, {0.2, 0, -0.1}}; }

/// Directory of the FPND resources for tests: always the repository's copy (tests run from the
/// repository root and read no file outside it, whatever $FLOWJET_FPND_DIR says).
inline std::string fpnd_test_dir() { return "metrics/resources/fpnd"; }

}  // namespace flowjet::metrics::testing

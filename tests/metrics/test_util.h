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

namespace flowjet::metrics::testing {

/// |got - expected| <= atol + rtol * |expected| (the "relative" tolerances of metric-definitions.md; atol for
/// values near 0).
inline bool close(double got, double expected, double rtol, double atol = 0.0) {
  if (std::isinf(expected)) return got == expected;
  return std::fabs(got - expected) <= atol + rtol * std::fabs(expected);
}

/// "got G, expected E (difference D)" with full precision, for failure messages.
inline std::string describe(double got, double expected) {
  char text[128];
  std::snprintf(text, sizeof text, "got %.17g, expected %.17g (difference %.3g)", got, expected, got - expected);
  return text;
}

#define CHECK_CLOSE(got, expected, rtol, atol)                                              \
  do {                                                                                      \
    const double got_ = (got), expected_ = (expected);                                      \
    INFO(::flowjet::metrics::testing::describe(got_, expected_));                           \
    CHECK(::flowjet::metrics::testing::close(got_, expected_, (rtol), (atol)));            \
  } while (0)

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

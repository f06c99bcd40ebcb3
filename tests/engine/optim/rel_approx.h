// Relative comparison for the optimiser tests: |got - expected| < rtol * |expected|
// (doctest's Approx adds an absolute scale of 1, too loose for learning rates near 1e-3).
#pragma once

#include <doctest/doctest.h>

inline doctest::Approx rel(double expected, double rtol) { return doctest::Approx(expected).epsilon(rtol).scale(0.0); }

// The jets of metric-definitions.md §11.7 (golden jets G1, G2, G3) and 11.8 (the 300 deterministic jets),
// defined in double precision (FPND rounds them to float32 itself), and the reference activations of 11.7.
#pragma once

#include <cmath>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "metrics/jets/jet_array.h"
#include "tests/metrics/test_util.h"

namespace flowjet::metrics::testing {

/// G1, G2, G3 of metric-definitions.md §11.7 as jets 0, 1, 2 of a [3, 30, 3] array (unlisted particles are padding).
inline JetArray golden_fpnd_jets() {
  JetArray jets(3, 30);
  double norm = 0;
  for (int k = 0; k < 30; ++k) norm += std::exp(-0.15 * k);
  for (int i = 0; i < 30; ++i) {
    jets.eta_rel(0, i) = 0.4 * std::sin(0.7 * i + 0.3) * std::exp(-0.05 * i);
    jets.phi_rel(0, i) = 0.3 * std::cos(1.3 * i + 0.1) * std::exp(-0.05 * i);
    jets.pt_rel(0, i) = std::exp(-0.15 * i) / norm;
  }
  for (int i = 0; i < 12; ++i) {
    jets.eta_rel(1, i) = 0.2 * std::sin(2.1 * i + 1.0);
    jets.phi_rel(1, i) = 0.15 * std::cos(0.9 * i - 0.4);
    jets.pt_rel(1, i) = (12.0 - i) / 78.0;
  }
  const double pt3[5] = {0.5, 0.25, 0.125, 0.0625, 0.0625};
  for (int i = 0; i < 5; ++i) {
    jets.eta_rel(2, i) = 0.05 * (i - 2);
    jets.phi_rel(2, i) = 0.03 - 0.04 * (i - 2) * (i - 2);
    jets.pt_rel(2, i) = pt3[i];
  }
  return jets;
}

/// The 300 jets of metric-definitions.md §11.8: jet j has n_j = 10 + (7j mod 21) particles.
inline JetArray deterministic_fpnd_jets() {
  JetArray jets(300, 30);
  for (int64_t j = 0; j < 300; ++j) {
    const int64_t n = 10 + (7 * j) % 21;
    const double a = 0.1 + 0.3 * (static_cast<double>((37 * j) % 100) / 100.0);
    const double lambda = 0.1 + 0.002 * static_cast<double>(j);
    double norm = 0;
    for (int64_t k = 0; k < n; ++k) norm += std::exp(-lambda * static_cast<double>(k));
    for (int64_t i = 0; i < n; ++i) {
      const double di = static_cast<double>(i), dj = static_cast<double>(j);
      jets.eta_rel(j, i) = a * std::sin(0.9 * di + 0.11 * dj) * std::exp(-0.04 * di);
      jets.phi_rel(j, i) = a * std::cos(1.1 * di + 0.07 * dj) * std::exp(-0.04 * di);
      jets.pt_rel(j, i) = std::exp(-lambda * di) / norm;
    }
  }
  return jets;
}

/// The reference fc1 activations of G1, G2, G3 (metric-definitions.md §11.7), from tests/fixtures/fpnd/golden_activations.txt: 256 rows (activation index) of 3 columns (G1 G2 G3); '#' lines are comments.
/// Returns [3, 256] row-major (jet-major, like the network output).
inline std::vector<double> golden_fpnd_activations() {
  const std::string path = "tests/fixtures/fpnd/golden_activations.txt";
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot open " << path);
  std::vector<double> jet_major(3 * 256);
  std::string line;
  int row = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    REQUIRE(row < 256);
    std::istringstream fields(line);
    for (int jet = 0; jet < 3; ++jet) REQUIRE(static_cast<bool>(fields >> jet_major[jet * 256 + row]));
    ++row;
  }
  REQUIRE(row == 256);
  return jet_major;
}

}  // namespace flowjet::metrics::testing

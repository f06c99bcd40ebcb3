// FPND input scaling against metric-definitions.md §11.7 (golden jet G2) and the activation-to-FPND step.
#include <doctest/doctest.h>

#include <cmath>

#include "engine/core/error.h"
#include "metrics/fpnd/fpnd_pipeline.h"
#include "tests/metrics/test_util.h"

using namespace flowjet::metrics;
using namespace flowjet::metrics::testing;

TEST_CASE("metrics/fpnd_pipeline: input scaling of golden jet G2 (metric-definitions.md §11.7), exact in float32") {
  JetArray jets(2, 30);
  for (int i = 0; i < 12; ++i) {
    jets.eta_rel(0, i) = 0.2 * std::sin(2.1 * i + 1.0);
    jets.phi_rel(0, i) = 0.15 * std::cos(0.9 * i - 0.4);
    jets.pt_rel(0, i) = (12.0 - i) / 78.0;
  }
  int64_t used = 0;
  const auto input = fpnd_network_input(jets, 1, used);
  CHECK(used == 1);
  REQUIRE(input.size() == 90);
  CHECK(input[0] == 0.10380849987268448f);
  CHECK(input[1] == 0.2653208076953888f);
  CHECK(input[2] == -0.3278108239173889f);
  CHECK(input[36] == 0.0f);  // particle 12 is padding: (0, 0, -0.5)
  CHECK(input[37] == 0.0f);
  CHECK(input[38] == -0.5f);
  fpnd_network_input(jets, 0, used);
  CHECK(used == 2);
}

TEST_CASE("metrics/fpnd_pipeline: FPND from activations uses the unbiased covariance, warns below 50k") {
  GaussianStats reference;
  reference.dim = 2;
  reference.mu = {0, 0};
  reference.sigma = {1, 0, 0, 1};
  // Rows (1, 1), (-1, -1), (1, -1), (-1, 1): mean 0, unbiased covariance (4/3) I.
  const std::vector<float> activations = {1, 1, -1, -1, 1, -1, -1, 1};
  std::vector<std::string> warnings;
  const double fd = fpnd_from_activations(activations, 4, 2, reference, &warnings);
  const double s = std::sqrt(4.0 / 3.0);
  CHECK_CLOSE(fd, 2 * (1 + 4.0 / 3.0 - 2 * s), 0, 1e-12);  // per dimension (1 - s)^2 with s = sqrt(4/3)
  CHECK(warnings.size() == 1);
  CHECK_THROWS_AS(fpnd_from_activations(activations, 2, 4, reference), flowjet::ShapeError);
}

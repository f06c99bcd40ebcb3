// Jet mass of training-recipe.md §2 (golden values of its table, clamp) and the relative mass of
// jet-samples.md §1.5 (two-particle formula of jet-samples.md §4.4).
#include <doctest/doctest.h>

#include <cmath>

#include "data/jet_kinematics.h"

using namespace flowjet;

TEST_CASE("data/jet_kinematics: training-recipe.md §2 golden masses") {
  const double jet1[] = {0.1, -0.05, 0.5, -0.12, 0.08, 0.3, 0.02, 0.2, 0.15, 0, 0, 0};
  CHECK(data::clamped_jet_mass(jet1, 4) == doctest::Approx(0.1284321543879827).epsilon(1e-13));
  // Second particle exercises the clamp (pz = 40 sinh 6 clamped to 100), third has pt < 0.
  const double jet2[] = {0.0, 0.0, 0.7, 6.0, 3.0, 40.0, -0.3, -0.4, -0.2};
  CHECK(data::clamped_jet_mass(jet2, 3) == doctest::Approx(14.97196596560201).epsilon(1e-13));
  const float jet1_f[] = {0.1f, -0.05f, 0.5f, -0.12f, 0.08f, 0.3f, 0.02f, 0.2f, 0.15f};
  CHECK(data::clamped_jet_mass(jet1_f, 3) == doctest::Approx(0.1284321543879827).epsilon(1e-6));
  const double single[] = {0.3, 0.2, 0.9};
  CHECK(data::clamped_jet_mass(single, 1) == doctest::Approx(0.0).epsilon(1e-7));  // rounding of E² - p² only
  CHECK(data::clamped_jet_mass(single, 0) == 0.0);
}

TEST_CASE("data/jet_kinematics: relative mass of two massless particles and empty jets") {
  data::JetSet jets = data::JetSet::zeros(3, 30, data::JetType::G);
  const double d = 0.3;
  for (int k = 0; k < 2; ++k) {
    jets.particle(0, k, data::kEtaRel) = 0.1f;
    jets.particle(0, k, data::kPhiRel) = static_cast<float>(k == 0 ? d / 2 : -d / 2);
    jets.particle(0, k, data::kPtRel) = 0.5f;
    jets.particle(0, k, data::kMask) = 1.0f;
  }
  // m² = 2 a b (cosh Δeta − cos Δphi) with a = b = 0.5, Δeta = 0 → m = |sin(d / 2)|.
  const double expected = std::fabs(std::sin(static_cast<float>(d / 2) * 2.0 / 2.0));
  CHECK(data::relative_jet_mass(jets, 0) == doctest::Approx(expected).epsilon(1e-6));
  jets.particle(1, 0, data::kPtRel) = 0.8f;
  jets.particle(1, 0, data::kMask) = 1.0f;
  CHECK(data::relative_jet_mass(jets, 1) == doctest::Approx(0.0).epsilon(1e-12));
  CHECK(data::relative_jet_mass(jets, 2) == 0.0);
  // The training mass over all slots agrees with the relative mass when nothing is clamped.
  CHECK(data::clamped_jet_masses(jets)[0] == doctest::Approx(expected).epsilon(1e-6));
}

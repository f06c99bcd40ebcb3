// Jet mass and EFPs against metric-definitions.md §11.2 and 13.9.1; input checks of section 2.
#include <doctest/doctest.h>

#include "data/jet_kinematics.h"
#include "engine/core/error.h"
#include "metrics/jets/efp.h"
#include "metrics/jets/jet_mass.h"
#include "tests/metrics/test_util.h"

using namespace flowjet::metrics;
using namespace flowjet::metrics::testing;

namespace {
struct Expected11_2 {
  Jet jet;
  double mass;
  double efp[5];
};
}  // namespace

TEST_CASE("metrics/jet_mass: metric-definitions.md §11.2 masses to 1e-12 relative") {
  const std::vector<std::pair<Jet, double>> cases = {
      {jet_a(), 0.049979169270678886}, {jet_b(), 0.14752114011846945},
      {jet_c(), 0.2332197876689943},   {jet_d(), 0.1141469539917682},
      {jet_e(), 0.14112000805986752},  {jet_f(), 0.451701525280454},
  };
  const JetArray jets = make_jet_array({cases[0].first, cases[1].first, cases[2].first,
                                        cases[3].first, cases[4].first, cases[5].first}, 4);
  const auto masses = relative_jet_masses(jets);
  REQUIRE(masses.size() == 6);
  for (size_t k = 0; k < cases.size(); ++k) {
    INFO("jet " << "ABCDEF"[k]);
    CHECK_CLOSE(masses[k], cases[k].second, 1e-12, 0.0);
  }
}

TEST_CASE("metrics/jet_mass: padding contributes nothing") {
  const double a[6] = {0, 0, 0.5, 0, 0.1, 0.5};
  const double a_padded[9] = {0, 0, 0.5, 0, 0.1, 0.5, 0, 0, 0};
  CHECK(flowjet::data::relative_jet_mass(a, 2) == flowjet::data::relative_jet_mass(a_padded, 3));
}

TEST_CASE("metrics/efp: n=4 d=4 EFPs of metric-definitions.md §11.2 to 1e-12 relative") {
  const std::vector<Expected11_2> cases = {
      {jet_a(), 0, {1.2500000000000045e-05, 1.2500000000000045e-05, 1.2500000000000045e-05, 0, 1.2500000000000045e-05}},
      {jet_b(), 0, {0.0010108800000000005, 0.0009331200000000005, 0.0009331200000000004, 0, 0.0009331200000000006}},
      {jet_c(), 0, {0.008343404631987239, 0.007274420160087315, 0.007440012162874654, 0.002340394668524895, 0.0059405}},
      {jet_d(), 0, {0.0008055210291256409, 0.0004981521937643522, 0.0005548322125023785, 0.0002965898054535345, 0.0003629357178219167}},
      {jet_e(), 0, {0.0008038830645815849, 0.0008038830645815849, 0.0008038830645815849, 0, 0.0008038830645815849}},
      {jet_f(), 0, {-5.200000000000008e-06, 2.000000000000003e-06, 2.0000000000000033e-06, 0, 2.000000000000003e-06}},
  };
  std::vector<Jet> jets;
  for (const auto& c : cases) jets.push_back(c.jet);
  const auto efps = efps_n4d4(make_jet_array(jets, 4));
  REQUIRE(efps.size() == cases.size() * 5);
  for (size_t j = 0; j < cases.size(); ++j)
    for (int k = 0; k < 5; ++k) {
      INFO("jet " << "ABCDEF"[j] << " EFP_" << k);
      CHECK_CLOSE(efps[j * 5 + k], cases[j].efp[k], 1e-12, 1e-15);
    }
}

TEST_CASE("metrics/efp: two-particle hand check of metric-definitions.md §7.3") {
  const double z1 = 0.3, z2 = 0.6, eta = 0.2, phi = 0.1;
  const double jet[6] = {0, 0, z1, eta, phi, z2};
  const double theta = std::sqrt(eta * eta + phi * phi);
  const double t4 = theta * theta * theta * theta;
  const auto e = efp_n4d4(jet, 2);
  CHECK_CLOSE(e[0], t4 * (z1 * z2 * z2 * z2 + z1 * z1 * z1 * z2), 1e-13, 0.0);
  CHECK_CLOSE(e[1], 2 * z1 * z1 * z2 * z2 * t4, 1e-13, 0.0);
  CHECK_CLOSE(e[2], 2 * z1 * z1 * z2 * z2 * t4, 1e-13, 0.0);
  CHECK(std::fabs(e[3]) <= 1e-18);
  CHECK_CLOSE(e[4], 2 * z1 * z1 * z2 * z2 * t4, 1e-13, 0.0);
}

TEST_CASE("metrics/efp: all 36 d<=4 EFPs of metric-definitions.md §13.9.1 jets C and D to 1e-12 relative") {
  const double c[36] = {1.0, 0.2483869910099908, 0.10900000000000001, 0.050469194269498766, 0.024049999999999988,
      0.06562461179749812, 0.029259519494249014, 0.01364992235949962, 0.013224999999999999, 0.009000000000000008,
      0.0035124611797498137, 0.018401089197629082, 0.008343404631987239, 0.0165370910100445, 0.007274420160087315,
      0.007440012162874654, 0.002340394668524895, 0.0059405, 0.005433665501657292, 0.004431458850534801,
      0.00432170231599362, 0.061696097302997244, 0.027074182020089, 0.01253589130329947, 0.011881000000000003,
      0.016300299860579303, 0.007153082685927297, 0.00726768400557468, 0.002235482919089919, 0.015324507966151093,
      0.004570591177105533, 0.004107598276043322, 0.004306589673572329, 0.006724874606026701, 0.004048782434929865,
      0.0038064084224209037};
  const double d[36] = {0.9999999999999999, 0.10781022853365811, 0.02609, 0.006671193014567779, 0.0018385538,
      0.01595490455285661, 0.004064390559087309, 0.0011141486363801805, 0.0010600505799999997, 0.001674070247982367,
      0.0004755281570358117, 0.0030074027118885275, 0.0008055210291256409, 0.0019847016269147286,
      0.0004981521937643522, 0.0005548322125023785, 0.0002965898054535345, 0.0003629357178219167,
      0.0006549029768906185, 0.00033967375764103907, 0.0002739402788529525, 0.011623045376479589,
      0.00281276886244314, 0.0007192228434926959, 0.0006806881, 0.0017201019060761734, 0.00041626345978402893,
      0.0004381828750252452, 0.0001804818960163767, 0.0012530831782953428, 0.0003242287736614453,
      0.00021397113596879994, 0.0002545589792907646, 0.00030324525387235245, 0.00018544457959525316,
      0.00013509518382370355};
  const auto efps = efps_d4(make_jet_array({jet_c(), jet_d()}, 4));
  REQUIRE(efps.size() == 72);
  for (int k = 0; k < 36; ++k) {
    INFO("EFP " << k);
    CHECK_CLOSE(efps[k], c[k], 1e-12, 1e-15);
    CHECK_CLOSE(efps[36 + k], d[k], 1e-12, 1e-15);
  }
}

TEST_CASE("metrics/jet_array: NaN/inf check names the jet, clipping counts particles") {
  JetArray jets = make_jet_array({jet_a(), jet_f(), jet_c()}, 3);
  CHECK_NOTHROW(check_jet_array_finite(jets, "generated jets"));
  jets.phi_rel(2, 1) = std::nan("");
  try {
    check_jet_array_finite(jets, "generated jets");
    FAIL("expected NumericError");
  } catch (const flowjet::NumericError& e) {
    const std::string message = e.what();
    CHECK(message.find("generated jets") != std::string::npos);
    CHECK(message.find("jet 2") != std::string::npos);
    CHECK(message.find("phi_rel") != std::string::npos);
  }
  jets.phi_rel(2, 1) = 0.4;
  CHECK_THROWS_AS(check_jet_array_nonnegative_pt(jets, "real jets"), flowjet::DataError);
  CHECK(clip_negative_pt(jets) == 1);
  CHECK(jets.pt_rel(1, 1) == 0.0);
  CHECK_NOTHROW(check_jet_array_nonnegative_pt(jets, "real jets"));
  JetArray bad(2, 3);
  bad.values.pop_back();
  CHECK_THROWS_AS(check_jet_array_shape(bad, "real jets"), flowjet::ShapeError);
}

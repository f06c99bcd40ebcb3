// PCHIP against training-recipe.md §8.3's golden values and SciPy's PchipInterpolator.
// Reference numbers: made by `/usr/bin/python3 tests/flows/pchip_golden.py` (SciPy 1.10.1);
// the "spec" case equals training-recipe.md §8.3's table.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "engine/core/error.h"
#include "flows/pchip.h"
#include "tests/support/tolerance.h"

using flowjet::flows::Pchip;
using flowjet::test::check_close;
using flowjet::test::Tolerance;

namespace {

struct GoldenCase {
  std::string name;
  std::vector<double> x, y, derivatives, t, values;
};

// Agreement to a few ulps: the arithmetic follows SciPy's order, so only libm differences remain.
const Tolerance kFewUlps = Tolerance::at_least_one(1e-14);

const std::vector<GoldenCase>& golden_cases() {
  static const std::vector<GoldenCase> cases = {
  // spec
  {"spec", {0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0},
   {-1.2, -0.1, 0.3, 0.5, 0.504, 2.0},
   {7.249999999999999, 2.933333333333333, 1.333333333333333, 0.039215686274509845, 0.03989333333333337, 11.21},
   {0.0, 0.05, 0.2, 0.37, 0.5, 0.61, 0.75, 0.9, 0.999, 1.0},
   {-1.2, -0.85171875, -0.1, 0.25802, 0.4323529411764705, 0.5003639722352942, 0.5026206470588235, 0.9727473333333332, 1.9887901922193336, 2.0}},
  // non_monotone
  {"non_monotone", {0.0, 0.5, 1.5, 1.7, 3.0, 4.2},
   {1.0, 3.0, 2.0, 2.0, -1.0, 5.0},
   {5.666666666666667, 0.0, 0.0, 0.0, 0.0, 8.507692307692306},
   {-0.3, 0.0, 0.25, 0.5, 1.0, 1.6, 2.2, 3.0, 3.9, 4.2, 4.5},
   {-0.3280000000000001, 1.0, 2.3541666666666665, 3.0, 2.5, 2.0, 1.0100136549840686, -1.0, 2.6268269230769214, 5.0, 7.6754807692307665}},
  // two_nodes
  {"two_nodes", {1.0, 3.0},
   {2.0, -1.0},
   {-1.5, -1.5},
   {0.0, 1.0, 1.7, 3.0, 4.0},
   {3.5, 2.0, 0.9500000000000002, -1.0, -2.5}},
  // edge_limit
  {"edge_limit", {0.0, 1.0, 2.0},
   {0.0, 1.0, -5.0},
   {3.0, 0.0, -9.5},
   {0.0, 0.3, 1.0, 1.5, 2.0},
   {0.0, 0.6569999999999999, 1.0, -0.8125, -5.0}},
  // quantile20
  {"quantile20", {0.0, 0.05263157894736842, 0.10526315789473684, 0.15789473684210525, 0.21052631578947367, 0.2631578947368421, 0.3157894736842105, 0.3684210526315789, 0.42105263157894735, 0.47368421052631576, 0.5263157894736842, 0.5789473684210527, 0.631578947368421, 0.6842105263157894, 0.7368421052631579, 0.7894736842105263, 0.8421052631578947, 0.894736842105263, 0.9473684210526315, 1.0},
   {-2.5556526653067264, -2.013584146128277, -1.0531130709133203, -0.8626381532133282, -0.6642247140763924, -0.5633299429463228, -0.4485089300934066, -0.3900097608021407, -0.35237292357679467, -0.27850248940739253, -0.23675841906943443, -0.23179942871676937, -0.21098405661045616, -0.1970824537950791, 0.22759153660799, 0.41983395368764864, 0.48362049772776766, 0.9607231796773118, 2.045345338041465, 3.323429596993019},
   {6.324477582043728, 13.167282343262556, 6.040191898644384, 3.692899896278093, 2.541585422911473, 2.040758931752517, 1.472670313793041, 0.8702826766369757, 0.9474671914154134, 1.0135302598415339, 0.16843266122131872, 0.152185441087509, 0.316731148750732, 0.5115165340065799, 5.028774448267443, 1.8200058903194394, 2.138041823202769, 12.591266295689387, 22.29522165747009, 26.121490875659813},
   {0.0, 0.013, 0.31, 0.5, 0.77, 0.9999, 1.0},
   {-2.5556526653067264, -2.4579950771534653, -0.4579680321750718, -0.25207060161591205, 0.3691154814465807, 3.320817768565903, 3.323429596993019}},
  };
  return cases;
}

}  // namespace

TEST_CASE("flows/pchip: node derivatives and values equal SciPy's PchipInterpolator") {
  for (const GoldenCase& c : golden_cases()) {
    INFO("case ", c.name);
    const Pchip pchip(c.x, c.y);
    for (size_t i = 0; i < c.x.size(); ++i) {
      INFO("node ", i);
      check_close(pchip.derivatives()[i], c.derivatives[i], kFewUlps);
    }
    for (size_t i = 0; i < c.t.size(); ++i) {
      INFO("t = ", c.t[i]);
      check_close(pchip(c.t[i]), c.values[i], kFewUlps);
    }
  }
}

TEST_CASE("flows/pchip: passes through the nodes and is monotone on monotone data") {
  const std::vector<double> x = {0.0, 0.1, 0.15, 0.5, 0.9, 1.0};
  const std::vector<double> y = {-3.0, -1.0, -0.99, 0.0, 0.0, 4.0};
  const Pchip pchip(x, y);
  for (size_t i = 0; i < x.size(); ++i) CHECK(pchip(x[i]) == doctest::Approx(y[i]).epsilon(1e-15));
  double previous = pchip(0.0);
  for (int i = 1; i <= 10000; ++i) {
    const double value = pchip(i / 10000.0);
    REQUIRE(value >= previous - 1e-15);
    previous = value;
  }
}

TEST_CASE("flows/pchip: rejects too few, unsorted or non-finite nodes") {
  CHECK_THROWS_AS(Pchip({0.0}, {1.0}), flowjet::ShapeError);
  CHECK_THROWS_AS(Pchip({0.0, 1.0}, {1.0}), flowjet::ShapeError);
  CHECK_THROWS_WITH_AS(Pchip({0.0, 1.0, 1.0}, {1.0, 2.0, 3.0}), doctest::Contains("strictly increasing"),
                       flowjet::NumericError);
  CHECK_THROWS_AS(Pchip({0.0, 1.0}, {1.0, NAN}), flowjet::NumericError);
}

// The exact bounded least-squares line fit, against the "bounded least squares" column of
// metric-definitions.md §13.9.4 (the contrast to jetnet's early-stopping fit).
#include <cmath>
#include <vector>

#include <doctest/doctest.h>

#include "engine/core/error.h"
#include "metrics/frechet/bounded_line_fit.h"
#include "metrics/frechet/fpd_kpd.h"
#include "tests/metrics/test_util.h"

using namespace flowjet;
using namespace flowjet::metrics;

namespace {
std::vector<double> default_x() {
  std::vector<double> x;
  for (const int64_t size : fpd_batch_sizes(20000, 50000, 10)) x.push_back(1.0 / static_cast<double>(size));
  return x;
}
}  // namespace

TEST_CASE("metrics/bounded_line_fit: metric-definitions.md §13.9.4 F1 (interior optimum)") {
  const std::vector<double> y = {0.0010837394078544837, 0.0011693672338836004, 0.001137413487365907,
                                 0.001135046766050124,  0.001075150145804077,  0.0011216163410926628,
                                 0.0010979745273634323, 0.001085631761630962,  0.0010746632212845831,
                                 0.0010738642080941664};
  const LineFit fit = bounded_line_fit(default_x(), y);
  CHECK_CLOSE(fit.intercept, 1.0370057021267902e-03, 1e-10, 0.0);
  CHECK_CLOSE(fit.slope, 1.9554, 1e-4, 0.0);
}

TEST_CASE("metrics/bounded_line_fit: metric-definitions.md §13.9.4 F2 and F3 (intercept at the bound / interior)") {
  const std::vector<double> f2 = {5.1204268905352676e-05, 4.679168003807743e-05,  3.888024603324047e-05,
                                  4.2736236364149247e-05, 4.165480024844182e-05,  3.72146987486055e-05,
                                  3.088122546531236e-05,  2.4710224048613005e-05, 2.174873830714241e-05,
                                  1.8714664827401695e-05};
  const LineFit fit2 = bounded_line_fit(default_x(), f2);
  CHECK(fit2.intercept == 0.0);
  CHECK_CLOSE(fit2.slope, 1.0157, 1e-4, 0.0);
  const std::vector<double> f3 = {0.0009034318078333214, 0.0007515290972536393, 0.0004934509785007978,
                                  0.0007498209879344575, 0.0007307368843252005, 0.0005329132244174528,
                                  0.0007187414740415732, 0.0005619654979763855, 0.00046693535102251826,
                                  0.0005371063792432851};
  const LineFit fit3 = bounded_line_fit(default_x(), f3);
  CHECK_CLOSE(fit3.intercept, 3.113727549055895e-04, 1e-9, 0.0);
  CHECK_CLOSE(fit3.slope, 9.52, 1e-3, 0.0);
}

TEST_CASE("metrics/bounded_line_fit: constant, zero and F6 (slope at the bound) cases") {
  const LineFit f4 = bounded_line_fit(default_x(), std::vector<double>(10, 2.0));
  CHECK_CLOSE(f4.intercept, 2.0, 1e-12, 0.0);
  CHECK(std::fabs(f4.slope) < 1e-9);
  const LineFit f5 = bounded_line_fit(default_x(), std::vector<double>(10, 0.0));
  CHECK(f5.intercept == 0.0);
  CHECK(f5.slope == 0.0);
  const LineFit f6 = bounded_line_fit({0.2, 0.2, 0.14285714285714285, 0.1},
                                      {0.24898367243629496, 0.14188318504620542, 0.08039091412763523, 0.309208549160051});
  CHECK_CLOSE(f6.intercept, 0.19511658019254666, 1e-12, 0.0);
  CHECK(f6.slope == 0.0);
}

TEST_CASE("metrics/bounded_line_fit: size errors") {
  CHECK_THROWS_AS(bounded_line_fit({}, {}), ShapeError);
  CHECK_THROWS_AS(bounded_line_fit({1.0, 2.0}, {1.0}), ShapeError);
}

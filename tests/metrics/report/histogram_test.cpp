// Histogram binning edge cases: bin edges, the upper edge, under/overflow, NaN, empty input,
// degenerate ranges, densities, and 2-D counts.
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include <doctest/doctest.h>

#include "engine/core/error.h"
#include "metrics/report/histogram.h"

using namespace flowjet;
using namespace flowjet::metrics;

TEST_CASE("metrics/histogram: bins are [low + i w, low + (i+1) w), the last one holds high") {
  const Binning b{0.0, 1.0, 4};
  CHECK(b.width() == 0.25);
  CHECK(b.bin_of(0.0) == 0);
  CHECK(b.bin_of(0.2499) == 0);
  CHECK(b.bin_of(0.25) == 1);
  CHECK(b.bin_of(0.75) == 3);
  CHECK(b.bin_of(1.0) == 3);                   // upper edge included, as numpy does
  CHECK(b.bin_of(std::nextafter(1.0, 2.0)) == 4);  // overflow
  CHECK(b.bin_of(-1e-300) == -1);              // underflow
  CHECK(b.bin_of(std::nextafter(1.0, 0.0)) == 3);
  CHECK(b.edge(0) == 0.0);
  CHECK(b.edge(4) == 1.0);
}

TEST_CASE("metrics/histogram: counts, under/overflow, NaN skipped, density over all finite entries") {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  const Histogram1D h = histogram({-0.5, 0.1, 0.1, 0.3, 1.0, 2.0, nan, inf}, Binning{0.0, 1.0, 2});
  CHECK(h.counts == std::vector<double>{3.0, 1.0});
  CHECK(h.underflow == 1);
  CHECK(h.overflow == 1);
  CHECK(h.non_finite == 2);
  CHECK(h.entries == 6);
  const auto d = h.density();  // count / (6 entries * width 0.5)
  CHECK(d[0] == doctest::Approx(1.0));
  CHECK(d[1] == doctest::Approx(1.0 / 3.0));
}

TEST_CASE("metrics/histogram: empty input gives zero counts and zero density") {
  const Histogram1D h = histogram({}, Binning{0.0, 1.0, 3});
  CHECK(h.entries == 0);
  CHECK(h.density() == std::vector<double>(3, 0.0));
  const Histogram2D h2 = histogram_2d({}, {}, Binning{0, 1, 2}, Binning{0, 1, 2});
  CHECK(h2.density() == std::vector<double>(4, 0.0));
}

TEST_CASE("metrics/histogram: auto_binning spans the pooled quantiles and widens degenerate ranges") {
  std::vector<double> a(1000), b(1000);
  std::iota(a.begin(), a.end(), 0.0);      // 0 .. 999
  std::iota(b.begin(), b.end(), 1000.0);   // 1000 .. 1999
  const Binning full = auto_binning(a, b, 10, 0.0);
  CHECK(full.low == 0.0);
  CHECK(full.high == 1999.0);
  CHECK(full.bins == 10);
  const Binning trimmed = auto_binning(a, b, 10, 0.01);  // nearest ranks 19 and 1980
  CHECK(trimmed.low == 19.0);
  CHECK(trimmed.high == 1980.0);

  const Binning constant = auto_binning({3.0, 3.0}, {3.0}, 5);
  CHECK(constant.low == 2.5);
  CHECK(constant.high == 3.5);
  const Binning large_constant = auto_binning({100.0}, {}, 5);
  CHECK(large_constant.low == 95.0);
  CHECK(large_constant.high == 105.0);
  const Binning nothing = auto_binning({std::nan("")}, {}, 5);
  CHECK(nothing.low == 0.0);
  CHECK(nothing.high == 1.0);
  CHECK_THROWS_AS(auto_binning(a, b, 0), ConfigError);
  CHECK_THROWS_AS(auto_binning(a, b, 10, 0.5), ConfigError);
}

TEST_CASE("metrics/histogram: integer binning centres bins on integers") {
  const Binning b = integer_binning(0, 30);
  CHECK(b.bins == 31);
  CHECK(b.bin_of(0.0) == 0);
  CHECK(b.bin_of(30.0) == 30);
  CHECK(b.bin_of(17.0) == 17);
  CHECK_THROWS_AS(integer_binning(3, 2), ConfigError);
}

TEST_CASE("metrics/histogram: 2-D counts are row-major in y, pairs with NaN skipped, outside counted") {
  const Histogram2D h = histogram_2d({0.1, 0.9, 0.9, 5.0, std::nan("")}, {0.1, 0.1, 0.9, 0.5, 0.5},
                                     Binning{0, 1, 2}, Binning{0, 1, 2});
  CHECK(h.count(0, 0) == 1.0);
  CHECK(h.count(1, 0) == 1.0);
  CHECK(h.count(1, 1) == 1.0);
  CHECK(h.count(0, 1) == 0.0);
  CHECK(h.entries == 4);
  CHECK(h.outside == 1);
  CHECK(h.density()[0] == doctest::Approx(1.0));  // 1 / (4 entries * 0.5 * 0.5)
  CHECK_THROWS_AS(histogram_2d({1.0}, {}, Binning{}, Binning{}), ShapeError);
}

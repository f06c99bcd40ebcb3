// The comparisons of tolerance.h.
#include "tests/support/tolerance.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace flowjet::test {

double Tolerance::bound(double got, double expected) const {
  switch (scale_) {
    case Scale::Absolute: return value_;
    case Scale::Relative: return value_ * std::fabs(expected);
    case Scale::PlusOne: return value_ * (1.0 + std::fabs(expected));
    case Scale::AtLeastOne: return value_ * std::max(1.0, std::fabs(expected));
    case Scale::Approx: return value_ * (1.0 + std::max(std::fabs(got), std::fabs(expected)));
    case Scale::IsClose: return absolute_ + value_ * std::fabs(expected);
  }
  return 0.0;
}

bool Tolerance::accepts(double got, double expected) const {
  if (value_ == 0.0 && absolute_ == 0.0 && scale_ != Scale::Approx) return got == expected;
  if (scale_ == Scale::IsClose && std::isinf(expected)) return got == expected;
  const double diff = std::fabs(got - expected);
  // doctest::Approx compares strictly; the other forms allow the bound itself.
  return scale_ == Scale::Approx ? diff < bound(got, expected) : diff <= bound(got, expected);
}

std::string Tolerance::str() const {
  switch (scale_) {
    case Scale::Absolute: return fmt::format("{:g} absolute", value_);
    case Scale::Relative: return fmt::format("{:g} * |expected|", value_);
    case Scale::PlusOne: return fmt::format("{:g} * (1 + |expected|)", value_);
    case Scale::AtLeastOne: return fmt::format("{:g} * max(1, |expected|)", value_);
    case Scale::Approx: return fmt::format("Approx epsilon {:g}: < {:g} * (1 + max(|got|, |expected|))", value_, value_);
    case Scale::IsClose: return fmt::format("{:g} + {:g} * |expected|", absolute_, value_);
  }
  return "";
}

namespace {

std::string describe(const std::string& what, double got, double expected, Tolerance tolerance) {
  return fmt::format("{}got {:.17g}, expected {:.17g}: |diff| {:.3g}, bound {:.3g} ({})",
                     what.empty() ? "" : what + ": ", got, expected, std::fabs(got - expected),
                     tolerance.bound(got, expected), tolerance.str());
}

}  // namespace

void check_close(double got, double expected, Tolerance tolerance, const std::string& what) {
  const bool ok = tolerance.accepts(got, expected);
  CHECK_MESSAGE(ok, (ok ? std::string() : describe(what, got, expected, tolerance)));
}

void check_all_close(const std::vector<double>& got, const std::vector<double>& expected, Tolerance tolerance,
                     const std::string& what, const std::vector<char>& skip,
                     const std::vector<double>& allowance) {
  REQUIRE_MESSAGE(got.size() == expected.size(),
                  fmt::format("{}: {} values vs {} expected", what, got.size(), expected.size()));
  REQUIRE_MESSAGE((skip.empty() || skip.size() == got.size()), what << ": skip mask of the wrong length");
  REQUIRE_MESSAGE((allowance.empty() || allowance.size() == got.size()), what << ": allowance of the wrong length");
  std::size_t failures = 0, worst_index = 0;
  double worst = -1.0;  // |diff| / bound of the worst failing element; NaN counts as the worst
  for (std::size_t i = 0; i < got.size(); ++i) {
    if ((!skip.empty() && skip[i]) || tolerance.accepts(got[i], expected[i])) continue;
    const double extra = allowance.empty() ? 0.0 : allowance[i];
    if (extra > 0 && std::fabs(got[i] - expected[i]) <= tolerance.bound(got[i], expected[i]) + extra) continue;
    ++failures;
    const double bound = tolerance.bound(got[i], expected[i]) + extra;
    const double ratio = bound > 0 ? std::fabs(got[i] - expected[i]) / bound : std::numeric_limits<double>::infinity();
    if (!(ratio <= worst)) worst = ratio, worst_index = i;
  }
  if (failures == 0) {
    CHECK(failures == 0);
    return;
  }
  const double worst_extra = allowance.empty() ? 0.0 : allowance[worst_index];
  CHECK_MESSAGE(failures == 0,
                fmt::format("{}{} of {} elements out of tolerance; worst {}{}", what.empty() ? "" : what + ": ", failures,
                            got.size(),
                            describe(fmt::format("[{}]", worst_index), got[worst_index], expected[worst_index], tolerance),
                            worst_extra > 0 ? fmt::format(" (plus its allowance {:.3g})", worst_extra) : ""));
}

void check_all_close(const Tensor& got, const Tensor& expected, Tolerance tolerance, const std::string& what) {
  REQUIRE_MESSAGE(got.shape() == expected.shape(),
                  fmt::format("{}: shape {} vs expected {}", what, got.shape().str(), expected.shape().str()));
  check_all_close(got.to_vector(), expected.to_vector(), tolerance, what);
}

double max_abs_difference(const std::vector<double>& a, const std::vector<double>& b) {
  REQUIRE(a.size() == b.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::fmax(worst, std::fabs(a[i] - b[i]));
  return worst;
}

double max_abs_difference(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  return max_abs_difference(a.to_vector(), b.to_vector());
}

}  // namespace flowjet::test

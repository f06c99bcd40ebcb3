// The numeric comparisons of the test suites: a Tolerance names how far a value may be from the
// expected one and on what scale; check_close compares two numbers, check_all_close two vectors or
// tensors element by element and reports the worst element. Every failure message shows the values,
// their difference and the bound.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "engine/tensor/tensor.h"

namespace flowjet::test {

/// The bound on |got - expected| of one comparison:
///   absolute(t):     |got - expected| <= t
///   relative(t):     |got - expected| <= t * |expected|
///   plus_one(t):     |got - expected| <= t * (1 + |expected|)     (relative for large values, absolute near 0)
///   at_least_one(t): |got - expected| <= t * max(1, |expected|)
///   approx(t):       |got - expected| <  t * (1 + max(|got|, |expected|)), doctest::Approx(expected).epsilon(t)
///   isclose(r, a):   |got - expected| <= a + r * |expected|          (numpy.isclose's bound; an infinite
///                    expected value asks for the same infinity)
/// A value of 0 asks for equal values, infinities included (not for approx(): like doctest::Approx, a bound
/// of 0 accepts nothing). NaN is never close to anything.
class Tolerance {
 public:
  static Tolerance absolute(double t) { return {Scale::Absolute, t}; }
  static Tolerance relative(double t) { return {Scale::Relative, t}; }
  static Tolerance plus_one(double t) { return {Scale::PlusOne, t}; }
  static Tolerance at_least_one(double t) { return {Scale::AtLeastOne, t}; }
  static Tolerance approx(double t) { return {Scale::Approx, t}; }
  static Tolerance isclose(double rtol, double atol) { return {Scale::IsClose, rtol, atol}; }

  /// The largest |got - expected| allowed (for approx(), the first value not allowed).
  double bound(double got, double expected) const;
  bool accepts(double got, double expected) const;
  /// The formula with its value, e.g. "1e-09 * (1 + |expected|)".
  std::string str() const;

 private:
  enum class Scale { Absolute, Relative, PlusOne, AtLeastOne, Approx, IsClose };
  Tolerance(Scale scale, double value, double absolute = 0.0) : scale_(scale), value_(value), absolute_(absolute) {}
  Scale scale_;
  double value_;
  double absolute_;  // isclose's absolute part
};

/// One CHECK that `got` is within `tolerance` of `expected`; `what` names the value in the failure message.
void check_close(double got, double expected, Tolerance tolerance, const std::string& what = "");

/// REQUIREs equal sizes, then one CHECK that every element is within `tolerance`; a failure reports how many
/// elements are out and the worst one (largest |got - expected| / bound) with its index and both values.
/// Elements whose `skip` entry is set (when `skip` is not empty) are not compared. `allowance` (when not
/// empty) adds a per-element amount to the bound, for values known to be less certain than the rest.
void check_all_close(const std::vector<double>& got, const std::vector<double>& expected, Tolerance tolerance,
                     const std::string& what = "", const std::vector<char>& skip = {},
                     const std::vector<double>& allowance = {});
/// The same for tensors (any dtype and device; copied to the host), after REQUIRing equal shapes.
void check_all_close(const Tensor& got, const Tensor& expected, Tolerance tolerance, const std::string& what = "");

/// max_i |a_i - b_i| of equal-length vectors or equal-shape tensors (REQUIREd); NaN differences are passed
/// over, as std::fmax does. For checks that two results differ by at least, or at most, some amount.
double max_abs_difference(const std::vector<double>& a, const std::vector<double>& b);
double max_abs_difference(const Tensor& a, const Tensor& b);

/// Purely relative doctest comparison, |got - expected| < rtol * max(|got|, |expected|): doctest::Approx
/// with its absolute scale of 1 removed (too loose for values near 1e-3, e.g. learning rates).
inline doctest::Approx relative_approx(double expected, double rtol) {
  return doctest::Approx(expected).epsilon(rtol).scale(0.0);
}

}  // namespace flowjet::test

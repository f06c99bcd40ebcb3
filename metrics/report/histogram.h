// Histograms for the evaluation report: equal-width binning over a range chosen from both samples,
// 1-D and 2-D counts with under/overflow, and densities normalised to all finite entries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace flowjet::metrics {

/// `bins` equal-width bins over [low, high]; bin i is [low + i w, low + (i + 1) w), the last bin
/// also holds `high` (numpy's convention).
struct Binning {
  double low = 0;
  double high = 1;
  int bins = 1;
  double width() const { return (high - low) / bins; }
  /// Bin of x, -1 below low, `bins` above high (x finite).
  int bin_of(double x) const;
  /// Left edge of bin i (i = bins gives high).
  double edge(int i) const { return low + (high - low) * i / bins; }
};

/// A range covering both samples between their pooled `tail` and 1 - `tail` quantiles (so a few
/// outliers do not squeeze the plot), ignoring non-finite values. A zero-width range (one distinct
/// value) is widened to +-0.5 (or +-5% of |x|, if larger); no finite values give [0, 1].
/// Throws ConfigError for bins < 1 or tail outside [0, 0.5).
Binning auto_binning(const std::vector<double>& a, const std::vector<double>& b, int bins, double tail = 0.001);

/// Unit-width bins centred on the integers first .. last (for multiplicities).
Binning integer_binning(int first, int last);

struct Histogram1D {
  Binning binning;
  std::vector<double> counts;  ///< [bins]
  int64_t underflow = 0;
  int64_t overflow = 0;
  int64_t non_finite = 0;      ///< NaN/inf values, skipped
  int64_t entries = 0;         ///< finite values, in range or not

  /// counts / (entries * width): the fraction of all finite entries per unit of x, so samples of
  /// different sizes compare directly. All zeros when there are no entries.
  std::vector<double> density() const;
};

Histogram1D histogram(const std::vector<double>& values, const Binning& binning);

/// counts[y][x] row-major, y bins outer.
struct Histogram2D {
  Binning x, y;
  std::vector<double> counts;
  int64_t outside = 0;  ///< finite pairs outside the range
  int64_t entries = 0;  ///< finite pairs
  double count(int ix, int iy) const { return counts[static_cast<size_t>(iy) * x.bins + ix]; }
  /// count / (entries * x width * y width), zeros when empty.
  std::vector<double> density() const;
};

/// Pairs (xs[k], ys[k]); pairs with a non-finite member are skipped. Throws ShapeError when the
/// sizes differ.
Histogram2D histogram_2d(const std::vector<double>& xs, const std::vector<double>& ys, const Binning& x,
                         const Binning& y);

}  // namespace flowjet::metrics

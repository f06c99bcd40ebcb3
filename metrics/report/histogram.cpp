// Histogram binning and counting (histogram.h).
#include "metrics/report/histogram.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet::metrics {

int Binning::bin_of(double x) const {
  if (x < low) return -1;
  if (x > high) return bins;
  if (x == high) return bins - 1;
  return std::min(bins - 1, static_cast<int>((x - low) / width()));
}

Binning auto_binning(const std::vector<double>& a, const std::vector<double>& b, int bins, double tail) {
  if (bins < 1) throw ConfigError(fmt::format("auto_binning: {} bins, need at least 1", bins));
  if (!(tail >= 0.0 && tail < 0.5)) throw ConfigError(fmt::format("auto_binning: tail {} outside [0, 0.5)", tail));
  std::vector<double> pooled;
  pooled.reserve(a.size() + b.size());
  for (const auto* sample : {&a, &b})
    for (const double x : *sample)
      if (std::isfinite(x)) pooled.push_back(x);
  if (pooled.empty()) return {0.0, 1.0, bins};
  // Order statistics at tail and 1 - tail (nearest rank).
  const auto last = static_cast<double>(pooled.size() - 1);
  const auto lo_rank = static_cast<size_t>(std::floor(tail * last));
  const auto hi_rank = static_cast<size_t>(std::ceil((1.0 - tail) * last));
  std::nth_element(pooled.begin(), pooled.begin() + static_cast<std::ptrdiff_t>(lo_rank), pooled.end());
  const double low = pooled[lo_rank];
  std::nth_element(pooled.begin(), pooled.begin() + static_cast<std::ptrdiff_t>(hi_rank), pooled.end());
  const double high = pooled[hi_rank];
  if (high > low) return {low, high, bins};
  const double half = std::max(0.5, 0.05 * std::fabs(low));
  return {low - half, low + half, bins};
}

Binning integer_binning(int first, int last) {
  if (last < first) throw ConfigError(fmt::format("integer_binning: last {} < first {}", last, first));
  return {first - 0.5, last + 0.5, last - first + 1};
}

Histogram1D histogram(const std::vector<double>& values, const Binning& binning) {
  Histogram1D h;
  h.binning = binning;
  h.counts.assign(static_cast<size_t>(binning.bins), 0.0);
  for (const double x : values) {
    if (!std::isfinite(x)) {
      ++h.non_finite;
      continue;
    }
    ++h.entries;
    const int i = binning.bin_of(x);
    if (i < 0) ++h.underflow;
    else if (i >= binning.bins) ++h.overflow;
    else h.counts[static_cast<size_t>(i)] += 1.0;
  }
  return h;
}

std::vector<double> Histogram1D::density() const {
  std::vector<double> out(counts.size(), 0.0);
  if (entries == 0) return out;
  const double scale = 1.0 / (static_cast<double>(entries) * binning.width());
  for (size_t i = 0; i < counts.size(); ++i) out[i] = counts[i] * scale;
  return out;
}

Histogram2D histogram_2d(const std::vector<double>& xs, const std::vector<double>& ys, const Binning& x,
                         const Binning& y) {
  if (xs.size() != ys.size())
    throw ShapeError(fmt::format("histogram_2d: {} x values and {} y values", xs.size(), ys.size()));
  Histogram2D h;
  h.x = x;
  h.y = y;
  h.counts.assign(static_cast<size_t>(x.bins) * static_cast<size_t>(y.bins), 0.0);
  for (size_t k = 0; k < xs.size(); ++k) {
    if (!std::isfinite(xs[k]) || !std::isfinite(ys[k])) continue;
    ++h.entries;
    const int ix = x.bin_of(xs[k]), iy = y.bin_of(ys[k]);
    if (ix < 0 || ix >= x.bins || iy < 0 || iy >= y.bins) ++h.outside;
    else h.counts[static_cast<size_t>(iy) * x.bins + ix] += 1.0;
  }
  return h;
}

std::vector<double> Histogram2D::density() const {
  std::vector<double> out(counts.size(), 0.0);
  if (entries == 0) return out;
  const double scale = 1.0 / (static_cast<double>(entries) * x.width() * y.width());
  for (size_t i = 0; i < counts.size(); ++i) out[i] = counts[i] * scale;
  return out;
}

}  // namespace flowjet::metrics

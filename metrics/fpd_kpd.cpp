// FPD and KPD (spec metrics.md 13.3-13.7): normalisation by the real sample's column max |x|,
// numpy-compatible index draws, Fréchet distance per batch + jetnet's fit (FPD), unbiased MMD^2
// with a quartic polynomial kernel, median and inter-quantile half-range (KPD).
#include "metrics/fpd_kpd.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/core/error.h"
#include "metrics/efp.h"
#include "metrics/fpd_fit.h"
#include "metrics/frechet.h"
#include "metrics/numpy_pcg64.h"

namespace flowjet::metrics {

namespace {

void check_features(const FeatureMatrix& m, const char* metric, const char* which) {
  if (m.rows < 1 || m.cols < 1 || m.values.size() != static_cast<size_t>(m.rows * m.cols))
    throw ShapeError(fmt::format("{}: {} sample has {} values for [{}, {}]", metric, which, m.values.size(), m.rows,
                                 m.cols));
  for (size_t k = 0; k < m.values.size(); ++k)
    if (!std::isfinite(m.values[k]))
      throw NumericError(fmt::format("{}: {} sample row {} feature {} is not finite", metric, which,
                                     static_cast<int64_t>(k) / m.cols, static_cast<int64_t>(k) % m.cols));
}

// Divides both samples by the real sample's column max |x| (1 where that is 0).
void normalise(FeatureMatrix& real, FeatureMatrix& gen) {
  std::vector<double> scale(static_cast<size_t>(real.cols), 0.0);
  for (int64_t r = 0; r < real.rows; ++r)
    for (int64_t c = 0; c < real.cols; ++c)
      scale[static_cast<size_t>(c)] = std::max(scale[static_cast<size_t>(c)], std::fabs(real.values[static_cast<size_t>(r * real.cols + c)]));
  for (auto& s : scale)
    if (s == 0.0) s = 1.0;
  for (FeatureMatrix* m : {&real, &gen})
    for (int64_t r = 0; r < m->rows; ++r)
      for (int64_t c = 0; c < m->cols; ++c) m->values[static_cast<size_t>(r * m->cols + c)] /= scale[static_cast<size_t>(c)];
}

std::vector<double> gather_rows(const FeatureMatrix& m, const std::vector<int64_t>& rows) {
  std::vector<double> out;
  out.reserve(rows.size() * static_cast<size_t>(m.cols));
  for (const int64_t r : rows) {
    if (r < 0 || r >= m.rows) throw ShapeError(fmt::format("FPD/KPD: index {} outside a sample of {} rows", r, m.rows));
    out.insert(out.end(), m.values.begin() + r * m.cols, m.values.begin() + (r + 1) * m.cols);
  }
  return out;
}

// Linear-interpolation percentile of sorted values (numpy's default).
double percentile(const std::vector<double>& sorted, double percent) {
  const double h = percent / 100.0 * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(h));
  if (lo + 1 >= sorted.size()) return sorted.back();
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[lo + 1] - sorted[lo]);
}

}  // namespace

FeatureMatrix fpd_kpd_jet_features(const JetArray& jets) {
  FeatureMatrix out;
  out.rows = jets.jets;
  out.cols = kNumEfpD4;
  out.values = efps_d4(jets);
  return out;
}

std::vector<int64_t> fpd_batch_sizes(int64_t min_samples, int64_t max_samples, int64_t num_points) {
  if (min_samples < 2 || max_samples < 2 || num_points < 2 || min_samples == max_samples)
    throw ConfigError(fmt::format("FPD: min_samples = {}, max_samples = {}, num_points = {}; need both sample "
                                  "counts >= 2 and different, and num_points >= 2",
                                  min_samples, max_samples, num_points));
  const double t_start = 1.0 / static_cast<double>(min_samples), t_stop = 1.0 / static_cast<double>(max_samples);
  const double step = (t_stop - t_start) / static_cast<double>(num_points - 1);
  std::vector<int64_t> sizes;
  for (int64_t k = 0; k < num_points; ++k) {
    double t = t_stop;
    if (k < num_points - 1) {
      const volatile double product = static_cast<double>(k) * step;  // rounded separately (no FMA)
      t = product + t_start;
    }
    sizes.push_back(static_cast<int64_t>(1.0 / t));
  }
  return sizes;
}

FpdResult fpd(const FeatureMatrix& real_in, const FeatureMatrix& gen_in, const FpdOptions& options,
              const IndexSource& indices) {
  check_features(real_in, "fpd", "real");
  check_features(gen_in, "fpd", "generated");
  if (real_in.cols != gen_in.cols)
    throw ShapeError(fmt::format("fpd: real sample has {} features, generated {}", real_in.cols, gen_in.cols));
  if (options.num_batches < 1) throw ConfigError(fmt::format("fpd: num_batches = {} must be >= 1", options.num_batches));
  FpdResult out;
  out.batch_sizes = fpd_batch_sizes(options.min_samples, options.max_samples, options.num_points);
  if (real_in.rows < 50000 || gen_in.rows < 50000)
    out.warnings.push_back(fmt::format("fpd: samples of {} and {} rows; jetnet recommends at least 50,000",
                                       real_in.rows, gen_in.rows));
  FeatureMatrix real = real_in, gen = gen_in;
  if (options.normalise) normalise(real, gen);
  NumpyPcg64 generator(options.seed);
  int64_t call = 0;
  auto draw = [&](int64_t n, int64_t size) {
    return indices ? indices(call++, n, size) : generator.choice(n, size);
  };
  for (const int64_t size : out.batch_sizes) {
    double sum = 0.0;
    for (int64_t r = 0; r < options.num_batches; ++r) {
      const auto real_rows = draw(real.rows, size);
      const auto gen_rows = draw(gen.rows, size);
      const double fd = frechet_distance(gaussian_fit(gather_rows(real, real_rows), size, real.cols),
                                         gaussian_fit(gather_rows(gen, gen_rows), size, gen.cols));
      out.batch_distances.push_back(fd);
      sum += fd;
    }
    out.x.push_back(1.0 / static_cast<double>(size));
    out.y.push_back(sum / static_cast<double>(options.num_batches));
  }
  const CurveFitResult fit = jetnet_curve_fit(out.x, out.y);
  out.value = fit.intercept;
  out.error = fit.intercept_error;
  if (std::isinf(out.error)) out.warnings.push_back("fpd: the error could not be estimated (2 points or fewer)");
  return out;
}

namespace {

// Unbiased MMD^2 of one batch: x, y [batch, features], kernel (a.b / F + 1)^4.
double mmd_squared(const std::vector<double>& x, const std::vector<double>& y, int64_t batch, int64_t features) {
  const double inv_f = 1.0 / static_cast<double>(features);
  auto kernel = [&](const double* a, const double* b) {
    double dot = 0.0;
    for (int64_t f = 0; f < features; ++f) dot += a[f] * b[f];
    const double t = dot * inv_f + 1.0;
    const double t2 = t * t;
    return t2 * t2;
  };
  // Row sums, then a compensated sum over rows.
  std::vector<double> xx(static_cast<size_t>(batch)), yy(static_cast<size_t>(batch)), xy(static_cast<size_t>(batch));
  parallel_for(batch, 16, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const double* xp = x.data() + p * features;
      const double* yp = y.data() + p * features;
      double sxx = 0.0, syy = 0.0, sxy = 0.0;
      for (int64_t q = p + 1; q < batch; ++q) {
        sxx += kernel(xp, x.data() + q * features);
        syy += kernel(yp, y.data() + q * features);
      }
      for (int64_t q = 0; q < batch; ++q) sxy += kernel(xp, y.data() + q * features);
      xx[static_cast<size_t>(p)] = 2.0 * sxx;
      yy[static_cast<size_t>(p)] = 2.0 * syy;
      xy[static_cast<size_t>(p)] = sxy;
    }
  });
  auto kahan = [](const std::vector<double>& v) {
    double sum = 0.0, c = 0.0;
    for (const double value : v) {
      const double corrected = value - c;
      const double t = sum + corrected;
      c = (t - sum) - corrected;
      sum = t;
    }
    return sum;
  };
  const double b = static_cast<double>(batch);
  return kahan(xx) / (b * (b - 1)) + kahan(yy) / (b * (b - 1)) - 2.0 * (kahan(xy) / (b * b));
}

}  // namespace

KpdResult kpd(const FeatureMatrix& real_in, const FeatureMatrix& gen_in, const KpdOptions& options,
              const IndexSource& indices) {
  check_features(real_in, "kpd", "real");
  check_features(gen_in, "kpd", "generated");
  if (real_in.cols != gen_in.cols)
    throw ShapeError(fmt::format("kpd: real sample has {} features, generated {}", real_in.cols, gen_in.cols));
  if (options.batch_size < 2 || options.num_batches < 1)
    throw ConfigError(fmt::format("kpd: batch_size = {} must be >= 2 and num_batches = {} >= 1", options.batch_size,
                                  options.num_batches));
  FeatureMatrix real = real_in, gen = gen_in;
  if (options.normalise) normalise(real, gen);
  KpdResult out;
  for (int64_t i = 0; i < options.num_batches; ++i) {
    std::vector<int64_t> real_rows, gen_rows;
    if (indices) {
      real_rows = indices(2 * i, real.rows, options.batch_size);
      gen_rows = indices(2 * i + 1, gen.rows, options.batch_size);
    } else {
      NumpyPcg64 generator(options.seed + 1000 * static_cast<uint64_t>(i));
      real_rows = generator.choice(real.rows, options.batch_size);
      gen_rows = generator.choice(gen.rows, options.batch_size);
    }
    out.batch_values.push_back(
        mmd_squared(gather_rows(real, real_rows), gather_rows(gen, gen_rows), options.batch_size, real.cols));
  }
  std::vector<double> sorted = out.batch_values;
  std::sort(sorted.begin(), sorted.end());
  const size_t mid = sorted.size() / 2;  // numpy's median: the middle value, or the mean of the two
  out.value = sorted.size() % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0;
  out.error = (percentile(sorted, 83.725) - percentile(sorted, 16.275)) / 2.0;
  return out;
}

}  // namespace flowjet::metrics

// FPD and KPD (metric-definitions.md §13.3-13.7): normalisation by the real sample's column max |x|,
// numpy-compatible index draws, Fréchet distance per batch + jetnet's fit (FPD), unbiased MMD^2
// with a quartic polynomial kernel, median and inter-quantile half-range (KPD).
#include "metrics/frechet/fpd_kpd.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/core/error.h"
#include "metrics/jets/efp.h"
#include "metrics/frechet/fpd_fit.h"
#include "metrics/frechet/frechet.h"
#include "metrics/frechet/numpy_pcg64.h"

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

// Both samples well formed and finite, with the same features.
void check_feature_pair(const FeatureMatrix& real, const FeatureMatrix& gen, const char* metric) {
  check_features(real, metric, "real");
  check_features(gen, metric, "generated");
  if (real.cols != gen.cols)
    throw ShapeError(fmt::format("{}: real sample has {} features, generated {}", metric, real.cols, gen.cols));
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
  check_feature_pair(real_in, gen_in, "fpd");
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
    // Draw all repetitions of this size in generator order, then compute their FDs in parallel.
    const auto repeats = static_cast<size_t>(options.num_batches);
    std::vector<std::vector<int64_t>> real_rows(repeats), gen_rows(repeats);
    for (size_t r = 0; r < repeats; ++r) {
      real_rows[r] = draw(real.rows, size);
      gen_rows[r] = draw(gen.rows, size);
    }
    std::vector<double> fd(repeats);
    parallel_for(static_cast<int64_t>(repeats), 1, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const auto k = static_cast<size_t>(r);
        fd[k] = frechet_distance(gaussian_fit(gather_rows(real, real_rows[k]), size, real.cols),
                                 gaussian_fit(gather_rows(gen, gen_rows[k]), size, gen.cols));
      }
    });
    double sum = 0.0;
    for (const double d : fd) {
      out.batch_distances.push_back(d);
      sum += d;
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

// For the rows p in [p0, p1) of a ([*, features] row-major) adds up (a_p . t_q / F + 1)^4 over
// q in [0, batch), or only q > p when `upper`, into out[p - p0]; t is feature-major
// [features, batch]. Blocks of rows and of q share each loaded chunk of t (cache blocking); every
// dot product is still summed over the features in order, every row sum over q in order.
constexpr int64_t kChunk = 64;  // q per chunk; t's rows are padded with zeros to a multiple of it

void kernel_row_sums(const std::vector<double>& a, int64_t p0, int64_t p1, const std::vector<double>& t,
                     int64_t batch, int64_t features, bool upper, double* out) {
  constexpr int64_t kRows = 16;
  const int64_t stride = (batch + kChunk - 1) / kChunk * kChunk;
  const double inv_f = 1.0 / static_cast<double>(features);
  double dots[kRows][kChunk];
  const int64_t rows = p1 - p0;
  for (int64_t r = 0; r < rows; ++r) out[r] = 0.0;
  for (int64_t q0 = upper ? p0 + 1 : 0; q0 < batch; q0 += kChunk) {
    const int64_t len = std::min(kChunk, batch - q0);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t k = 0; k < kChunk; ++k) dots[r][k] = 0.0;
    for (int64_t f = 0; f < features; ++f) {
      const double* tf = t.data() + f * stride + q0;  // kChunk values (zero padding past batch)
      for (int64_t r = 0; r < rows; ++r) {
        const double af = a[static_cast<size_t>((p0 + r) * features + f)];
        for (int64_t k = 0; k < kChunk; ++k) dots[r][k] += af * tf[k];  // fixed count: vectorised
      }
    }
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t k_begin = upper ? std::max<int64_t>(0, p0 + r + 1 - q0) : 0;
      double sum = out[r];
      for (int64_t k = k_begin; k < len; ++k) {
        const double base = dots[r][k] * inv_f + 1.0;
        const double squared = base * base;
        sum += squared * squared;
      }
      out[r] = sum;
    }
  }
}

// Unbiased MMD^2 of one batch: x, y [batch, features], kernel (a.b / F + 1)^4.
double mmd_squared(const std::vector<double>& x, const std::vector<double>& y, int64_t batch, int64_t features) {
  // Feature-major copies [features, stride], rows zero-padded to a multiple of kChunk (+ one chunk
  // so that a chunk starting anywhere below batch stays inside).
  const int64_t stride = (batch + kChunk - 1) / kChunk * kChunk;
  std::vector<double> xt(static_cast<size_t>(features * stride + kChunk), 0.0), yt(xt.size(), 0.0);
  for (int64_t p = 0; p < batch; ++p)
    for (int64_t f = 0; f < features; ++f) {
      xt[static_cast<size_t>(f * stride + p)] = x[static_cast<size_t>(p * features + f)];
      yt[static_cast<size_t>(f * stride + p)] = y[static_cast<size_t>(p * features + f)];
    }
  // Row sums (pairs q > p within a sample, all q across), then a compensated sum over rows.
  std::vector<double> xx(static_cast<size_t>(batch)), yy(static_cast<size_t>(batch)), xy(static_cast<size_t>(batch));
  constexpr int64_t kRows = 16;
  parallel_for((batch + kRows - 1) / kRows, 1, [&](int64_t begin, int64_t end) {
    for (int64_t block = begin; block < end; ++block) {
      const int64_t p0 = block * kRows, p1 = std::min(batch, p0 + kRows);
      kernel_row_sums(x, p0, p1, xt, batch, features, true, xx.data() + p0);
      kernel_row_sums(y, p0, p1, yt, batch, features, true, yy.data() + p0);
      kernel_row_sums(x, p0, p1, yt, batch, features, false, xy.data() + p0);
      for (int64_t p = p0; p < p1; ++p) {
        xx[static_cast<size_t>(p)] *= 2.0;
        yy[static_cast<size_t>(p)] *= 2.0;
      }
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
  check_feature_pair(real_in, gen_in, "kpd");
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

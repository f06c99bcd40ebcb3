// FPD, KPD and jetnet's extrapolation fit against metric-definitions.md §13.9.3 - 13.9.8.
#include <doctest/doctest.h>

#include <cmath>

#include "engine/core/error.h"
#include "metrics/frechet/fpd_fit.h"
#include "metrics/frechet/fpd_kpd.h"
#include "tests/metrics/test_util.h"

using namespace flowjet::metrics;
using namespace flowjet::metrics::testing;

namespace {

FeatureMatrix matrix(int64_t cols, const std::vector<double>& values) {
  FeatureMatrix m;
  m.cols = cols;
  m.rows = static_cast<int64_t>(values.size()) / cols;
  m.values = values;
  return m;
}

// The index rule of metric-definitions.md §13.9.5: call c on n rows with size B gives (3c + 5k + c k) mod n.
std::vector<int64_t> index_rule(int64_t call, int64_t n, int64_t size) {
  std::vector<int64_t> out;
  for (int64_t k = 0; k < size; ++k) out.push_back((3 * call + 5 * k + call * k) % n);
  return out;
}

const std::vector<double> kDefaultX = {5e-05, 4.666791114429718e-05, 4.3335066736002776e-05, 4.000160006400256e-05,
                                       3.6667644470519214e-05, 3.3333333333333335e-05, 3.000030000300003e-05,
                                       2.6667377796741245e-05, 2.333341111137037e-05, 2.000040000800016e-05};
const std::vector<double> kF1 = {0.0010837394078544837, 0.0011693672338836004, 0.001137413487365907,
                                 0.001135046766050124, 0.001075150145804077, 0.0011216163410926628,
                                 0.0010979745273634323, 0.001085631761630962, 0.0010746632212845831,
                                 0.0010738642080941664};
const std::vector<double> kF2 = {5.1204268905352676e-05, 4.679168003807743e-05, 3.888024603324047e-05,
                                 4.2736236364149247e-05, 4.165480024844182e-05, 3.72146987486055e-05,
                                 3.088122546531236e-05, 2.4710224048613005e-05, 2.174873830714241e-05,
                                 1.8714664827401695e-05};

// The deterministic features of metric-definitions.md §13.9.8.
FeatureMatrix features_13_9_8(int kind) {  // 0 real, 1 gen, 2 same
  const int64_t n = 50000;
  const int64_t offset = kind == 0 ? 0 : 50000;
  const double primes[4] = {2, 3, 5, 7};
  FeatureMatrix m;
  m.rows = n;
  m.cols = 4;
  m.values.resize(static_cast<size_t>(n * 4));
  for (int64_t i = 0; i < n; ++i) {
    double u[4];
    for (int j = 0; j < 4; ++j) {
      const double t = static_cast<double>(i + 1 + offset) * std::sqrt(primes[j]);
      u[j] = t - std::floor(t);
    }
    double* row = m.values.data() + i * 4;
    if (kind == 1) {
      row[0] = 0.95 * u[0] + 0.03;
      row[1] = u[0] * u[1];
      row[2] = u[2] + 0.45 * u[0];
      row[3] = 1.05 * (u[3] * u[3]);
    } else {
      row[0] = u[0];
      row[1] = u[0] * u[1];
      row[2] = u[2] + 0.5 * u[0];
      row[3] = u[3] * u[3];
    }
  }
  return m;
}

}  // namespace

TEST_CASE("metrics/fpd: batch sizes of metric-definitions.md §13.9.3 (exact)") {
  CHECK(fpd_batch_sizes(20000, 50000, 10) ==
        std::vector<int64_t>{20000, 21428, 23076, 24999, 27272, 30000, 33333, 37499, 42857, 49999});
  CHECK(fpd_batch_sizes(5, 10, 4) == std::vector<int64_t>{5, 5, 7, 10});
  CHECK(fpd_batch_sizes(500, 1000, 5) == std::vector<int64_t>{500, 571, 666, 800, 1000});
  CHECK(fpd_batch_sizes(4, 12, 5) == std::vector<int64_t>{4, 4, 6, 8, 12});
  const auto sizes = fpd_batch_sizes(20000, 50000, 10);
  for (size_t k = 0; k < sizes.size(); ++k) CHECK(1.0 / static_cast<double>(sizes[k]) == kDefaultX[k]);
  CHECK_THROWS_AS(fpd_batch_sizes(100, 100, 3), flowjet::ConfigError);
  CHECK_THROWS_AS(fpd_batch_sizes(100, 200, 1), flowjet::ConfigError);
}

TEST_CASE("metrics/fpd_fit: cases F1-F6 of metric-definitions.md §13.9.4") {
  struct Case { const char* name; std::vector<double> x, y; double value, error, slope; int evals; double value_tol; bool error_noise; };
  const std::vector<Case> cases = {
      {"F1", kDefaultX, kF1, 0.001105504242353968, 4.241667386165216e-05, 0.002034865545814847, 14, 1e-9, false},
      {"F2", kDefaultX, kF2, 5.160047750636326e-05, 2.57569574305349e-05, 5.78018508416218e-05, 16, 1e-9, false},
      {"F3", kDefaultX,
       {0.0009034318078333214, 0.0007515290972536393, 0.0004934509785007978, 0.0007498209879344575,
        0.0007307368843252005, 0.0005329132244174528, 0.0007187414740415732, 0.0005619654979763855,
        0.00046693535102251826, 0.0005371063792432851},
       0.0005953771243838656, 0.00017201609382936866, 1.4157729264327779, 15, 1e-9, false},
      {"F4", kDefaultX, std::vector<double>(10, 2.0), 1.9999649980704826, 1.2827757221610043e-05, 1.0000350000207519, 2,
       1e-9, true},
      {"F5", kDefaultX, std::vector<double>(10, 0.0), 3.051757811353209e-05, 4.089308809099484e-05, 3.051757807871306e-05,
       16, 1e-8, true},
      {"F6", {0.2, 0.2, 0.14285714285714285, 0.1},
       {0.24898367243629496, 0.14188318504620542, 0.08039091412763523, 0.309208549160051}, 0.19511657858733836,
       0.24921241485498544, 9.987825917533296e-09, 9, 1e-9, false},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const auto fit = jetnet_curve_fit(c.x, c.y);
    CHECK_CLOSE(fit.intercept, c.value, c.value_tol, 0);
    if (c.error_noise) CHECK(fit.intercept_error < 1e-4);
    else CHECK_CLOSE(fit.intercept_error, c.error, 1e-6, 0);
    CHECK(fit.status == 1);
    CHECK(fit.evaluations == c.evals);
    CHECK_CLOSE(fit.slope, c.slope, 1e-6, 1e-12);
  }
}

TEST_CASE("metrics/fpd: fixed batches of metric-definitions.md §13.9.5") {
  const FeatureMatrix x = matrix(2, {0.3, 0.2, 1, 0.5, 0.6, 0.8, 0.2, 0.4, 0.9, 0.7, 0.5, -0.3, 0.1, 0.6, 0.8, 0.9,
                                     0.4, -0.1, 0, 0.8, 0.7, -0.2, 0.3, 0.1});
  const FeatureMatrix y = matrix(2, {0.225, 0.5, 0.6, 0, 0.1, 0.4, 0.475, 0.8, 0.85, 0.3, 0.35, 0.7, 0.725, 0.2,
                                     0.225, 0.6, 0.6, 0.1, 0.1, 0.5});
  FpdOptions options;
  options.min_samples = 5;
  options.max_samples = 10;
  options.num_points = 4;
  options.num_batches = 2;
  const auto r = fpd(x, y, options, index_rule);
  const double fd[8] = {0.3490700250569458, 0.14889731981564414, 0.21330740740740733, 0.07045896268500351,
                        0.08230567203762829, 0.07847615621764217, 0.12170255785370987, 0.49671454046639213};
  REQUIRE(r.batch_distances.size() == 8);
  for (int k = 0; k < 8; ++k) CHECK_CLOSE(r.batch_distances[k], fd[k], 1e-12, 1e-15);
  const double ys[4] = {0.24898367243629496, 0.14188318504620542, 0.08039091412763523, 0.309208549160051};
  for (int k = 0; k < 4; ++k) CHECK_CLOSE(r.y[k], ys[k], 1e-12, 0);
  CHECK_CLOSE(r.value, 0.19511657858733836, 1e-9, 0);
  CHECK_CLOSE(r.error, 0.24921241485498544, 1e-6, 0);
  options.normalise = false;
  const auto u = fpd(x, y, options, index_rule);
  const double yu[4] = {0.2073558980107844, 0.12286848204409329, 0.07784645810481616, 0.2644146795398054};
  for (int k = 0; k < 4; ++k) CHECK_CLOSE(u.y[k], yu[k], 1e-12, 0);
  CHECK_CLOSE(u.value, 0.1681213689514832, 1e-9, 0);
  CHECK_CLOSE(u.error, 0.20219961211041576, 1e-6, 0);
}

TEST_CASE("metrics/kpd: fixed batches of metric-definitions.md §13.9.6 to 1e-12") {
  const FeatureMatrix x = matrix(3, {0, 0.2, 0, 0.7, 0.7, 0, 0.3, 1.2, 0, -0.1, 0.4, 0, 0.6, 0.9, 0, 0.2, 0.1, 0,
                                     -0.2, 0.6, 0, 0.5, 1.1, 0, 0.1, 0.3, 0, -0.3, 0.8, 0, 0.4, 0, 0, 0, 0.5, 0});
  const FeatureMatrix y = matrix(3, {0.125, 0.55, 0, 0.5, 0.05, 0.1, 0, 0.45, 0.2, 0.375, 0.85, 0.3, 0.75, 0.35, 0,
                                     0.25, 0.75, 0.1, 0.625, 0.25, 0.2, 0.125, 0.65, 0.3, 0.5, 0.15, 0, 0, 0.55, 0.1});
  KpdOptions options;
  options.num_batches = 6;
  options.batch_size = 6;
  const auto r = kpd(x, y, options, index_rule);
  const double mmd[6] = {0.10628980498183482, -0.029737443102440864, 0.6946421786491621, -0.06721267739945214,
                         -0.03692481453727536, 0.7623792141715349};
  for (int i = 0; i < 6; ++i) CHECK_CLOSE(r.batch_values[i], mmd[i], 0, 1e-12);
  CHECK_CLOSE(r.value, 0.03827618093969698, 0, 1e-12);
  CHECK_CLOSE(r.error, 0.3749120652552799, 0, 1e-12);
  options.normalise = false;
  const auto u = kpd(x, y, options, index_rule);
  const double mmd_u[6] = {0.23100491495521602, 0.04762221122499444, 0.4717673010946508, -0.02822754817587647,
                           -0.04661281109635329, 0.4307139286146815};
  for (int i = 0; i < 6; ++i) CHECK_CLOSE(u.batch_values[i], mmd_u[i], 0, 1e-12);
  CHECK_CLOSE(u.value, 0.13931356309010523, 0, 1e-12);
  CHECK_CLOSE(u.error, 0.2350059613169455, 0, 1e-12);
}

TEST_CASE("metrics/fpd_kpd: constant features of metric-definitions.md §13.9.7") {
  // Every batch gives the same number, so fewer rows than jetnet's 50,000 give the same result.
  const FeatureMatrix twos = matrix(2, std::vector<double>(2 * 300, 2.0));
  const FeatureMatrix zeros = matrix(2, std::vector<double>(2 * 300, 0.0));
  FpdOptions fo;
  fo.num_batches = 1;  // every batch gives the same distance, so one per size is enough
  const auto a = fpd(twos, zeros, fo);
  CHECK_CLOSE(a.value, 1.9999649980704826, 1e-9, 0);
  CHECK(a.error < 1e-4);
  fo.normalise = false;
  const auto b = fpd(twos, zeros, fo);
  CHECK_CLOSE(b.value, 7.999964990718517, 1e-9, 0);
  CHECK(b.error < 1e-4);
  fo.normalise = true;
  const auto c = fpd(zeros, zeros, fo);
  CHECK_CLOSE(c.value, 3.051757811353209e-05, 1e-8, 0);
  CHECK(c.error < 1e-4);
  KpdOptions ko;
  ko.batch_size = 50;
  CHECK(kpd(twos, zeros, ko).value == 15.0);
  CHECK(kpd(twos, zeros, ko).error == 0.0);
  ko.normalise = false;
  CHECK(kpd(twos, zeros, ko).value == 624.0);
  ko.normalise = true;
  CHECK(kpd(zeros, zeros, ko).value == 0.0);
}

TEST_CASE("metrics/fpd_kpd: seeded end-to-end run of metric-definitions.md §13.9.8") {
  const FeatureMatrix real = features_13_9_8(0), gen = features_13_9_8(1), same = features_13_9_8(2);
  CHECK(real.values[0] == 0.41421356237309515);
  CHECK(real.values[1] == 0.30322537284120576);
  CHECK(real.values[2] == 0.4431747586863374);
  CHECK(real.values[3] == 0.4169947557416378);
  CHECK(gen.values[2] == 0.6764924647017324);
  const auto f = fpd(real, gen);
  for (size_t k = 0; k < kF1.size(); ++k) CHECK_CLOSE(f.y[k], kF1[k], 1e-12, 0);
  CHECK_CLOSE(f.value, 0.001105504242353968, 1e-9, 0);
  CHECK_CLOSE(f.error, 4.241667386165216e-05, 1e-4, 0);
  const auto k = kpd(real, gen);
  const double batches[10] = {0.0014870879375581403, 0.0009677206978921937, 0.0012747799139383176,
                              0.002014636228692357,  0.0015831480475685389, 0.0004782376054355275,
                              0.0011852202130189227, 0.0007709985238828487, 0.0007764691229499299,
                              0.0020228968059270436};
  for (int i = 0; i < 10; ++i) CHECK_CLOSE(k.batch_values[i], batches[i], 0, 1e-10);
  CHECK_CLOSE(k.value, 0.0012300000634786201, 0, 1e-10);
  CHECK_CLOSE(k.error, 0.0005202805558578939, 0, 1e-10);
  const auto fs = fpd(real, same);
  // atol 1e-15: these FDs (~4e-5) are differences of O(1) traces, rounding alone is ~1e-16.
  for (size_t i = 0; i < kF2.size(); ++i) CHECK_CLOSE(fs.y[i], kF2[i], 1e-12, 1e-15);
  CHECK_CLOSE(fs.value, 5.160047750636326e-05, 1e-9, 0);
  CHECK_CLOSE(fs.error, 2.57569574305349e-05, 1e-4, 0);
  const auto ks = kpd(real, same);
  CHECK_CLOSE(ks.value, 1.6121237648381026e-05, 0, 1e-10);
  CHECK_CLOSE(ks.error, 6.964930217790548e-05, 0, 1e-10);
}

TEST_CASE("metrics/fpd_kpd: bad input is reported") {
  const FeatureMatrix a = matrix(2, {1, 2, 3, 4});
  const FeatureMatrix b = matrix(3, {1, 2, 3, 4, 5, 6});
  CHECK_THROWS_AS(kpd(a, b), flowjet::ShapeError);
  FeatureMatrix c = a;
  c.values[3] = NAN;
  CHECK_THROWS_AS(fpd(a, c), flowjet::NumericError);
  KpdOptions o;
  o.batch_size = 1;
  CHECK_THROWS_AS(kpd(a, a, o), flowjet::ConfigError);
}

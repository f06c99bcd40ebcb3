// Conditional sampler of training-recipe.md §8: construction (jitter, single-jet groups), draws that
// follow p(n) and p(m | n) (Kolmogorov–Smirnov checks on 10^4 draws), determinism, clamping,
// context layout and the exact named-array round trip.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "data/preprocess.h"
#include "engine/core/error.h"
#include "engine/random/sequential_rng.h"
#include "flows/conditional_sampler.h"

using flowjet::SequentialRng;
using flowjet::flows::ConditionalSampler;

namespace {

// Synthetic scaled masses: n in 5..30 with unequal weights, m | n ~ N(0.05 n - 1, 0.5).
struct Synthetic {
  std::vector<double> mass;
  std::vector<int32_t> n;
  std::vector<int64_t> rows;
};

Synthetic synthetic(int64_t count, uint64_t seed) {
  SequentialRng rng(seed);
  Synthetic s;
  for (int64_t i = 0; i < count; ++i) {
    const int32_t n = static_cast<int32_t>(5 + std::min(rng.uniform_index(40), uint64_t{25}));  // 30 is frequent
    s.n.push_back(n);
    s.mass.push_back(0.05 * n - 1.0 + 0.5 * rng.normal());
    s.rows.push_back(i);
  }
  return s;
}

// Two-sample Kolmogorov–Smirnov statistic sup |F_a - F_b|.
double ks_statistic(std::vector<double> a, std::vector<double> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  size_t i = 0, j = 0;
  double d = 0.0;
  while (i < a.size() && j < b.size()) {
    const double x = std::min(a[i], b[j]);
    while (i < a.size() && a[i] <= x) ++i;
    while (j < b.size() && b[j] <= x) ++j;
    d = std::max(d, std::fabs(static_cast<double>(i) / a.size() - static_cast<double>(j) / b.size()));
  }
  return d;
}

// Critical value of the two-sample KS test at significance 0.001: 1.95 sqrt((n + m) / (n m)).
double ks_threshold(size_t n, size_t m) { return 1.95 * std::sqrt(static_cast<double>(n + m) / (double(n) * double(m))); }

}  // namespace

TEST_CASE("flows/conditional_sampler: nodes are the jittered sorted masses; single-jet groups") {
  const std::vector<double> mass = {0.3, 0.1, 0.2, 0.2, 5.0, 0.4};
  const std::vector<int32_t> n = {3, 3, 3, 3, 7, 3};
  const ConditionalSampler sampler = ConditionalSampler::fit(mass, n, {0, 1, 2, 3, 4, 5}, 1);
  CHECK(sampler.multiplicities() == std::vector<int32_t>{3, 7});
  CHECK(sampler.counts() == std::vector<int64_t>{5, 1});
  CHECK(sampler.probability(3) == doctest::Approx(5.0 / 6.0));
  CHECK(sampler.probability(4) == 0.0);
  const auto stored = sampler.to_arrays().at("masses").values;  // [0.1, 0.2, 0.2, 0.3, 0.4] + jitter, then 5.0 + jitter
  const std::vector<double> sorted = {0.1, 0.2, 0.2, 0.3, 0.4, 5.0};
  for (size_t i = 0; i < sorted.size(); ++i) {
    CHECK(stored[i] >= sorted[i]);
    CHECK(stored[i] < sorted[i] + 0.01);
  }
  CHECK(stored[1] != stored[2]);  // the jitter broke the tie
  CHECK(std::is_sorted(stored.begin(), stored.begin() + 5));
  CHECK(sampler.quantile(3, 0.0) == stored[0]);
  CHECK(sampler.quantile(3, 1.0) == doctest::Approx(stored[4]).epsilon(1e-14));
  CHECK(sampler.quantile(3, 0.25) == doctest::Approx(stored[1]).epsilon(1e-12));  // a node level
  CHECK(sampler.quantile(7, 0.3) == stored[5]);
  CHECK_THROWS_AS(sampler.quantile(4, 0.5), flowjet::DataError);
  // Only the listed rows are used.
  CHECK(ConditionalSampler::fit(mass, n, {4, 5}, 1).total() == 2);
  CHECK_THROWS_AS(ConditionalSampler::fit(mass, n, {}, 1), flowjet::ShapeError);
  CHECK_THROWS_AS(ConditionalSampler::fit(mass, n, {9}, 1), flowjet::ShapeError);
}

TEST_CASE("flows/conditional_sampler: 10^4 draws follow p(n) and p(m | n) (KS, significance 0.001)") {
  const Synthetic data = synthetic(20000, 4);
  const ConditionalSampler sampler = ConditionalSampler::fit(data.mass, data.n, data.rows, 42);
  SequentialRng rng(99);
  const auto drawn = sampler.draw(10000, rng);
  REQUIRE(drawn.size() == 10000);
  CHECK(std::is_sorted(drawn.n.begin(), drawn.n.end()));  // grouped by ascending n

  // p(n): one-sample KS distance between the drawn and the fitted multiplicity CDFs; the
  // asymptotic critical value 1.95 / sqrt(10^4) is conservative for a discrete distribution.
  std::map<int32_t, int64_t> drawn_counts;
  for (const int32_t n : drawn.n) ++drawn_counts[n];
  double d = 0.0, f_fit = 0.0, f_draw = 0.0;
  for (const int32_t k : sampler.multiplicities()) {
    f_fit += sampler.probability(k);
    f_draw += drawn_counts[k] / 10000.0;
    d = std::max(d, std::fabs(f_fit - f_draw));
  }
  INFO("KS distance of n: ", d);
  CHECK(d < 1.95 / std::sqrt(10000.0));

  // p(m | n) for the most frequent multiplicities, and the mass marginal, against the data.
  std::map<int32_t, std::vector<double>> data_masses, drawn_masses;
  for (size_t i = 0; i < data.n.size(); ++i) data_masses[data.n[i]].push_back(data.mass[i]);
  for (int64_t i = 0; i < drawn.size(); ++i) drawn_masses[drawn.n[i]].push_back(drawn.mass[i]);
  for (const int32_t k : {30, 5, 17}) {
    const double dk = ks_statistic(drawn_masses[k], data_masses[k]);
    const double limit = ks_threshold(drawn_masses[k].size(), data_masses[k].size());
    INFO("n = ", k, ": KS ", dk, " limit ", limit, " (", drawn_masses[k].size(), " draws)");
    CHECK(dk < limit);
  }
  const double marginal = ks_statistic(drawn.mass, data.mass);
  CHECK(marginal < ks_threshold(10000, 20000));
  // A sampler that ignored n would fail: masses drawn for n = 30 differ from those of n = 5.
  CHECK(ks_statistic(drawn_masses[30], data_masses[5]) > ks_threshold(drawn_masses[30].size(), data_masses[5].size()));
}

TEST_CASE("flows/conditional_sampler: seeded draws, clamping and context rows") {
  const Synthetic data = synthetic(3000, 5);
  const ConditionalSampler a = ConditionalSampler::fit(data.mass, data.n, data.rows, 7);
  const ConditionalSampler b = ConditionalSampler::fit(data.mass, data.n, data.rows, 7);
  CHECK(a.to_arrays().at("masses").values == b.to_arrays().at("masses").values);
  SequentialRng r1(3), r2(3);
  const auto d1 = a.draw(500, r1), d2 = b.draw(500, r2);
  CHECK(d1.mass == d2.mass);
  CHECK(d1.n == d2.n);

  SequentialRng r3(3);
  const auto clamped = a.draw(500, r3, -0.5);
  CHECK(*std::min_element(clamped.mass.begin(), clamped.mass.end()) >= -0.5);
  CHECK(*std::min_element(d1.mass.begin(), d1.mass.end()) < -0.5);

  const std::vector<float> c2 = d1.context(2), c1 = d1.context(1);
  REQUIRE(c2.size() == 1000);
  REQUIRE(c1.size() == 500);
  CHECK(c2[2 * 10] == static_cast<float>(d1.mass[10]));
  CHECK(c2[2 * 10 + 1] == static_cast<float>(d1.n[10]));
  CHECK(c1[10] == static_cast<float>(d1.mass[10]));
  CHECK_THROWS_AS(d1.context(3), flowjet::ShapeError);
  SequentialRng r4(1);
  CHECK_THROWS_AS(ConditionalSampler().draw(3, r4), flowjet::Error);
}

TEST_CASE("flows/conditional_sampler: to_arrays / from_arrays round trip is exact") {
  const Synthetic data = synthetic(2000, 6);
  const ConditionalSampler sampler = ConditionalSampler::fit(data.mass, data.n, data.rows, 8);
  const auto arrays = sampler.to_arrays();
  const ConditionalSampler back = ConditionalSampler::from_arrays(arrays);
  const auto again = back.to_arrays();
  for (const auto& [name, array] : arrays) {
    CHECK(again.at(name).shape == array.shape);
    CHECK(again.at(name).values == array.values);
  }
  SequentialRng r1(11), r2(11);
  const auto d1 = sampler.draw(1000, r1), d2 = back.draw(1000, r2);
  CHECK(d1.mass == d2.mass);
  CHECK(d1.n == d2.n);

  auto broken = arrays;
  broken.erase("counts");
  CHECK_THROWS_WITH_AS(ConditionalSampler::from_arrays(broken), doctest::Contains("'counts'"), flowjet::DataError);
  broken = arrays;
  broken["counts"].values[0] += 1;
  CHECK_THROWS_AS(ConditionalSampler::from_arrays(broken), flowjet::DataError);
}

TEST_CASE("flows/conditional_sampler: fitted on the prepared training rows, or all rows with the leak option") {
  // Jets with n = 1..4 real particles; the sampler sees only the training part by default.
  flowjet::data::JetSet jets = flowjet::data::JetSet::zeros(400, 30, flowjet::data::JetType::Q);
  SequentialRng rng(12);
  for (int64_t i = 0; i < jets.jets; ++i) {
    const int64_t n = 1 + static_cast<int64_t>(rng.uniform_index(4));
    for (int64_t k = 0; k < n; ++k) {
      jets.particle(i, k, flowjet::data::kEtaRel) = static_cast<float>(0.2 * (rng.uniform() - 0.5));
      jets.particle(i, k, flowjet::data::kPhiRel) = static_cast<float>(0.2 * (rng.uniform() - 0.5));
      jets.particle(i, k, flowjet::data::kPtRel) = static_cast<float>(0.3 - 0.05 * k);
      jets.particle(i, k, flowjet::data::kMask) = 1.0f;
    }
  }
  flowjet::data::PrepareOptions options;
  const auto prepared = flowjet::data::prepare(jets, options);
  const ConditionalSampler train_only = ConditionalSampler::fit(prepared, 1);
  CHECK(train_only.total() == static_cast<int64_t>(prepared.split.train.size()));
  CHECK(train_only.multiplicities() == std::vector<int32_t>{1, 2, 3, 4});
  options.fit_on_all_rows = true;
  CHECK(ConditionalSampler::fit(flowjet::data::prepare(jets, options), 1).total() == 400);
  // Masses of one-particle jets are zero: every condition drawn for n = 1 sits near m~_min.
  SequentialRng draw_rng(2);
  const auto drawn = train_only.draw(200, draw_rng, prepared.scaled_zero_mass);
  for (int64_t i = 0; i < drawn.size(); ++i) {
    if (drawn.n[i] == 1) CHECK(drawn.mass[i] == doctest::Approx(prepared.scaled_zero_mass).epsilon(0.05));
  }
}

// 1-D W1 against metric-definitions.md §11.1, and the W1^M / W1^P / W1^EFP pipeline against 11.3.
#include <doctest/doctest.h>

#include "engine/core/error.h"
#include "metrics/w1/w1_metrics.h"
#include "metrics/w1/wasserstein.h"
#include "tests/metrics/test_util.h"

using namespace flowjet::metrics;
using namespace flowjet::metrics::testing;

TEST_CASE("metrics/wasserstein: metric-definitions.md §11.1 values to 1e-12") {
  CHECK_CLOSE(wasserstein_1d({0, 1, 3}, {5, 6, 8}), 5.0, 0, 1e-12);
  CHECK_CLOSE(wasserstein_1d({0, 1}, {0, 0, 1}), 0.16666666666666663, 0, 1e-12);
  CHECK_CLOSE(wasserstein_1d({3.4, 3.9, 7.5, 7.8}, {4.5, 1.4}), 2.7, 0, 1e-12);
  CHECK_CLOSE(wasserstein_1d({0.0, 0.5, 1.0, 2.0}, {0.25, 0.25, 3.0}), 0.6666666666666667, 0, 1e-12);
  CHECK_CLOSE(wasserstein_1d({1.0}, {1.0}), 0.0, 0, 1e-12);
  CHECK_CLOSE(wasserstein_1d({-1.0, 2.0, 2.0}, {0.0}), 1.6666666666666667, 0, 1e-12);
}

TEST_CASE("metrics/wasserstein: symmetric, and empty samples are an error") {
  CHECK(wasserstein_1d({3.4, 3.9, 7.5, 7.8}, {4.5, 1.4}) == wasserstein_1d({4.5, 1.4}, {3.4, 3.9, 7.5, 7.8}));
  CHECK_THROWS_AS(wasserstein_1d({}, {1.0}), flowjet::ShapeError);
  CHECK_THROWS_AS(wasserstein_1d({1.0}, {}), flowjet::ShapeError);
}

namespace {
// Spec 11.3: set1 = [A, B, C, D], set2 = [E, C, B, D], padded to 4 particles, two fixed batches.
struct Pipeline {
  JetArray set1 = make_jet_array({jet_a(), jet_b(), jet_c(), jet_d()}, 4);
  JetArray set2 = make_jet_array({jet_e(), jet_c(), jet_b(), jet_d()}, 4);
  BatchPlan plan = {{{0, 1, 2, 3}, {0, 1, 2, 3}}, {{3, 3, 0, 1}, {2, 0, 0, 1}}};
};
}  // namespace

TEST_CASE("metrics/w1m: metric-definitions.md §11.3 fixed batches to 1e-12") {
  Pipeline p;
  const auto m = w1m(p.set1, p.set2, p.plan);
  REQUIRE(m.batch_values.size() == 2);
  CHECK_CLOSE(m.batch_values[0][0], 0.022785209697297158, 0, 1e-12);
  CHECK_CLOSE(m.batch_values[1][0], 0.05929668163362851, 0, 1e-12);
  CHECK_CLOSE(m.mean[0], 0.04104094566546283, 0, 1e-12);
  CHECK_CLOSE(m.std[0], 0.018255735968165675, 0, 1e-12);
}

TEST_CASE("metrics/w1p: metric-definitions.md §11.3 fixed batches to 1e-12, talk aggregation") {
  Pipeline p;
  const auto m = w1p(p.set1, p.set2, p.plan);
  const double batch0[3] = {0.0, 0.5363636363636365, 0.0};
  const double batch1[3] = {0.033333333333333326, 1.301111111111111, 0.17222222222222222};
  const double means[3] = {0.016666666666666663, 0.9187373737373739, 0.08611111111111111};
  const double stds[3] = {0.016666666666666663, 0.3823737373737373, 0.08611111111111111};
  for (int c = 0; c < 3; ++c) {
    CHECK_CLOSE(m.batch_values[0][c], batch0[c], 0, 1e-12);
    CHECK_CLOSE(m.batch_values[1][c], batch1[c], 0, 1e-12);
    CHECK_CLOSE(m.mean[c], means[c], 0, 1e-12);
    CHECK_CLOSE(m.std[c], stds[c], 0, 1e-12);
  }
  CHECK_CLOSE(m.combined_mean, 0.3405050505050505, 0, 1e-12);
  CHECK_CLOSE(m.combined_std, 0.3923041884402048, 0, 1e-12);
}

TEST_CASE("metrics/w1efp: metric-definitions.md §11.3 fixed batches to 1e-12, talk aggregation") {
  Pipeline p;
  const auto m = w1efp(p.set1, p.set2, p.plan);
  const double means[5] = {0.001140285962071103, 0.0010830956207879205, 0.0010896246164518314,
                           0.0002925493335656119, 0.0009501597197626151};
  const double stds[5] = {0.0009424401959257068, 0.0008852498546425243, 0.0008917788503064352,
                          0.0002925493335656119, 0.0007523139536172188};
  for (int c = 0; c < 5; ++c) {
    CHECK_CLOSE(m.mean[c], means[c], 0, 1e-12);
    CHECK_CLOSE(m.std[c], stds[c], 0, 1e-12);
  }
  CHECK_CLOSE(m.combined_mean, 0.0009111430505278163, 0, 1e-12);
  CHECK_CLOSE(m.combined_std, 0.0017659818071746427, 0, 1e-12);
}

TEST_CASE("metrics/w1p: an empty particle list gives +inf") {
  JetArray zeros(2, 3);
  Pipeline p;
  const auto m = w1p(zeros, p.set2, {{{0, 1}, {0, 1}}});
  for (int c = 0; c < 3; ++c) CHECK(std::isinf(m.batch_values[0][c]));
}

TEST_CASE("metrics/w1m: bad batch index and non-finite input are reported") {
  Pipeline p;
  CHECK_THROWS_AS(w1m(p.set1, p.set2, {{{0, 4}, {0, 1}}}), flowjet::ShapeError);
  p.set2.eta_rel(3, 0) = INFINITY;
  try {
    w1m(p.set1, p.set2, p.plan);
    FAIL("expected NumericError");
  } catch (const flowjet::NumericError& e) {
    CHECK(std::string(e.what()).find("jet 3") != std::string::npos);
  }
}

TEST_CASE("metrics/w1m: presets draw reproducible batches; full preset uses every jet once") {
  Pipeline p;
  EvalSettings talk = preset_settings(Preset::Talk);
  talk.w1_batch_size = 3;
  talk.w1_num_batches = 4;
  const auto a = w1m(p.set1, p.set2, talk), b = w1m(p.set1, p.set2, talk);
  REQUIRE(a.batch_values.size() == 4);
  for (size_t k = 0; k < 4; ++k) CHECK(a.batch_values[k][0] == b.batch_values[k][0]);
  CHECK(a.warnings.size() == 1);  // fewer than 50,000 jets
  // Full preset: one batch with every jet of both sets, i.e. batch 0 of metric-definitions.md §11.3.
  const auto full = w1m(p.set1, p.set2, preset_settings(Preset::Full));
  REQUIRE(full.batch_values.size() == 1);
  CHECK_CLOSE(full.batch_values[0][0], 0.022785209697297158, 0, 1e-12);
  CHECK(full.std[0] == 0.0);
  CHECK(parse_preset("jetnet") == Preset::Jetnet);
  CHECK(preset_settings(Preset::Jetnet).w1_batch_size == 50000);
  CHECK_THROWS_AS(parse_preset("paper"), flowjet::ConfigError);
}

TEST_CASE("metrics/batches: sampler is uniform-ish, in range and seed-dependent") {
  IndexSampler s(42), t(42), u(43);
  const auto a = s.draw(7, 7000), b = t.draw(7, 7000), c = u.draw(7, 7000);
  CHECK(a == b);
  CHECK(a != c);
  std::vector<int> counts(7, 0);
  for (const int64_t i : a) {
    REQUIRE(i >= 0);
    REQUIRE(i < 7);
    ++counts[static_cast<size_t>(i)];
  }
  for (const int n : counts) CHECK(std::abs(n - 1000) < 150);  // > 5 sigma away is a bug
}

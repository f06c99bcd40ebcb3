// Exact jet EMD against spec metrics.md 11.4 and 11.5, COV/MMD against 11.5.
#include <doctest/doctest.h>

#include <chrono>

#include "engine/core/error.h"
#include "metrics/cov_mmd.h"
#include "metrics/emd.h"
#include "test_util.h"

using namespace flowjet::metrics;
using namespace flowjet::metrics::testing;

namespace {
double emd_of(const Jet& a, const Jet& b) {
  const JetArray jets = make_jet_array({a, b});
  return emd(jets.jet(0), jets.particles, jets.jet(1), jets.particles);
}

JetArray real_11_5() {
  return make_jet_array({{{0, 0, 1.0}}, {{0.1, 0, 0.5}, {-0.1, 0, 0.5}}, {{0, 0.2, 0.8}, {0, -0.2, 0.2}},
                         {{0.3, 0, 1.0}}}, 2);
}
JetArray gen_11_5() {
  return make_jet_array({{{0, 0.05, 1.0}}, {{0, 0, 0.9}}, {{0.29, 0, 1.0}}, {{0.1, 0, 0.5}, {-0.1, 0, 0.4}}}, 2);
}
}  // namespace

TEST_CASE("metrics/emd: spec 11.4 cases P1-P7 to 1e-12") {
  CHECK_CLOSE(emd_of({{0, 0, 1.0}}, {{0.3, 0.4, 1.0}}), 0.5, 0, 1e-12);
  CHECK_CLOSE(emd_of({{0, 0, 1.0}}, {{0, 0, 0.6}}), 0.4, 0, 1e-12);
  CHECK_CLOSE(emd_of({{0, 0, 0.5}, {1, 0, 0.5}}, {{0, 0.1, 0.5}, {1, 0.1, 0.5}}), 0.1, 0, 1e-12);
  CHECK_CLOSE(emd_of({{0, 0, 0.5}, {1, 0, 0.5}}, {{0.5, 0, 1.0}}), 0.5, 0, 1e-12);
  CHECK_CLOSE(emd_of({{0, 0, 0.7}, {0.2, 0, 0.3}}, {{0.1, 0, 0.4}, {0.3, 0, 0.4}, {0, 0, 0}}), 0.3, 0, 1e-12);
  CHECK_CLOSE(emd_of({{0, 3.0, 1.0}}, {{0, -3.0, 1.0}}), 6.0, 0, 1e-12);
  CHECK_CLOSE(emd_of({{0.1, 0.1, 0.5}, {0, 0, 0}}, {{0.1, 0.1, 0.3}, {0.4, -0.2, 0.1}}), 0.14242640687119285, 0,
              1e-12);
}

TEST_CASE("metrics/emd: spec 11.5 EMD matrix to 1e-12") {
  const double expected[4][4] = {{0.05, 0.1118033988749895, 0.17000000000000004, 0.30413812651491096},
                                 {0.1, 0.19, 0.28, 0.37},
                                 {0.29, 0.29, 0.35227829907617075, 0.010000000000000009},
                                 {0.19, 0.1, 0.3012461179749811, 0.36}};
  const JetArray real = real_11_5(), gen = gen_11_5();
  for (int g = 0; g < 4; ++g)
    for (int r = 0; r < 4; ++r) {
      INFO("G" << g << " R" << r);
      CHECK_CLOSE(emd(gen.jet(g), 2, real.jet(r), 2), expected[g][r], 0, 1e-12);
    }
}

TEST_CASE("metrics/emd: symmetric, zero for identical jets, both-empty jets give 0, negative pt throws") {
  const Jet d = jet_d(), c = jet_c();
  CHECK_CLOSE(emd_of(d, c), emd_of(c, d), 0, 1e-14);
  CHECK_CLOSE(emd_of(d, d), 0.0, 0, 1e-15);
  const double empty[6] = {0, 0, 0, 0.1, 0.2, 0};
  bool both_empty = false;
  CHECK(emd(empty, 2, empty, 2, &both_empty) == 0.0);
  CHECK(both_empty);
  const double negative[3] = {0, 0, -0.1};
  const double one[3] = {0, 0, 1.0};
  try {
    emd(one, 1, negative, 1);
    FAIL("expected DataError");
  } catch (const flowjet::DataError& e) {
    CHECK(std::string(e.what()).find("negative pt_rel") != std::string::npos);
  }
}

TEST_CASE("metrics/emd: equal-weight degenerate problems terminate and are exact") {
  // Many equal weights on a grid: every basis is highly degenerate.
  Jet a, b;
  for (int i = 0; i < 30; ++i) {
    a.push_back({0.01 * (i % 6), 0.01 * (i / 6), 1.0 / 30});
    b.push_back({0.01 * (i % 6) + 0.005, 0.01 * (i / 6), 1.0 / 30});
  }
  CHECK_CLOSE(emd_of(a, b), 0.005, 0, 1e-12);  // every particle moves by 0.005
}

TEST_CASE("metrics/cov_mmd: spec 11.5 COV and MMD to 1e-12, jetnet and talk order") {
  const JetArray real = real_11_5(), gen = gen_11_5();
  const auto one = cov_mmd(real, gen, BatchPlan{{{0, 1, 2, 3}, {0, 1, 2, 3}}});
  CHECK_CLOSE(one.cov, 0.75, 0, 1e-12);
  CHECK_CLOSE(one.mmd, 0.0825, 0, 1e-12);
  const auto two = cov_mmd(real, gen, BatchPlan{{{0, 1, 2, 3}, {0, 1, 2, 3}}, {{0, 0, 1, 3}, {2, 2, 3, 1}}});
  CHECK_CLOSE(two.cov, 0.75, 0, 1e-12);
  CHECK_CLOSE(two.mmd, 0.08, 0, 1e-12);
  const auto talk = cov_mmd(gen, real, BatchPlan{{{0, 1, 2, 3}, {0, 1, 2, 3}}});
  CHECK_CLOSE(talk.cov, 0.75, 0, 1e-12);
  CHECK_CLOSE(talk.mmd, 0.065, 0, 1e-12);
  EvalSettings full = preset_settings(Preset::Full);
  const auto talk_full = cov_mmd(real, gen, full, CovMmdOrder::Talk);
  CHECK_CLOSE(talk_full.mmd, 0.065, 0, 1e-12);
}

TEST_CASE("metrics/cov_mmd: negative pt is refused with the jet index") {
  JetArray gen = gen_11_5();
  gen.pt_rel(2, 0) = -0.01;
  try {
    cov_mmd(real_11_5(), gen, BatchPlan{{{0, 1}, {0, 1}}});
    FAIL("expected DataError");
  } catch (const flowjet::DataError& e) {
    const std::string message = e.what();
    CHECK(message.find("generated jets") != std::string::npos);
    CHECK(message.find("jet 2") != std::string::npos);
  }
}

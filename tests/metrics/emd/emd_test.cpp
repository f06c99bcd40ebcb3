// Exact jet EMD against metric-definitions.md §11.4 and 11.5, COV/MMD against 11.5.
#include <doctest/doctest.h>

#include <chrono>

#include "engine/core/error.h"
#include "metrics/emd/cov_mmd.h"
#include "metrics/emd/emd.h"
#include "tests/metrics/test_util.h"

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

TEST_CASE("metrics/emd: metric-definitions.md §11.4 cases P1-P7 to 1e-12") {
  CHECK_CLOSE(emd_of({{0, 0, 1.0}}, {{0.3, 0.4, 1.0}}), 0.5, 0, 1e-12);
  CHECK_CLOSE(emd_of({{0, 0, 1.0}}, {{0, 0, 0.6}}), 0.4, 0, 1e-12);
  CHECK_CLOSE(emd_of({{0, 0, 0.5}, {1, 0, 0.5}}, {{0, 0.1, 0.5}, {1, 0.1, 0.5}}), 0.1, 0, 1e-12);
  CHECK_CLOSE(emd_of({{0, 0, 0.5}, {1, 0, 0.5}}, {{0.5, 0, 1.0}}), 0.5, 0, 1e-12);
  CHECK_CLOSE(emd_of({{0, 0, 0.7}, {0.2, 0, 0.3}}, {{0.1, 0, 0.4}, {0.3, 0, 0.4}, {0, 0, 0}}), 0.3, 0, 1e-12);
  CHECK_CLOSE(emd_of({{0, 3.0, 1.0}}, {{0, -3.0, 1.0}}), 6.0, 0, 1e-12);
  CHECK_CLOSE(emd_of({{0.1, 0.1, 0.5}, {0, 0, 0}}, {{0.1, 0.1, 0.3}, {0.4, -0.2, 0.1}}), 0.14242640687119285, 0,
              1e-12);
}

TEST_CASE("metrics/emd: metric-definitions.md §11.5 EMD matrix to 1e-12") {
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

TEST_CASE("metrics/cov_mmd: metric-definitions.md §11.5 COV and MMD to 1e-12, jetnet and talk order") {
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

namespace {
// Independent reference for the test below: successive shortest paths (Bellman-Ford) on the
// residual graph source -> particles of jet 1 -> particles of jet 2 -> sink, real-valued flows.
double emd_by_shortest_paths(const Jet& a, const Jet& b) {
  const int m = static_cast<int>(a.size()), n = static_cast<int>(b.size());
  const int nodes = m + n + 2, source = m + n, sink = m + n + 1;
  struct Arc { int to; double cap, cost; };
  std::vector<Arc> arcs;
  std::vector<std::vector<int>> out(static_cast<size_t>(nodes));
  auto add = [&](int from, int to, double cap, double cost) {
    out[static_cast<size_t>(from)].push_back(static_cast<int>(arcs.size()));
    arcs.push_back({to, cap, cost});
    out[static_cast<size_t>(to)].push_back(static_cast<int>(arcs.size()));
    arcs.push_back({from, 0.0, -cost});
  };
  double total_a = 0, total_b = 0;
  for (int i = 0; i < m; ++i) { add(source, i, a[i][2], 0.0); total_a += a[i][2]; }
  for (int j = 0; j < n; ++j) { add(m + j, sink, b[j][2], 0.0); total_b += b[j][2]; }
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j)
      add(i, m + j, 1e300, std::hypot(a[i][0] - b[j][0], a[i][1] - b[j][1]));
  double flow_left = std::min(total_a, total_b), cost = 0.0;
  while (flow_left > 1e-15) {
    std::vector<double> dist(static_cast<size_t>(nodes), 1e300);
    std::vector<int> via(static_cast<size_t>(nodes), -1);
    dist[static_cast<size_t>(source)] = 0.0;
    for (int round = 0; round < nodes; ++round)
      for (int v = 0; v < nodes; ++v)
        for (const int e : out[static_cast<size_t>(v)])
          if (arcs[e].cap > 1e-15 && dist[v] + arcs[e].cost < dist[arcs[e].to] - 1e-15) {
            dist[arcs[e].to] = dist[v] + arcs[e].cost;
            via[arcs[e].to] = e;
          }
    if (via[sink] < 0) break;
    double push = flow_left;
    for (int v = sink; v != source; v = arcs[via[v] ^ 1].to) push = std::min(push, arcs[via[v]].cap);
    for (int v = sink; v != source; v = arcs[via[v] ^ 1].to) {
      arcs[via[v]].cap -= push;
      arcs[via[v] ^ 1].cap += push;
    }
    cost += push * dist[sink];
    flow_left -= push;
  }
  return cost + std::fabs(total_a - total_b);
}
}  // namespace

TEST_CASE("metrics/emd: agrees with an independent shortest-path solver on 300 random jet pairs") {
  uint64_t state = 12345;
  auto uniform = [&state]() {  // xorshift64*, fixed so the test is reproducible
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return static_cast<double>((state * 2685821657736338717ULL) >> 11) * 0x1.0p-53;
  };
  for (int trial = 0; trial < 300; ++trial) {
    Jet a, b;
    const int m = 1 + static_cast<int>(uniform() * 9), n = 1 + static_cast<int>(uniform() * 9);
    for (int i = 0; i < m; ++i) a.push_back({uniform() - 0.5, uniform() - 0.5, uniform()});
    for (int j = 0; j < n; ++j) b.push_back({uniform() - 0.5, uniform() - 0.5, trial % 3 == 0 ? 0.1 : uniform()});
    INFO("trial " << trial);
    CHECK_CLOSE(emd_of(a, b), emd_by_shortest_paths(a, b), 0, 1e-12);
  }
}

TEST_CASE("metrics/emd: full-size degenerate jets (grid positions, equal weights) match the reference") {
  uint64_t state = 999;
  auto uniform = [&state]() {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return static_cast<double>((state * 2685821657736338717ULL) >> 11) * 0x1.0p-53;
  };
  for (int trial = 0; trial < 20; ++trial) {
    Jet a, b;
    const int m = 20 + static_cast<int>(uniform() * 11), n = 20 + static_cast<int>(uniform() * 11);
    // Positions on a 0.1 grid make many costs tie; equal weights make most pivots degenerate.
    for (int i = 0; i < m; ++i)
      a.push_back({std::round(uniform() * 10) / 10 - 0.5, std::round(uniform() * 10) / 10 - 0.5,
                   trial % 2 ? 1.0 / m : uniform()});
    for (int j = 0; j < n; ++j)
      b.push_back({std::round(uniform() * 10) / 10 - 0.5, std::round(uniform() * 10) / 10 - 0.5,
                   trial % 2 ? 1.0 / n : uniform()});
    const JetArray jets = make_jet_array({a, b}, 30);
    INFO("trial " << trial);
    CHECK_CLOSE(emd(jets.jet(0), 30, jets.jet(1), 30), emd_by_shortest_paths(a, b), 0, 1e-12);
  }
}

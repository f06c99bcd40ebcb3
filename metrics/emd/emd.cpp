// Exact EMD (metric-definitions.md §8.1): a transportation problem on the particles of the two jets with
// integer weights and double costs, solved by transport_simplex.h. The extra node balancing the
// totals has cost 1 to every particle of the other jet, as in the reference.
#include "metrics/emd/emd.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "engine/core/error.h"
#include "metrics/emd/transport_simplex.h"

namespace flowjet::metrics {

namespace {

constexpr double kWeightScale = 4503599627370496.0;  // 2^52

struct Particles {
  std::vector<double> eta, phi;
  std::vector<int64_t> weight;
};

// Buffers of one thread, reused by every EMD it computes (COV/MMD calls emd ~100,000 times).
struct Workspace {
  Particles p1, p2;
  std::vector<int64_t> supply, demand;
  std::vector<double> cost;
  TransportSimplex simplex;
};

// The particles of positive weight, with weights filled in by integer_weights once the scale is
// known; returns the total weight.
double positive_particles(const double* jet, int64_t count, int which, Particles& out) {
  out.eta.clear();
  out.phi.clear();
  out.weight.clear();
  double total = 0.0;
  for (int64_t i = 0; i < count; ++i) {
    const double pt = jet[3 * i + 2];
    if (pt < 0)
      throw DataError(fmt::format("emd: jet {} particle {} has negative pt_rel = {}; the EMD needs "
                                  "non-negative weights", which, i, pt));
    if (pt == 0.0) continue;
    out.eta.push_back(jet[3 * i]);
    out.phi.push_back(jet[3 * i + 1]);
    out.weight.push_back(0);
    total += pt;
  }
  return total;
}

int64_t integer_weights(Particles& p, const double* jet, int64_t count, double scale) {
  size_t k = 0;
  int64_t sum = 0;
  for (int64_t i = 0; i < count; ++i) {
    const double pt = jet[3 * i + 2];
    if (pt == 0.0) continue;
    p.weight[k] = std::llround(pt / scale * kWeightScale);
    sum += p.weight[k++];
  }
  return sum;
}

}  // namespace

double emd(const double* jet1, int64_t count1, const double* jet2, int64_t count2, bool* both_empty) {
  thread_local Workspace ws;
  Particles& p1 = ws.p1;
  Particles& p2 = ws.p2;
  const double total1 = positive_particles(jet1, count1, 1, p1);
  const double total2 = positive_particles(jet2, count2, 2, p2);
  if (both_empty != nullptr) *both_empty = total1 == 0.0 && total2 == 0.0;
  if (p1.weight.empty() || p2.weight.empty()) return std::fabs(total1 - total2);  // nothing to move
  const double scale = std::max(total1, total2);
  const int64_t sum1 = integer_weights(p1, jet1, count1, scale);
  const int64_t sum2 = integer_weights(p2, jet2, count2, scale);
  const size_t m = p1.weight.size(), n = p2.weight.size();
  ws.supply = p1.weight;
  ws.demand = p2.weight;
  // The extra node balancing the totals joins the lighter jet, at cost 1 to every particle of the
  // other jet (metric-definitions.md §8.1).
  if (sum1 < sum2) ws.supply.push_back(sum2 - sum1);
  if (sum2 < sum1) ws.demand.push_back(sum1 - sum2);
  const size_t cols = ws.demand.size();
  ws.cost.assign(ws.supply.size() * cols, 1.0);
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < n; ++j) {
      const double deta = p1.eta[i] - p2.eta[j], dphi = p1.phi[i] - p2.phi[j];  // no phi wrapping
      ws.cost[i * cols + j] = std::sqrt(deta * deta + dphi * dphi);
    }
  return ws.simplex.solve(ws.supply, ws.demand, ws.cost) / kWeightScale * scale;
}

}  // namespace flowjet::metrics

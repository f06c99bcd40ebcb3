// Exact EMD (spec metrics.md 8.1): transportation simplex on the particles of the two jets with
// integer weights and double costs; matrix-minimum start, Dantzig pricing, Bland's rule after a
// run of degenerate pivots (no cycling). The extra node balancing the totals has cost 1 to every
// particle of the other jet, as in the reference.
#include "metrics/emd.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet::metrics {

namespace {

constexpr double kWeightScale = 4503599627370496.0;  // 2^52

struct Particles {
  std::vector<double> eta, phi;
  std::vector<int64_t> weight;
};

// The transportation problem: supply[i] (rows) to demand[j] (columns), sum supply == sum demand,
// cost [rows, cols]. Returns the minimum of sum f_ij cost_ij with integer flows, as a double.
class TransportSimplex {
 public:
  TransportSimplex(std::vector<int64_t> supply, std::vector<int64_t> demand, std::vector<double> cost)
      : m_(static_cast<int>(supply.size())), n_(static_cast<int>(demand.size())),
        supply_(std::move(supply)), demand_(std::move(demand)), cost_(std::move(cost)) {}

  double solve();

 private:
  void initial_basis();
  void compute_tree();  // parent, parent_arc, depth, potential of every node (rows 0..m-1, cols m..)
  bool price(int& enter_i, int& enter_j, bool bland) const;
  int64_t pivot(int enter_i, int enter_j, bool bland);

  int m_, n_;
  std::vector<int64_t> supply_, demand_;
  std::vector<double> cost_;
  // Basis: m + n - 1 arcs (row, col, flow); basic_[i * n + j] = arc + 1, or 0 when non-basic.
  std::vector<int> arc_row_, arc_col_;
  std::vector<int64_t> arc_flow_;
  std::vector<int> basic_;
  // Tree of the basis rooted at row 0.
  std::vector<int> parent_, parent_arc_, depth_, adj_start_, adj_;
  std::vector<double> potential_;
  std::vector<int> fill_, queue_, from_col_, from_row_;  // scratch, reused across pivots
  double eps_ = 0;
};

void TransportSimplex::initial_basis() {
  // Matrix-minimum start: fill cells in increasing cost order. Every allocation exhausts a row
  // or a column, so the allocated cells form a forest; zero-flow cells (again cheapest first)
  // then join its trees into a spanning tree of m + n - 1 arcs.
  const size_t cells = static_cast<size_t>(m_) * n_;
  std::vector<std::pair<double, int>> sorted(cells);
  for (size_t k = 0; k < cells; ++k) sorted[k] = {cost_[k], static_cast<int>(k)};
  std::sort(sorted.begin(), sorted.end());
  std::vector<int> order(cells);
  for (size_t k = 0; k < cells; ++k) order[k] = sorted[k].second;
  std::vector<int64_t> left_supply = supply_, left_demand = demand_;
  basic_.assign(cells, 0);
  std::vector<int> component(static_cast<size_t>(m_ + n_));
  for (int v = 0; v < m_ + n_; ++v) component[v] = v;
  auto find = [&](int v) {
    while (component[v] != v) v = component[v] = component[component[v]];
    return v;
  };
  auto add_arc = [&](int i, int j, int64_t f) {
    arc_row_.push_back(i);
    arc_col_.push_back(j);
    arc_flow_.push_back(f);
    basic_[static_cast<size_t>(i) * n_ + j] = static_cast<int>(arc_row_.size());
    component[find(i)] = find(m_ + j);
  };
  for (const int k : order) {
    const int i = k / n_, j = k % n_;
    if (left_supply[i] == 0 || left_demand[j] == 0) continue;
    const int64_t f = std::min(left_supply[i], left_demand[j]);
    left_supply[i] -= f;
    left_demand[j] -= f;
    add_arc(i, j, f);
  }
  for (const int k : order) {
    if (static_cast<int>(arc_row_.size()) == m_ + n_ - 1) break;
    const int i = k / n_, j = k % n_;
    if (basic_[static_cast<size_t>(k)] == 0 && find(i) != find(m_ + j)) add_arc(i, j, 0);
  }
  FLOWJET_CHECK(static_cast<int>(arc_row_.size()) == m_ + n_ - 1, "transport basis is not a spanning tree");
}

void TransportSimplex::compute_tree() {
  const int nodes = m_ + n_;
  const int arcs = static_cast<int>(arc_row_.size());
  adj_start_.assign(static_cast<size_t>(nodes) + 1, 0);
  for (int k = 0; k < arcs; ++k) {
    ++adj_start_[arc_row_[k] + 1];
    ++adj_start_[m_ + arc_col_[k] + 1];
  }
  for (int v = 0; v < nodes; ++v) adj_start_[v + 1] += adj_start_[v];
  adj_.assign(static_cast<size_t>(2 * arcs), 0);
  fill_.assign(adj_start_.begin(), adj_start_.end() - 1);
  std::vector<int>& fill = fill_;
  for (int k = 0; k < arcs; ++k) {
    adj_[fill[arc_row_[k]]++] = k;
    adj_[fill[m_ + arc_col_[k]]++] = k;
  }
  parent_.assign(nodes, -1);
  parent_arc_.assign(nodes, -1);
  depth_.assign(nodes, -1);
  potential_.assign(nodes, 0.0);
  queue_.resize(static_cast<size_t>(nodes));
  std::vector<int>& queue = queue_;
  int head = 0, tail = 0;
  queue[tail++] = 0;
  depth_[0] = 0;
  while (head < tail) {
    const int v = queue[head++];
    for (int e = adj_start_[v]; e < adj_start_[v + 1]; ++e) {
      const int k = adj_[e];
      const int row = arc_row_[k], col = m_ + arc_col_[k];
      const int w = v == row ? col : row;
      if (depth_[w] >= 0) continue;
      depth_[w] = depth_[v] + 1;
      parent_[w] = v;
      parent_arc_[w] = k;
      // cost_ij = u_i + v_j on every basic arc.
      potential_[w] = cost_[static_cast<size_t>(arc_row_[k]) * n_ + arc_col_[k]] - potential_[v];
      queue[tail++] = w;
    }
  }
  FLOWJET_CHECK(tail == nodes, "transport basis does not span all nodes");
}

bool TransportSimplex::price(int& enter_i, int& enter_j, bool bland) const {
  // Basic arcs have reduced cost 0 up to rounding (far above -eps), so they need no test.
  double best = -eps_;
  bool found = false;
  const double* col_potential = potential_.data() + m_;
  for (int i = 0; i < m_; ++i) {
    const double u = potential_[i];
    const double* row_cost = cost_.data() + static_cast<size_t>(i) * n_;
    if (bland) {
      for (int j = 0; j < n_; ++j)
        if (row_cost[j] - u - col_potential[j] < best) {  // Bland: the first eligible arc
          enter_i = i;
          enter_j = j;
          return true;
        }
      continue;
    }
    double row_best = best;
    int row_arg = -1;
    for (int j = 0; j < n_; ++j) {
      const double reduced = row_cost[j] - u - col_potential[j];
      if (reduced < row_best) {
        row_best = reduced;
        row_arg = j;
      }
    }
    if (row_arg >= 0) {  // Dantzig: the most negative reduced cost
      best = row_best;
      enter_i = i;
      enter_j = row_arg;
      found = true;
    }
  }
  return found;
}

int64_t TransportSimplex::pivot(int enter_i, int enter_j, bool bland) {
  // Cycle: entering arc (+), then the tree path from column enter_j back to row enter_i,
  // whose arcs alternate -, +, -, ... starting with -.
  std::vector<int>& from_col = from_col_;  // arcs on the way up to the common ancestor
  std::vector<int>& from_row = from_row_;
  from_col.clear();
  from_row.clear();
  int a = m_ + enter_j, b = enter_i;
  while (depth_[a] > depth_[b]) { from_col.push_back(parent_arc_[a]); a = parent_[a]; }
  while (depth_[b] > depth_[a]) { from_row.push_back(parent_arc_[b]); b = parent_[b]; }
  while (a != b) {
    from_col.push_back(parent_arc_[a]); a = parent_[a];
    from_row.push_back(parent_arc_[b]); b = parent_[b];
  }
  std::vector<int>& path = from_col;
  path.insert(path.end(), from_row.rbegin(), from_row.rend());
  int leave = -1;
  int64_t theta = 0;
  for (size_t t = 0; t < path.size(); t += 2) {
    const int k = path[t];
    const bool better = leave < 0 || arc_flow_[k] < theta ||
                        (bland && arc_flow_[k] == theta &&
                         arc_row_[k] * n_ + arc_col_[k] < arc_row_[leave] * n_ + arc_col_[leave]);
    if (better) { leave = k; theta = arc_flow_[k]; }
  }
  for (size_t t = 0; t < path.size(); ++t) arc_flow_[path[t]] += (t % 2 == 0) ? -theta : theta;
  basic_[static_cast<size_t>(arc_row_[leave]) * n_ + arc_col_[leave]] = 0;
  arc_row_[leave] = enter_i;
  arc_col_[leave] = enter_j;
  arc_flow_[leave] = theta;
  basic_[static_cast<size_t>(enter_i) * n_ + enter_j] = leave + 1;
  return theta;
}

double TransportSimplex::solve() {
  double max_cost = 0;
  for (const double c : cost_) max_cost = std::max(max_cost, std::fabs(c));
  // Reduced costs above -eps count as optimal: the result is then within eps * total flow of the
  // optimum, far below the 1e-12 the spec asks for, and rounding noise never triggers a pivot.
  eps_ = 1e-13 * std::max(max_cost, 1e-300);
  initial_basis();
  const int max_pivots = 100 * (m_ + n_) * (m_ + n_) + 1000;
  int degenerate_run = 0;
  bool bland = false;
  for (int it = 0;; ++it) {
    if (it > max_pivots)
      throw NumericError(fmt::format("emd: transport simplex did not converge in {} pivots ({} x {} particles)",
                                     max_pivots, m_, n_));
    compute_tree();
    int enter_i = -1, enter_j = -1;
    if (!price(enter_i, enter_j, bland)) break;
    const int64_t theta = pivot(enter_i, enter_j, bland);
    if (theta == 0) {
      if (++degenerate_run > m_ + n_) bland = true;  // Bland's rule cannot cycle
    } else {
      degenerate_run = 0;
      bland = false;
    }
  }
  double total = 0.0;
  for (size_t k = 0; k < arc_flow_.size(); ++k)
    total += static_cast<double>(arc_flow_[k]) * cost_[static_cast<size_t>(arc_row_[k]) * n_ + arc_col_[k]];
  return total;
}

Particles positive_particles(const double* jet, int64_t count, int which, double& total) {
  Particles out;
  total = 0.0;
  for (int64_t i = 0; i < count; ++i) {
    const double pt = jet[3 * i + 2];
    if (pt < 0)
      throw DataError(fmt::format("emd: jet {} particle {} has negative pt_rel = {}; the EMD needs "
                                  "non-negative weights", which, i, pt));
    if (pt == 0.0) continue;
    out.eta.push_back(jet[3 * i]);
    out.phi.push_back(jet[3 * i + 1]);
    out.weight.push_back(0);  // filled once the scale is known
    total += pt;
  }
  return out;
}

void integer_weights(Particles& p, const double* jet, int64_t count, double scale) {
  size_t k = 0;
  for (int64_t i = 0; i < count; ++i) {
    const double pt = jet[3 * i + 2];
    if (pt == 0.0) continue;
    p.weight[k++] = std::llround(pt / scale * kWeightScale);
  }
}

}  // namespace

double emd(const double* jet1, int64_t count1, const double* jet2, int64_t count2, bool* both_empty) {
  double total1 = 0.0, total2 = 0.0;
  Particles p1 = positive_particles(jet1, count1, 1, total1);
  Particles p2 = positive_particles(jet2, count2, 2, total2);
  if (both_empty != nullptr) *both_empty = total1 == 0.0 && total2 == 0.0;
  if (p1.weight.empty() || p2.weight.empty()) return std::fabs(total1 - total2);  // nothing to move
  const double scale = std::max(total1, total2);
  integer_weights(p1, jet1, count1, scale);
  integer_weights(p2, jet2, count2, scale);
  int64_t sum1 = 0, sum2 = 0;
  for (const int64_t w : p1.weight) sum1 += w;
  for (const int64_t w : p2.weight) sum2 += w;
  const size_t m = p1.weight.size(), n = p2.weight.size();
  std::vector<int64_t> supply = p1.weight, demand = p2.weight;
  // The extra node balancing the totals joins the lighter jet, at cost 1 to every particle of the
  // other jet (spec 8.1).
  const bool extra_row = sum1 < sum2, extra_col = sum2 < sum1;
  if (extra_row) supply.push_back(sum2 - sum1);
  if (extra_col) demand.push_back(sum1 - sum2);
  const size_t rows = supply.size(), cols = demand.size();
  std::vector<double> cost(rows * cols, 1.0);
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < n; ++j) {
      const double deta = p1.eta[i] - p2.eta[j], dphi = p1.phi[i] - p2.phi[j];  // no phi wrapping
      cost[i * cols + j] = std::sqrt(deta * deta + dphi * dphi);
    }
  TransportSimplex simplex(std::move(supply), std::move(demand), std::move(cost));
  return simplex.solve() / kWeightScale * scale;
}

}  // namespace flowjet::metrics

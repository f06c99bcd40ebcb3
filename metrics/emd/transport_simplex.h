// Exact solver of the balanced transportation problem behind the jet EMD (emd.h): the network
// simplex on the bipartite graph rows -> columns with integer flows and double costs.
#pragma once

#include <cstdint>
#include <vector>

namespace flowjet::metrics {

/// A reusable workspace: solve() keeps its buffers between calls, so one object per thread
/// solves many small problems without allocating.
class TransportSimplex {
 public:
  /// Minimum of sum f_ij cost_ij over integer flows f_ij >= 0 with row sums supply[i] and column
  /// sums demand[j]. Needs sum supply == sum demand, supplies and demands >= 0, and costs
  /// >= 0 ([rows, cols], row-major). Optimal to within 1e-13 * max cost * total flow.
  /// Throws NumericError if the simplex does not converge (it always should).
  double solve(const std::vector<int64_t>& supply, const std::vector<int64_t>& demand,
               const std::vector<double>& cost);

 private:
  void initial_basis();
  void cheapest_open_column(int i);  // row_min_[i], row_arg_[i] over the open columns
  bool price_block(int& enter_i, int& enter_j, double& reduced);
  bool price_bland(int& enter_i, int& enter_j, double& reduced) const;
  int64_t pivot(int enter_i, int enter_j, double reduced, bool bland);
  void update_subtree(int top, double shift);
  void attach(int v, int p);  // v becomes the first child of p
  void detach(int v);         // v leaves its parent's child list
  int cell(int v) const;  // row * cols + col of the basic arc joining node v to its parent

  int m_ = 0, n_ = 0;
  const int64_t* supply_ = nullptr;
  const int64_t* demand_ = nullptr;
  const double* cost_ = nullptr;
  double eps_ = 0;
  int next_row_ = 0, block_ = 0;  // block search: where the next block starts, its size in cells
  // The basis is a spanning tree on nodes 0..m-1 (rows) and m..m+n-1 (columns). Every node but
  // the root keeps the basic arc to its parent and that arc's flow; potentials satisfy
  // cost_ij = u_i + v_j on every basic arc.
  std::vector<int> parent_, depth_;
  std::vector<int64_t> flow_;
  std::vector<double> potential_;
  std::vector<int> first_child_, next_sibling_, prev_sibling_;  // child lists, doubly linked
  // Scratch reused across calls.
  std::vector<double> row_min_, col_penalty_;  // closed rows and columns: infinity
  std::vector<int> row_arg_;
  std::vector<int64_t> left_supply_, left_demand_;
  std::vector<int> removed_, kept_;
  std::vector<int64_t> allocated_;
};

}  // namespace flowjet::metrics

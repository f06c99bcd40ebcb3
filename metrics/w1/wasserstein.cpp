// 1-D W1 as scipy computes it (metric-definitions.md §4): merge the sorted samples and add
// |a/n_u - c/n_v| * (z_{k+1} - z_k) over consecutive merged values, in double.
#include "metrics/w1/wasserstein.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet::metrics {

double wasserstein_1d_sorted(const std::vector<double>& u, const std::vector<double>& v) {
  if (u.empty() || v.empty())
    throw ShapeError(fmt::format("wasserstein_1d: samples of sizes {} and {}, both must be non-empty",
                                 u.size(), v.size()));
  const double nu = static_cast<double>(u.size()), nv = static_cast<double>(v.size());
  size_t a = 0, c = 0;  // #{u_i <= z}, #{v_j <= z}
  double z = std::min(u[0], v[0]);
  // Consume every value equal to z, then integrate up to the next distinct value.
  double total = 0.0;
  while (a < u.size() || c < v.size()) {
    while (a < u.size() && u[a] <= z) ++a;
    while (c < v.size() && v[c] <= z) ++c;
    if (a == u.size() && c == v.size()) break;
    double next;
    if (a == u.size()) next = v[c];
    else if (c == v.size()) next = u[a];
    else next = std::min(u[a], v[c]);
    total += std::fabs(static_cast<double>(a) / nu - static_cast<double>(c) / nv) * (next - z);
    z = next;
  }
  return total;
}

double wasserstein_1d(std::vector<double> u, std::vector<double> v) {
  std::sort(u.begin(), u.end());
  std::sort(v.begin(), v.end());
  return wasserstein_1d_sorted(u, v);
}

}  // namespace flowjet::metrics

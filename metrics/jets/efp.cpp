// Energy flow polynomials by closed forms (metric-definitions.md §7.3 and 13.2.1, checked there
// against energyflow 1.3.x). Particles with z = 0 (padding) are dropped before the O(M^3) part.
#include "metrics/jets/efp.h"

#include <cmath>

#include "engine/backend/cpu/thread_pool.h"

namespace flowjet::metrics {

double efp_theta(double eta_i, double phi_i, double eta_j, double phi_j) {
  const double pi = 3.141592653589793;
  const double deta = eta_i - eta_j;
  const double dphi = pi - std::fabs(std::fabs(phi_i - phi_j) - pi);
  return std::sqrt(deta * deta + dphi * dphi);
}

std::array<double, kNumEfpD4> efp_d4(const double* particles, int64_t count) {
  // Keep the particles with non-zero weight: z is 0 for padding, which contributes nothing.
  std::vector<double> z, eta, phi;
  for (int64_t i = 0; i < count; ++i) {
    if (particles[3 * i + 2] != 0.0) {
      eta.push_back(particles[3 * i]);
      phi.push_back(particles[3 * i + 1]);
      z.push_back(particles[3 * i + 2]);
    }
  }
  const size_t m = z.size();
  // theta: [m, m], theta2 its element-wise square.
  std::vector<double> theta(m * m, 0.0), theta2(m * m, 0.0);
  for (size_t a = 0; a < m; ++a)
    for (size_t b = 0; b < m; ++b) {
      const double t = a == b ? 0.0 : efp_theta(eta[a], phi[a], eta[b], phi[b]);
      theta[a * m + b] = t;
      theta2[a * m + b] = t * t;
    }
  // u_w = Theta^[w] z (w = 1..4).
  std::vector<double> u1(m, 0.0), u2(m, 0.0), u3(m, 0.0), u4(m, 0.0);
  for (size_t a = 0; a < m; ++a)
    for (size_t b = 0; b < m; ++b) {
      const double t = theta[a * m + b], t2 = theta2[a * m + b];
      u1[a] += t * z[b];
      u2[a] += t2 * z[b];
      u3[a] += t2 * t * z[b];
      u4[a] += t2 * t2 * z[b];
    }
  // P = Theta diag(z) Theta: [m, m], symmetric.
  std::vector<double> p(m * m, 0.0);
  for (size_t a = 0; a < m; ++a)
    for (size_t c = 0; c < m; ++c) {
      const double tz = theta[a * m + c] * z[c];
      if (tz == 0.0) continue;
      for (size_t b = 0; b < m; ++b) p[a * m + b] += tz * theta[c * m + b];
    }
  // w = Theta (z o u1), y2 = Theta (z o u2).
  std::vector<double> zu1(m), zu2(m), zu1sq(m), w(m, 0.0);
  for (size_t a = 0; a < m; ++a) {
    zu1[a] = z[a] * u1[a];
    zu2[a] = z[a] * u2[a];
    zu1sq[a] = z[a] * u1[a] * u1[a];
  }
  for (size_t a = 0; a < m; ++a)
    for (size_t b = 0; b < m; ++b) w[a] += theta[a * m + b] * zu1[b];

  std::array<double, kNumEfpD4> e{};
  for (size_t a = 0; a < m; ++a) {
    const double za = z[a];
    e[0] += za;
    e[1] += za * u1[a];
    e[2] += za * u2[a];
    e[3] += za * u3[a];
    e[4] += za * u4[a];
    e[5] += za * u1[a] * u1[a];
    e[6] += za * u1[a] * u2[a];
    e[7] += za * u1[a] * u3[a];
    e[8] += za * u2[a] * u2[a];
    e[11] += za * u1[a] * u1[a] * u1[a];
    e[12] += za * u1[a] * u1[a] * u2[a];
    e[18] += za * u1[a] * u1[a] * u1[a] * u1[a];
    e[20] += za * w[a] * w[a];
    double t_a = 0.0;  // T_a = sum_b theta_ab z_b P_ab
    for (size_t b = 0; b < m; ++b) {
      const double t = theta[a * m + b], t2 = theta2[a * m + b], pab = p[a * m + b];
      const double zz = za * z[b];
      e[9] += zz * t * pab;
      e[10] += zz * t2 * pab;
      e[13] += zu1[a] * t * zu1[b];
      e[14] += zu2[a] * t * zu1[b];
      e[15] += zu1[a] * t2 * zu1[b];
      e[17] += zz * pab * pab;
      e[19] += zu1sq[a] * t * zu1[b];
      t_a += t * z[b] * pab;
    }
    e[16] += za * u1[a] * t_a;
  }
  // Disconnected graphs: products of their connected components (metric-definitions.md §13.2.2).
  e[21] = e[1] * e[1];
  e[22] = e[1] * e[2];
  e[23] = e[1] * e[3];
  e[24] = e[2] * e[2];
  e[25] = e[1] * e[5];
  e[26] = e[2] * e[5];
  e[27] = e[1] * e[6];
  e[28] = e[1] * e[9];
  e[29] = e[1] * e[1] * e[1];
  e[30] = e[1] * e[11];
  e[31] = e[1] * e[13];
  e[32] = e[5] * e[5];
  e[33] = e[1] * e[1] * e[2];
  e[34] = e[1] * e[1] * e[5];
  e[35] = e[1] * e[1] * e[1] * e[1];
  return e;
}

std::array<double, kNumEfpN4D4> efp_n4d4(const double* particles, int64_t count) {
  const auto all = efp_d4(particles, count);
  std::array<double, kNumEfpN4D4> out{};
  for (int k = 0; k < kNumEfpN4D4; ++k) out[k] = all[kEfpN4D4InD4[k]];
  return out;
}

namespace {
template <int Count, typename Fn>
std::vector<double> efps_of_all(const JetArray& jets, const char* what, Fn fn) {
  check_jet_array_shape(jets, what);
  std::vector<double> out(static_cast<size_t>(jets.jets * Count));
  parallel_for(jets.jets, 256, [&](int64_t begin, int64_t end) {
    for (int64_t j = begin; j < end; ++j) {
      const auto e = fn(jets.jet(j), jets.particles);
      for (int k = 0; k < Count; ++k) out[static_cast<size_t>(j * Count + k)] = e[k];
    }
  });
  return out;
}
}  // namespace

std::vector<double> efps_n4d4(const JetArray& jets) {
  return efps_of_all<kNumEfpN4D4>(jets, "efps_n4d4", efp_n4d4);
}

std::vector<double> efps_d4(const JetArray& jets) {
  return efps_of_all<kNumEfpD4>(jets, "efps_d4", efp_d4);
}

}  // namespace flowjet::metrics

// JetArray: the plain [jets, particles, 3] input of every metric, plus the input checks of
// docs/metrics.md (metric-definitions.md §2): shape, finiteness, range, not all padding,
// negative-pt clipping.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace flowjet::metrics {

/// Jets in JetNet relative coordinates. values: [jets, particles, 3] row-major, features
/// (eta_rel, phi_rel, pt_rel). Padded particles have all three features exactly 0.
struct JetArray {
  int64_t jets = 0;
  int64_t particles = 0;
  std::vector<double> values;

  JetArray() = default;
  /// Zero-filled array of the given size.
  JetArray(int64_t num_jets, int64_t num_particles)
      : jets(num_jets), particles(num_particles),
        values(static_cast<size_t>(num_jets * num_particles * 3), 0.0) {}

  /// Pointer to the `particles` x 3 block of jet j.
  const double* jet(int64_t j) const { return values.data() + j * particles * 3; }
  double* jet(int64_t j) { return values.data() + j * particles * 3; }
  double& eta_rel(int64_t j, int64_t i) { return values[static_cast<size_t>((j * particles + i) * 3)]; }
  double& phi_rel(int64_t j, int64_t i) { return values[static_cast<size_t>((j * particles + i) * 3 + 1)]; }
  double& pt_rel(int64_t j, int64_t i) { return values[static_cast<size_t>((j * particles + i) * 3 + 2)]; }
  double eta_rel(int64_t j, int64_t i) const { return values[static_cast<size_t>((j * particles + i) * 3)]; }
  double phi_rel(int64_t j, int64_t i) const { return values[static_cast<size_t>((j * particles + i) * 3 + 1)]; }
  double pt_rel(int64_t j, int64_t i) const { return values[static_cast<size_t>((j * particles + i) * 3 + 2)]; }
};

/// Builds a JetArray from per-jet particle lists ((eta, phi, pt) triples), zero-padding every
/// jet to `particles` (0: the longest jet). Throws ShapeError if a jet is longer than that.
JetArray make_jet_array(const std::vector<std::vector<std::vector<double>>>& jets,
                        int64_t particles = 0);

/// Checks that values.size() == jets * particles * 3 and jets, particles >= 1.
/// Throws ShapeError naming `what` (e.g. "generated jets") and both sizes.
void check_jet_array_shape(const JetArray& jets, const std::string& what);

/// Checks that every value is finite. Throws NumericError naming `what`, the first bad jet
/// index, particle index and feature (metric-definitions.md §2: "fail with a message naming the jet").
void check_jet_array_finite(const JetArray& jets, const std::string& what);

/// Checks that every value is at most kMaxJetArrayValue in magnitude (JetNet's relative coordinates
/// are O(1): |eta_rel|, |phi_rel| within the jet radius, pt_rel a fraction). Throws DataError naming
/// `what`, the first bad jet, particle and feature: such values overflow the EFPs' high powers.
inline constexpr double kMaxJetArrayValue = 1e3;
void check_jet_array_range(const JetArray& jets, const std::string& what);

/// Checks that at least one particle has a non-zero feature: a sample whose every particle is zero
/// padding holds no particles to compare. Throws DataError naming `what`.
void check_jet_array_has_particles(const JetArray& jets, const std::string& what);

/// Throws DataError naming `what` and the first jet/particle with pt_rel < 0 (COV/MMD refuse
/// negative pt, metric-definitions.md §2 and 8.2).
void check_jet_array_nonnegative_pt(const JetArray& jets, const std::string& what);

/// Replaces every pt_rel < 0 by 0 (the talk's evaluation clips both samples before any metric).
/// Returns the number of particles changed.
int64_t clip_negative_pt(JetArray& jets);

}  // namespace flowjet::metrics

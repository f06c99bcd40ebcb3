// Preprocessing of jets for the flows (training-recipe.md §1–§5): the 3P particle columns, n, the jet
// mass, half-normal noise on padded slots, the split, and the standard scaling into rows
// [scaled features (3P), scaled mass, raw n].
#pragma once

#include <cstdint>
#include <vector>

#include "data/jet_set.h"
#include "data/split.h"
#include "data/standard_scaler.h"

namespace flowjet::data {

/// Particle columns [jets, 3P] in the order eta_0, phi_0, pt_0, eta_1, ... (mask dropped).
std::vector<double> particle_columns(const JetSet& jets);

/// n per jet: the number of slots with mask == 1, [jets].
std::vector<int32_t> multiplicities(const JetSet& jets);

/// Replaces the three features of every padded slot (p >= n of its jet) of `columns`
/// ([jets, 3P]) by independent |N(0, 1)| · scale draws (training-recipe.md §3). Real slots are not
/// touched. Draws come from SequentialRng(seed) jet by jet, slot by slot: same seed, same noise.
void add_padding_noise(std::vector<double>& columns, int64_t particles, const std::vector<int32_t>& n, uint64_t seed,
                       double scale = 1e-7);

struct PrepareOptions {
  /// Noise on padded slots (training-recipe.md §3; on by default as the talk states).
  bool add_noise = true;
  double noise_scale = 1e-7;
  /// Seed of the split and the noise (each uses its own derived stream).
  uint64_t seed = 42;
  SplitScheme split = SplitScheme::TrainTest70_30;
  /// The reference's leak (training-recipe.md §4, §12.5): fit the scaler (and, by convention, the
  /// conditional sampler) on ALL rows instead of the training rows only.
  bool fit_on_all_rows = false;
};

/// Output of prepare(): every jet as one row, plus what is needed to undo the scaling.
struct PreparedData {
  int64_t rows = 0;
  int64_t particles = 0;
  /// [rows, 3P + 2]: scaled particle columns, scaled mass m~, raw n (as float).
  std::vector<float> table;
  int64_t width() const { return 3 * particles + 2; }
  /// Unscaled mass of training-recipe.md §2, computed before the noise: [rows].
  std::vector<double> mass;
  /// Scaled mass m~ in double (column 3P of table): [rows].
  std::vector<double> scaled_mass;
  /// n per row: [rows].
  std::vector<int32_t> n;
  Split split;
  /// Fitted on columns [3P particle columns, mass] (3P + 1 columns).
  StandardScaler scaler;
  /// The rows the scaler was fitted on (split.train, or all rows with fit_on_all_rows); fit the
  /// conditional sampler on the same rows.
  std::vector<int64_t> fit_rows;
  /// m~_min: the scaled value of zero mass, (0 - mean_m) / (std_m + 1e-7) (training-recipe.md §4).
  double scaled_zero_mass = 0.0;
};

/// Mass, noise, split, scaler fit and scaling in the order of training-recipe.md §2–§5. Throws
/// flowjet::ShapeError for a set with fewer than 2 jets.
PreparedData prepare(const JetSet& jets, const PrepareOptions& options = {});

}  // namespace flowjet::data

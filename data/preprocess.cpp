// Preprocessing pipeline of training-recipe.md §2–§5: mass before noise, noise on unscaled padded
// slots, split, scaler fitted on the training rows (or all rows: the reference's leak), scaling.
#include "data/preprocess.h"

#include <cmath>
#include <numeric>

#include "data/jet_kinematics.h"
#include "data/streams.h"
#include "engine/random/derive_seed.h"
#include "engine/random/sequential_rng.h"

namespace flowjet::data {

std::vector<double> particle_columns(const JetSet& jets) {
  std::vector<double> columns(static_cast<size_t>(jets.jets * jets.particles * 3));
  for (int64_t i = 0; i < jets.jets; ++i) {
    for (int64_t k = 0; k < jets.particles; ++k) {
      for (int f = 0; f < 3; ++f) columns[static_cast<size_t>((i * jets.particles + k) * 3 + f)] = jets.particle(i, k, f);
    }
  }
  return columns;
}

std::vector<int32_t> multiplicities(const JetSet& jets) {
  std::vector<int32_t> n(static_cast<size_t>(jets.jets));
  for (int64_t i = 0; i < jets.jets; ++i) n[static_cast<size_t>(i)] = static_cast<int32_t>(jets.real_particles(i));
  return n;
}

void add_padding_noise(std::vector<double>& columns, int64_t particles, const std::vector<int32_t>& n, uint64_t seed,
                       double scale) {
  SequentialRng rng(seed);
  const int64_t jets = static_cast<int64_t>(n.size());
  for (int64_t i = 0; i < jets; ++i) {
    for (int64_t k = n[static_cast<size_t>(i)]; k < particles; ++k) {
      for (int f = 0; f < 3; ++f) {
        columns[static_cast<size_t>((i * particles + k) * 3 + f)] = std::fabs(rng.normal()) * scale;
      }
    }
  }
}

PreparedData prepare(const JetSet& jets, const PrepareOptions& options) {
  PreparedData out;
  out.rows = jets.jets;
  out.particles = jets.particles;
  const int64_t features = 3 * jets.particles;

  out.mass = clamped_jet_masses(jets);  // §2: on the unnoised features
  out.n = multiplicities(jets);
  std::vector<double> columns = particle_columns(jets);
  if (options.add_noise) {
    add_padding_noise(columns, jets.particles, out.n, derive_seed(options.seed, kNoiseStream), options.noise_scale);
  }

  SplitOptions split_options;
  split_options.scheme = options.split;
  split_options.seed = options.seed;
  out.split = split_rows(jets.jets, split_options);  // throws for fewer than 2 jets
  if (options.fit_on_all_rows) {
    out.fit_rows.resize(static_cast<size_t>(jets.jets));
    std::iota(out.fit_rows.begin(), out.fit_rows.end(), 0);
  } else {
    out.fit_rows = out.split.train;
  }

  // Scaler input: [rows, 3P + 1] = particle columns then mass (training-recipe.md §4).
  const int64_t fit_width = features + 1;
  std::vector<double> matrix(static_cast<size_t>(jets.jets * fit_width));
  for (int64_t i = 0; i < jets.jets; ++i) {
    for (int64_t c = 0; c < features; ++c) matrix[i * fit_width + c] = columns[i * features + c];
    matrix[i * fit_width + features] = out.mass[i];
  }
  out.scaler = StandardScaler::fit(matrix, fit_width, out.fit_rows);
  out.scaler.transform(matrix.data(), jets.jets, fit_width);

  out.table.resize(static_cast<size_t>(jets.jets * out.width()));
  out.scaled_mass.resize(static_cast<size_t>(jets.jets));
  for (int64_t i = 0; i < jets.jets; ++i) {
    for (int64_t c = 0; c < fit_width; ++c) out.table[i * out.width() + c] = static_cast<float>(matrix[i * fit_width + c]);
    out.table[i * out.width() + fit_width] = static_cast<float>(out.n[i]);
    out.scaled_mass[i] = matrix[i * fit_width + features];
  }
  out.scaled_zero_mass = out.scaler.transform(0.0, features);
  return out;
}

}  // namespace flowjet::data

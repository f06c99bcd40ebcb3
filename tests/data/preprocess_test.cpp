// Preprocessing of training-recipe.md §3–§5: noise only on padded slots (half-normal, ~1e-7, seeded),
// the scaler's statistics, inversion and exact serialisation, the table layout and the leak option.
#include <doctest/doctest.h>

#include <cmath>

#include "data/jet_kinematics.h"
#include "data/preprocess.h"
#include "engine/core/error.h"
#include "tests/data/jet_fixtures.h"

using namespace flowjet;

TEST_CASE("data/preprocess: noise only on padded slots, positive, of order 1e-7, seeded") {
  const data::JetSet jets = test::synthetic_jets(200, 30, 21);
  const std::vector<int32_t> n = data::multiplicities(jets);
  const std::vector<double> clean = data::particle_columns(jets);
  std::vector<double> noisy = clean;
  data::add_padding_noise(noisy, 30, n, 5);
  double sum = 0.0;
  int64_t padded = 0;
  for (int64_t i = 0; i < jets.jets; ++i) {
    for (int64_t k = 0; k < 30; ++k) {
      for (int f = 0; f < 3; ++f) {
        const size_t at = static_cast<size_t>((i * 30 + k) * 3 + f);
        if (k < n[i]) {
          REQUIRE(noisy[at] == clean[at]);
        } else {
          REQUIRE(clean[at] == 0.0);
          REQUIRE(noisy[at] > 0.0);
          REQUIRE(noisy[at] < 1e-6);
          sum += noisy[at];
          ++padded;
        }
      }
    }
  }
  REQUIRE(padded > 1000);
  // Mean of |N(0,1)| · 1e-7 is sqrt(2/pi) · 1e-7 ≈ 0.798e-7.
  CHECK(sum / static_cast<double>(padded) == doctest::Approx(0.7979e-7).epsilon(0.05));
  std::vector<double> again = clean;
  data::add_padding_noise(again, 30, n, 5);
  CHECK(again == noisy);
  std::vector<double> other = clean;
  data::add_padding_noise(other, 30, n, 6);
  CHECK(other != noisy);
}

TEST_CASE("data/standard_scaler: statistics, inverse, and exact array round trip") {
  // Two columns, rows (1, 10), (2, 20), (3, 60): means 2, 30; sample stds 1, sqrt(700).
  const std::vector<double> matrix = {1, 10, 2, 20, 3, 60};
  const data::StandardScaler scaler = data::StandardScaler::fit(matrix, 2, {0, 1, 2});
  CHECK(scaler.mean()[0] == doctest::Approx(2.0));
  CHECK(scaler.mean()[1] == doctest::Approx(30.0));
  CHECK(scaler.std()[0] == doctest::Approx(1.0));
  CHECK(scaler.std()[1] == doctest::Approx(std::sqrt(700.0)));
  CHECK(scaler.transform(3.0, 0) == doctest::Approx(1.0 / (1.0 + 1e-7)).epsilon(1e-15));
  std::vector<float> rows = {1.5f, 25.0f, -4.0f, 100.0f};
  const std::vector<float> original = rows;
  scaler.transform(rows.data(), 2, 2);
  scaler.inverse(rows.data(), 2, 2);
  for (size_t i = 0; i < rows.size(); ++i) CHECK(rows[i] == doctest::Approx(original[i]).epsilon(1e-6));
  // Subset fit: only row 2.
  CHECK(data::StandardScaler::fit(matrix, 2, {2}).mean()[1] == 60.0);

  const data::StandardScaler back = data::StandardScaler::from_arrays(scaler.to_arrays());
  CHECK(back.mean() == scaler.mean());
  CHECK(back.std() == scaler.std());
  data::NamedArrays broken = scaler.to_arrays();
  broken.erase("std");
  CHECK_THROWS_WITH_AS(data::StandardScaler::from_arrays(broken), doctest::Contains("'std'"), DataError);
  broken = scaler.to_arrays();
  broken["std"].shape = {3};
  CHECK_THROWS_AS(data::StandardScaler::from_arrays(broken), DataError);
  CHECK_THROWS_AS(scaler.transform(rows.data(), 1, 3), ShapeError);
  CHECK_THROWS_AS(data::StandardScaler::fit(matrix, 2, {}), ShapeError);
}

TEST_CASE("data/preprocess: table layout, scaler fitted on the training rows, leak option") {
  const data::JetSet jets = test::synthetic_jets(300, 30, 22);
  data::PrepareOptions options;
  const data::PreparedData prepared = data::prepare(jets, options);
  REQUIRE(prepared.width() == 92);
  REQUIRE(prepared.table.size() == 300u * 92u);
  CHECK(prepared.split.train.size() == 210);
  CHECK(prepared.split.test.size() == 90);
  CHECK(prepared.fit_rows == prepared.split.train);
  const std::vector<double> masses = data::clamped_jet_masses(jets);
  for (int64_t i = 0; i < 300; ++i) {
    CHECK(prepared.table[i * 92 + 91] == static_cast<float>(jets.real_particles(i)));
    CHECK(prepared.mass[i] == masses[i]);
    CHECK(prepared.scaled_mass[i] == doctest::Approx(prepared.scaler.transform(masses[i], 90)).epsilon(1e-12));
    CHECK(prepared.table[i * 92 + 90] == static_cast<float>(prepared.scaled_mass[i]));
    // Real particles invert back to the file values.
    CHECK(prepared.scaler.inverse(prepared.table[i * 92 + 2], 2) ==
          doctest::Approx(jets.particle(i, 0, data::kPtRel)).epsilon(1e-5));
  }
  // Scaled training rows have mean 0 in every column.
  for (int64_t c = 0; c < 91; ++c) {
    double mean = 0.0;
    for (const int64_t row : prepared.split.train) mean += prepared.table[row * 92 + c];
    CHECK(std::fabs(mean / 210.0) < 1e-4);
  }
  CHECK(prepared.scaled_zero_mass == doctest::Approx(-prepared.scaler.mean()[90] / (prepared.scaler.std()[90] + 1e-7)));

  options.fit_on_all_rows = true;
  const data::PreparedData leaky = data::prepare(jets, options);
  CHECK(leaky.fit_rows.size() == 300);
  double all_mean = 0.0;
  for (const double m : masses) all_mean += m;
  CHECK(leaky.scaler.mean()[90] == doctest::Approx(all_mean / 300.0).epsilon(1e-12));
  CHECK(leaky.scaler.mean()[90] != prepared.scaler.mean()[90]);

  // Same options, same result; noise off leaves padded slots at exactly the scaled zero.
  CHECK(data::prepare(jets, {}).table == prepared.table);
  options.add_noise = false;
  options.fit_on_all_rows = false;
  const data::PreparedData quiet = data::prepare(jets, options);
  CHECK(quiet.table != prepared.table);
  int64_t i = 0;
  while (jets.real_particles(i) == 30) ++i;
  const int64_t slot = jets.real_particles(i);
  CHECK(quiet.scaler.inverse(quiet.table[i * 92 + slot * 3 + 2], slot * 3 + 2) == doctest::Approx(0.0));
}

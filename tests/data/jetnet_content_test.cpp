// Content checks of the JetNet reader (jet-samples.md §4.3, C1–C13, W7, W9, W11, W13): each fixture
// corrupts one property of valid jets at a known jet and slot; tests check the error kind and
// that the message names the file, the dataset, the jet and the slot.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <initializer_list>
#include <limits>

#include "data/data_error.h"
#include "data/jetnet_hdf5.h"
#include "tests/data/jet_fixtures.h"

using namespace flowjet;
using data::DataErrorKind;
using data::JetSet;

namespace {

// Writes valid jets corrupted by `corrupt` to a fresh file and returns its path.
std::string corrupted_file(const test::TempDir& dir, const std::string& name,
                           const std::function<void(JetSet&)>& corrupt) {
  JetSet jets = test::synthetic_jets(20, 30, 11);
  for (int64_t i = 0; i < jets.jets; ++i) {  // at least 5 real particles everywhere
    if (jets.real_particles(i) < 5) {
      jets.jet(i, data::kJetNumParticles) = 5;
      for (int64_t k = 0; k < 5; ++k) {
        jets.particle(i, k, data::kMask) = 1.0f;
        jets.particle(i, k, data::kPtRel) = 0.1f - 0.01f * static_cast<float>(k);
      }
    }
  }
  corrupt(jets);
  const std::string path = dir.file(name);
  test::write_raw_file(path, test::raw_datasets(jets));
  return path;
}

void expect_error(const std::string& path, bool strict, DataErrorKind kind,
                  std::initializer_list<std::string> parts) {
  data::ReadOptions options;
  options.type = data::JetType::G;
  options.strict = strict;
  try {
    data::read_jetnet(path, options);
    FAIL("expected a ", data::to_string(kind), " error");
  } catch (const data::JetNetError& e) {
    const std::string message = e.what();
    INFO(message);
    CHECK(std::string(data::to_string(e.kind())) == data::to_string(kind));
    CHECK(message.find(path) != std::string::npos);
    for (const std::string& part : parts) CHECK(message.find(part) != std::string::npos);
  }
}

// Lenient read succeeds with one warning holding `part`; strict read throws `kind`.
void expect_warning(const std::string& path, DataErrorKind kind, const std::string& part) {
  data::ReadOptions options;
  options.type = data::JetType::G;
  std::vector<std::string> warnings;
  CHECK_NOTHROW(data::read_jetnet(path, options, &warnings));
  REQUIRE(warnings.size() >= 1);
  CHECK(warnings[0].find(part) != std::string::npos);
  expect_error(path, true, kind, {part});
}

}  // namespace

TEST_CASE("data/jetnet_content: valid synthetic jets pass strict validation") {
  test::TempDir dir;
  const std::string path = corrupted_file(dir, "valid.hdf5", [](JetSet&) {});
  data::ReadOptions options;
  options.type = data::JetType::G;
  options.strict = true;
  std::vector<std::string> warnings;
  CHECK(data::read_jetnet(path, options, &warnings).jets == 20);
  CHECK(warnings.empty());
}

TEST_CASE("data/jetnet_content: non-finite values name jet, particle and feature, and count them") {
  test::TempDir dir;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::string path = corrupted_file(dir, "nan.hdf5", [&](JetSet& j) {
    j.particle(3, 2, data::kPtRel) = nan;
    j.particle(7, 0, data::kEtaRel) = std::numeric_limits<float>::infinity();
  });
  expect_error(path, false, DataErrorKind::NonFinite,
               {"'particle_features'", "jet 3", "particle 2", "'pt_rel'", "2 jets with non-finite values"});
  const std::string jet_path = corrupted_file(dir, "nanjet.hdf5", [&](JetSet& j) { j.jet(4, data::kJetMass) = nan; });
  expect_error(jet_path, false, DataErrorKind::NonFinite, {"'jet_features'", "jet 4", "'mass'"});
}

TEST_CASE("data/jetnet_content: mask values, legacy masks, gaps and non-zero padding") {
  test::TempDir dir;
  const std::string half = corrupted_file(dir, "half.hdf5", [](JetSet& j) { j.particle(5, 1, data::kMask) = 0.5f; });
  expect_error(half, false, DataErrorKind::BadMask, {"jet 5", "particle 1", "mask must be 0 or 1", "0.5"});

  const std::string legacy = corrupted_file(dir, "legacy.hdf5", [](JetSet& j) {
    for (size_t v = 3; v < j.particle_features.size(); v += 4) j.particle_features[v] -= 0.5f;
  });
  expect_error(legacy, false, DataErrorKind::BadMask, {"jet 0", "legacy", "mask + 0.5"});

  const std::string gap = corrupted_file(dir, "gap.hdf5", [](JetSet& j) {
    j.particle(6, 2, data::kMask) = 0.0f;
    j.particle(6, 2, data::kEtaRel) = j.particle(6, 2, data::kPhiRel) = j.particle(6, 2, data::kPtRel) = 0.0f;
  });
  expect_error(gap, false, DataErrorKind::BadMask, {"jet 6", "slot 3", "after padding slot 2"});

  int64_t padded_jet = -1;
  const std::string padding = corrupted_file(dir, "padding.hdf5", [&](JetSet& j) {
    for (padded_jet = 0; j.real_particles(padded_jet) == 30; ++padded_jet) {
    }
    j.particle(padded_jet, j.real_particles(padded_jet), data::kPhiRel) = 0.25f;
  });
  expect_error(padding, false, DataErrorKind::BadPadding,
               {"jet " + std::to_string(padded_jet), "mask is 0", "0.25", "expected all zero"});
}

TEST_CASE("data/jetnet_content: pt_rel range, sum and ordering") {
  test::TempDir dir;
  const std::string gev = corrupted_file(dir, "gev.hdf5", [](JetSet& j) {
    for (size_t v = 2; v < j.particle_features.size(); v += 4) j.particle_features[v] *= 1000.0f;
  });
  expect_error(gev, false, DataErrorKind::OutOfRange, {"jet 0", "particle 0", "pt_rel", "outside (0, 1]"});

  const std::string negative = corrupted_file(dir, "neg.hdf5", [](JetSet& j) { j.particle(2, 4, data::kPtRel) = -0.01f; });
  expect_error(negative, false, DataErrorKind::OutOfRange, {"jet 2", "particle 4", "-0.01"});

  const std::string sum = corrupted_file(dir, "sum.hdf5", [](JetSet& j) {
    for (int64_t k = 0; k < 5; ++k) j.particle(9, k, data::kPtRel) = 0.3f;
  });
  expect_error(sum, false, DataErrorKind::OutOfRange, {"jet 9", "sum of pt_rel", "> 1.2"});

  const std::string order = corrupted_file(dir, "order.hdf5", [](JetSet& j) {
    std::swap(j.particle(10, 1, data::kPtRel), j.particle(10, 3, data::kPtRel));
  });
  expect_error(order, false, DataErrorKind::BadOrdering, {"jet 10", "not ordered by decreasing pt_rel", "slot 2"});
}

TEST_CASE("data/jetnet_content: angles, empty jets and jet features") {
  test::TempDir dir;
  const std::string phi = corrupted_file(dir, "phi.hdf5", [](JetSet& j) { j.particle(11, 0, data::kPhiRel) = 4.0f; });
  expect_error(phi, false, DataErrorKind::OutOfRange, {"jet 11", "particle 0", "phi_rel = 4"});

  const std::string eta = corrupted_file(dir, "eta.hdf5", [](JetSet& j) { j.particle(12, 1, data::kEtaRel) = 6.0f; });
  expect_error(eta, false, DataErrorKind::OutOfRange, {"jet 12", "particle 1", "eta_rel = 6", "implausible"});

  const std::string empty = corrupted_file(dir, "empty.hdf5", [](JetSet& j) {
    for (int64_t k = 0; k < 30; ++k)
      for (int f = 0; f < 4; ++f) j.particle(13, k, f) = 0.0f;
  });
  expect_error(empty, false, DataErrorKind::Inconsistent, {"jet 13", "has no particles"});

  const std::string pt = corrupted_file(dir, "jetpt.hdf5", [](JetSet& j) { j.jet(14, data::kJetPt) = -5.0f; });
  expect_error(pt, false, DataErrorKind::OutOfRange, {"'jet_features'", "jet 14", "pt = -5"});

  const std::string count = corrupted_file(dir, "count.hdf5", [](JetSet& j) { j.jet(15, data::kJetNumParticles) = 7.5f; });
  expect_error(count, false, DataErrorKind::OutOfRange, {"jet 15", "num_particles = 7.5", "integer"});
}

TEST_CASE("data/jetnet_content: warnings are errors in strict mode") {
  test::TempDir dir;
  const std::string mismatch = corrupted_file(dir, "w9.hdf5", [](JetSet& j) {
    j.jet(16, data::kJetNumParticles) = static_cast<float>(j.real_particles(16) - 1);
  });
  expect_warning(mismatch, DataErrorKind::Inconsistent, "jet 16");

  const std::string low_sum = corrupted_file(dir, "w7.hdf5", [](JetSet& j) {
    for (size_t v = 2; v < j.particle_features.size(); v += 4) j.particle_features[v] *= 0.4f;
  });
  expect_warning(low_sum, DataErrorKind::OutOfRange, "mean sum of pt_rel");

  const std::string wide = corrupted_file(dir, "w11.hdf5", [](JetSet& j) { j.particle(1, 0, data::kPhiRel) = 1.5f; });
  expect_warning(wide, DataErrorKind::OutOfRange, "1 particles lie further than expected");

  const std::string soft = corrupted_file(dir, "w13.hdf5", [](JetSet& j) { j.jet(2, data::kJetPt) = 100.0f; });
  expect_warning(soft, DataErrorKind::OutOfRange, "1 jets have pt or eta outside");
}

TEST_CASE("data/jetnet_content: validation can be switched off") {
  test::TempDir dir;
  const std::string path = corrupted_file(dir, "off.hdf5", [](JetSet& j) { j.particle(0, 0, data::kMask) = 0.5f; });
  data::ReadOptions options;
  options.type = data::JetType::G;
  options.validate = false;
  CHECK(data::read_jetnet(path, options).particle(0, 0, data::kMask) == 0.5f);
}

// Round trips of the JetNet reader and writer (jet-samples.md §1, §4.4): write then read equals,
// 150-particle files read through a hyperslab, max_jets, num_particles capping, attributes.
#include <doctest/doctest.h>

#include <filesystem>

#include "data/data_error.h"
#include "data/jetnet_hdf5.h"
#include "tests/data/jet_fixtures.h"

using namespace flowjet;
using data::JetSet;

TEST_CASE("data/jetnet_hdf5: write then read gives identical arrays") {
  test::TempDir dir;
  const JetSet jets = test::synthetic_jets(257, 30, 1, data::JetType::Q);
  for (int level : {0, 4}) {
    const std::string path = dir.file(level == 0 ? "q.hdf5" : "q.h5");
    data::WriteOptions options;
    options.deflate_level = level;
    options.attributes["seed"] = "1";
    data::write_jetnet(path, jets, options);
    data::ReadOptions read;
    read.strict = true;
    read.block_jets = 100;  // several blocks, the last one partial
    const JetSet back = data::read_jetnet(path, read);
    CHECK(back.jets == 257);
    CHECK(back.particles == 30);
    CHECK(back.type == data::JetType::Q);
    CHECK(back.particle_features == jets.particle_features);
    CHECK(back.jet_features == jets.jet_features);
    const auto attributes = data::read_jetnet_attributes(path);
    CHECK(attributes.at("jet_type") == "q");
    CHECK(attributes.at("particle_feature_names") == "etarel,phirel,ptrel,mask");
    CHECK(attributes.at("jet_feature_names") == "pt,eta,mass,num_particles");
    CHECK(attributes.at("seed") == "1");
  }
  // Nothing but the two outputs is left: the temporary files were renamed.
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.file(""))) files += entry.is_regular_file();
  CHECK(files == 2);
}

TEST_CASE("data/jetnet_hdf5: 150-particle file read as its first 30 or 10 slots") {
  test::TempDir dir;
  const JetSet full = test::synthetic_jets(40, 150, 2, data::JetType::G);
  const std::string path = dir.file("g150.hdf5");
  data::write_jetnet(path, full);
  CHECK(data::inspect_jetnet(path).particles == 150);

  data::ReadOptions all;
  all.particles = 0;
  all.strict = true;
  const JetSet everything = data::read_jetnet(path, all);
  CHECK(everything.particles == 150);
  CHECK(everything.particle_features == full.particle_features);

  for (int64_t p : {30, 10}) {
    data::ReadOptions options;
    options.particles = p;
    options.strict = true;
    options.cap_num_particles = true;
    const JetSet part = data::read_jetnet(path, options);
    REQUIRE(part.particles == p);
    for (int64_t i = 0; i < part.jets; ++i) {
      for (int64_t k = 0; k < p; ++k) {
        for (int f = 0; f < 4; ++f) REQUIRE(part.particle(i, k, f) == full.particle(i, k, f));
      }
      CHECK(part.jet(i, data::kJetNumParticles) == std::min<float>(full.jet(i, data::kJetNumParticles), float(p)));
      CHECK(part.num_particles_raw[static_cast<size_t>(i)] == full.jet(i, data::kJetNumParticles));
    }
  }
}

TEST_CASE("data/jetnet_hdf5: max_jets reads only the first jets") {
  test::TempDir dir;
  const JetSet jets = test::synthetic_jets(50, 30, 3, data::JetType::T);
  const std::string path = dir.file("t.hdf5");
  data::write_jetnet(path, jets);
  data::ReadOptions options;
  options.max_jets = 7;
  const JetSet head = data::read_jetnet(path, options);
  CHECK(head.jets == 7);
  CHECK(std::vector<float>(jets.particle_features.begin(), jets.particle_features.begin() + 7 * 30 * 4) ==
        head.particle_features);
  options.max_jets = 1000;
  CHECK(data::read_jetnet(path, options).jets == 50);
}

TEST_CASE("data/jetnet_hdf5: jet type from file names") {
  CHECK(data::jet_type_from_file_name("/a/b/g.hdf5") == data::JetType::G);
  CHECK(data::jet_type_from_file_name("z150.hdf5") == data::JetType::Z);
  CHECK(data::jet_type_from_file_name("w.h5") == data::JetType::W);
  CHECK_FALSE(data::jet_type_from_file_name("gluons.hdf5").has_value());
  CHECK_FALSE(data::jet_type_from_file_name("g30.hdf5").has_value());
  CHECK(data::class_index(data::JetType::T) == 2);
}

TEST_CASE("data/jetnet_hdf5: writer rejects inconsistent arrays without leaving a file") {
  test::TempDir dir;
  JetSet jets = test::synthetic_jets(5, 30, 4);
  jets.jet_features.pop_back();
  const std::string path = dir.file("g.hdf5");
  try {
    data::write_jetnet(path, jets);
    FAIL("no exception");
  } catch (const data::JetNetError& e) {
    CHECK(e.kind() == data::DataErrorKind::BadShape);
    CHECK(std::string(e.what()).find(path) != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(path));
  data::WriteOptions bad;
  bad.deflate_level = 12;
  CHECK_THROWS_AS(data::write_jetnet(path, test::synthetic_jets(5, 30, 4), bad), data::JetNetError);
  CHECK_THROWS_AS(data::write_jetnet(dir.file("no/such/dir/g.hdf5"), test::synthetic_jets(5, 30, 4)),
                  DataError);
}

// JetNetStreamWriter (data/jetnet_stream_writer.h): batches appended to extendable datasets give
// the same file content as write_jetnet for any batch size, a writer that never finishes leaves
// no file, an unusable folder fails when the writer is opened, and misuse is rejected.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "data/data_error.h"
#include "engine/io/hdf5_check.h"
#include "data/jetnet_hdf5.h"
#include "data/jetnet_stream_writer.h"
#include "tests/data/jet_fixtures.h"

using namespace flowjet;
using data::JetSet;

namespace {

// Rows [first, first + rows) of `jets`.
JetSet rows_of(const JetSet& jets, int64_t first, int64_t rows) {
  JetSet out = JetSet::zeros(rows, jets.particles, jets.type);
  const int64_t per_jet = jets.particles * 4;
  std::copy_n(jets.particle_features.begin() + first * per_jet, rows * per_jet, out.particle_features.begin());
  std::copy_n(jets.jet_features.begin() + first * 4, rows * 4, out.jet_features.begin());
  return out;
}

// Appends `jets` in batches of `batch` (the last one smaller when it does not divide) and finishes.
void write_in_batches(const std::string& path, const JetSet& jets, int64_t batch, const data::WriteOptions& options) {
  data::JetNetStreamWriter writer(path, jets.particles, jets.type, options);
  for (int64_t first = 0; first < jets.jets; first += batch) {
    writer.append(rows_of(jets, first, std::min(batch, jets.jets - first)));
  }
  CHECK(writer.jets_written() == jets.jets);
  writer.finish();
}

JetSet read_strict(const std::string& path, data::JetType type = data::JetType::G) {
  data::ReadOptions options;
  options.strict = true;
  options.particles = 0;
  options.type = type;
  return data::read_jetnet(path, options);
}

// Storage of `dataset` in `path`: whether it is chunked and whether dimension 0 is unlimited.
std::pair<bool, bool> chunked_and_extendable(const std::string& path, const char* dataset) {
  H5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  H5Handle set(H5Dopen2(file.get(), dataset, H5P_DEFAULT));
  H5Handle plist(H5Dget_create_plist(set.get()));
  H5Handle space(H5Dget_space(set.get()));
  hsize_t max_dims[3] = {0, 0, 0};
  H5Sget_simple_extent_dims(space.get(), nullptr, max_dims);
  return {H5Pget_layout(plist.get()) == H5D_CHUNKED, max_dims[0] == H5S_UNLIMITED};
}

}  // namespace

TEST_CASE("data/jetnet_stream_writer: batches of any size give write_jetnet's content") {
  test::TempDir dir;
  const JetSet jets = test::synthetic_jets(2100, 30, 7, data::JetType::Q);
  data::WriteOptions options;
  options.attributes["generator"] = "test";
  data::write_jetnet(dir.file("whole.h5"), jets, options);
  const JetSet whole = read_strict(dir.file("whole.h5"), data::JetType::Q);
  const auto whole_attributes = data::read_jetnet_attributes(dir.file("whole.h5"));
  CHECK(chunked_and_extendable(dir.file("whole.h5"), "particle_features") == std::pair<bool, bool>{true, false});

  // 1: one jet at a time; 500: a remainder of 100; 1024: one chunk per batch; 5000: one short batch.
  for (int64_t batch : {1, 500, 1024, 5000}) {
    CAPTURE(batch);
    const std::string path = dir.file("streamed" + std::to_string(batch) + ".h5");
    write_in_batches(path, jets, batch, options);
    const JetSet back = read_strict(path, data::JetType::Q);
    CHECK(back.jets == 2100);
    CHECK(data::read_jetnet_attributes(path).at("jet_type") == "q");
    CHECK(back.particle_features == whole.particle_features);
    CHECK(back.jet_features == whole.jet_features);
    CHECK(data::read_jetnet_attributes(path) == whole_attributes);
    CHECK(chunked_and_extendable(path, "particle_features") == std::pair<bool, bool>{true, true});
    CHECK(chunked_and_extendable(path, "jet_features") == std::pair<bool, bool>{true, true});
  }
  data::WriteOptions deflated = options;
  deflated.deflate_level = 4;
  write_in_batches(dir.file("deflated.h5"), jets, 300, deflated);
  CHECK(read_strict(dir.file("deflated.h5"), data::JetType::Q).particle_features == whole.particle_features);
  // Only the finished files are there: every temporary file was renamed.
  CHECK(dir.listing().size() == 6);
}

TEST_CASE("data/jetnet_stream_writer: a writer that does not finish leaves no file") {
  test::TempDir dir;
  const JetSet jets = test::synthetic_jets(40, 30, 8);
  const std::string path = dir.file("g.h5");
  {
    data::JetNetStreamWriter writer(path, 30, data::JetType::G);
    writer.append(rows_of(jets, 0, 25));
    CHECK(std::filesystem::exists(writer.temporary_path()));
    CHECK(writer.temporary_path().rfind(path + ".tmp-", 0) == 0);  // next to the output, never its name
    CHECK_FALSE(std::filesystem::exists(path));
  }  // destroyed mid-run, as when a batch throws
  CHECK(dir.listing().empty());

  // A failure inside the run: the exception unwinds through the writer.
  CHECK_THROWS_AS(
      [&] {
        data::JetNetStreamWriter writer(path, 30, data::JetType::G);
        writer.append(rows_of(jets, 0, 10));
        throw std::runtime_error("generation failed");
      }(),
      std::runtime_error);
  CHECK(dir.listing().empty());
}

TEST_CASE("data/jetnet_stream_writer: an unusable folder fails when the writer is opened") {
  test::TempDir dir;
  test::write_bytes(dir.file("plain_file"), "not a folder");
  for (const std::string& path : {dir.file("missing/g.h5"), dir.file("plain_file/g.h5")}) {
    CAPTURE(path);
    try {
      data::JetNetStreamWriter writer(path, 30, data::JetType::G);
      FAIL("no exception");
    } catch (const data::JetNetError& e) {
      CHECK(e.kind() == data::DataErrorKind::WriteFailed);
      CHECK(std::string(e.what()).find("cannot write JetNet file '" + path + "'") != std::string::npos);
      CHECK(std::string(e.what()).find("writable") != std::string::npos);
    }
  }
  // A read-only folder (not for root, whom the permission bits do not stop).
  if (geteuid() != 0) {
    std::filesystem::create_directory(dir.file("read_only"));
    std::filesystem::permissions(dir.file("read_only"), std::filesystem::perms::owner_read |
                                                             std::filesystem::perms::owner_exec);
    CHECK_THROWS_AS(data::JetNetStreamWriter(dir.file("read_only/g.h5"), 30, data::JetType::G), data::JetNetError);
    std::filesystem::permissions(dir.file("read_only"), std::filesystem::perms::owner_all);
  }
  CHECK(dir.listing().size() == (geteuid() != 0 ? 2u : 1u));
}

TEST_CASE("data/jetnet_stream_writer: misuse is rejected and leaves no file") {
  test::TempDir dir;
  const std::string path = dir.file("g.h5");
  const JetSet jets = test::synthetic_jets(10, 30, 9);
  auto kind_of = [](auto&& action) {
    try {
      action();
    } catch (const data::JetNetError& e) {
      return e.kind();
    }
    FAIL("no exception");
    return data::DataErrorKind::WriteFailed;
  };
  CHECK(kind_of([&] { data::JetNetStreamWriter(path, 0, data::JetType::G); }) == data::DataErrorKind::BadShape);
  CHECK(kind_of([&] { data::JetNetStreamWriter(path, 30, data::JetType::G, {}, 0); }) ==
        data::DataErrorKind::BadShape);
  data::WriteOptions bad_level;
  bad_level.deflate_level = 10;
  CHECK(kind_of([&] { data::JetNetStreamWriter(path, 30, data::JetType::G, bad_level); }) ==
        data::DataErrorKind::BadRequest);
  CHECK(kind_of([&] {
          data::JetNetStreamWriter writer(path, 20, data::JetType::G);
          writer.append(jets);  // 30 particles into a 20-particle file
        }) == data::DataErrorKind::BadShape);
  CHECK(kind_of([&] {
          data::JetNetStreamWriter writer(path, 30, data::JetType::G);
          writer.finish();  // no jets
        }) == data::DataErrorKind::BadShape);
  CHECK(kind_of([&] {
          data::JetNetStreamWriter writer(path, 30, data::JetType::G, {}, 15);
          writer.append(jets);
          writer.finish();  // 10 of the announced 15
        }) == data::DataErrorKind::BadShape);
  CHECK(kind_of([&] {
          data::JetNetStreamWriter writer(path, 30, data::JetType::G, {}, 15);
          writer.append(jets);
          writer.append(jets);  // 20 > 15
        }) == data::DataErrorKind::BadShape);
  CHECK(dir.listing().empty());
  CHECK(kind_of([&] {
          data::JetNetStreamWriter writer(path, 30, data::JetType::G);
          writer.append(jets);
          writer.finish();
          writer.append(jets);
        }) == data::DataErrorKind::BadRequest);
  CHECK(read_strict(path).jets == 10);  // the finished file stays
}

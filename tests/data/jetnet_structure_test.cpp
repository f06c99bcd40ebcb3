// Structure errors of the JetNet reader (jet-samples.md §4.2, S1–S14, W1): each fixture breaks one
// property; every test checks the error kind and that the message names the file and dataset.
#include <doctest/doctest.h>

#include <initializer_list>

#include "data/data_error.h"
#include "data/jetnet_hdf5.h"
#include "tests/data/jet_fixtures.h"

using namespace flowjet;
using data::DataErrorKind;

namespace {

// Reads `path` and checks that it throws a JetNetError of `kind` whose message holds `parts`.
void expect_error(const std::string& path, const data::ReadOptions& options, DataErrorKind kind,
                  std::initializer_list<std::string> parts) {
  try {
    data::read_jetnet(path, options);
    FAIL("expected a ", data::to_string(kind), " error for ", path);
  } catch (const data::JetNetError& e) {
    const std::string message = e.what();
    INFO(message);
    CHECK(std::string(data::to_string(e.kind())) == data::to_string(kind));
    for (const std::string& part : parts) CHECK(message.find(part) != std::string::npos);
  }
}

data::ReadOptions typed() {
  data::ReadOptions options;
  options.type = data::JetType::G;
  return options;
}

}  // namespace

TEST_CASE("data/jetnet_structure: missing, non-HDF5 and truncated files") {
  test::TempDir dir;
  expect_error(dir.file("g.hdf5"), {}, DataErrorKind::NotFound, {dir.file("g.hdf5"), "not found", "g150.hdf5"});
  expect_error(dir.file(""), typed(), DataErrorKind::Unreadable, {"directory"});

  const std::string junk = dir.file("junk.hdf5");
  test::write_bytes(junk, std::string(4096, 'x'));
  expect_error(junk, typed(), DataErrorKind::NotHdf5, {junk, "not an HDF5 file"});

  const std::string good = dir.file("g.hdf5");
  data::write_jetnet(good, test::synthetic_jets(300, 30, 5));
  const std::string bytes = test::read_bytes(good);
  for (size_t keep : {bytes.size() / 2, bytes.size() - 100, size_t{600}}) {
    const std::string cut = dir.file("cut.hdf5");
    test::write_bytes(cut, bytes.substr(0, keep));
    expect_error(cut, typed(), DataErrorKind::CorruptFile, {cut, "truncated"});
  }
}

TEST_CASE("data/jetnet_structure: missing datasets and objects that are not datasets") {
  test::TempDir dir;
  const auto raw = test::raw_datasets(test::synthetic_jets(10, 30, 6));
  const std::string old_release = dir.file("old.hdf5");
  test::write_raw_file(old_release, {raw[0]});
  expect_error(old_release, typed(), DataErrorKind::MissingDataset,
               {old_release, "no dataset 'jet_features'", "particle_features", "old JetNet release"});
  const std::string no_particles = dir.file("nop.hdf5");
  test::write_raw_file(no_particles, {raw[1]});
  expect_error(no_particles, typed(), DataErrorKind::MissingDataset,
               {no_particles, "no dataset 'particle_features'", "root holds: jet_features"});

  const std::string group = dir.file("group.hdf5");
  test::write_raw_file(group, {raw[0]});
  const hid_t file = H5Fopen(group.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  H5Gclose(H5Gcreate2(file, "jet_features", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  H5Fclose(file);
  expect_error(group, typed(), DataErrorKind::MissingDataset, {group, "'jet_features'", "is a group"});
}

TEST_CASE("data/jetnet_structure: wrong rank, feature count, jet count and empty files") {
  test::TempDir dir;
  const data::JetSet jets = test::synthetic_jets(10, 30, 7);
  auto raw = test::raw_datasets(jets);

  auto flat = raw;
  flat[0].dims = {10, 120};
  const std::string rank = dir.file("rank.hdf5");
  test::write_raw_file(rank, flat);
  expect_error(rank, typed(), DataErrorKind::BadShape, {rank, "'particle_features'", "3-dimensional", "(10, 120)"});

  auto jet_rank = raw;
  jet_rank[1].dims = {40};
  const std::string rank1 = dir.file("rank1.hdf5");
  test::write_raw_file(rank1, jet_rank);
  expect_error(rank1, typed(), DataErrorKind::BadShape, {rank1, "'jet_features'", "2-dimensional"});

  auto three = raw;
  three[0].dims = {10, 40, 3};
  const std::string features = dir.file("features.hdf5");
  test::write_raw_file(features, three);
  expect_error(features, typed(), DataErrorKind::BadShape, {features, "'particle_features'", "4 features", "found 3"});

  auto jet_three = raw;
  jet_three[1].dims = {8, 5};
  const std::string jet_features = dir.file("jetfeatures.hdf5");
  test::write_raw_file(jet_features, jet_three);
  expect_error(jet_features, typed(), DataErrorKind::BadShape, {jet_features, "'jet_features'", "found 5"});

  auto count = raw;
  count[1].dims = {8, 4};
  const std::string mismatch = dir.file("count.hdf5");
  test::write_raw_file(mismatch, count);
  expect_error(mismatch, typed(), DataErrorKind::BadShape, {mismatch, "10 jets", "'jet_features' has 8"});

  auto empty = raw;
  empty[0].dims = {0, 30, 4};
  empty[0].values.clear();
  empty[1].dims = {0, 4};
  empty[1].values.clear();
  const std::string none = dir.file("empty.hdf5");
  test::write_raw_file(none, empty);
  expect_error(none, typed(), DataErrorKind::BadShape, {none, "contains no jets"});
}

TEST_CASE("data/jetnet_structure: element types, integer conversion and unavailable filters") {
  test::TempDir dir;
  const data::JetSet jets = test::synthetic_jets(10, 30, 8);
  auto raw = test::raw_datasets(jets);

  auto strings = raw;
  strings[1].file_type = H5T_C_S1;
  const std::string text = dir.file("strings.hdf5");
  test::write_raw_file(text, strings);
  expect_error(text, typed(), DataErrorKind::BadType, {text, "'jet_features'", "string", "floating point"});

  // Integer and 64-bit float storage are converted to float32 (jet-samples.md §1.2).
  auto converted = raw;
  converted[0].file_type = H5T_IEEE_F64LE;
  converted[1].file_type = H5T_STD_I32LE;
  for (float& v : converted[1].values) v = static_cast<float>(static_cast<int>(v));
  const std::string ints = dir.file("ints.hdf5");
  test::write_raw_file(ints, converted);
  const data::JetSet back = data::read_jetnet(ints, typed());
  CHECK(back.particle_features == jets.particle_features);
  CHECK(back.jet_features == converted[1].values);

  // A dataset stored with an (optional) filter this libhdf5 does not know.
  const std::string filtered = dir.file("filtered.hdf5");
  test::write_raw_file(filtered, {raw[0]});
  const hid_t file = H5Fopen(filtered.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  const hsize_t dims[2] = {10, 4}, chunk[2] = {10, 4};
  const hid_t space = H5Screate_simple(2, dims, nullptr);
  const hid_t plist = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(plist, 2, chunk);
  H5Pset_filter(plist, 31999, H5Z_FLAG_OPTIONAL, 0, nullptr);
  const hid_t dataset = H5Dcreate2(file, "jet_features", H5T_IEEE_F32LE, space, H5P_DEFAULT, plist, H5P_DEFAULT);
  H5Dwrite(dataset, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw[1].values.data());
  H5Dclose(dataset);
  H5Pclose(plist);
  H5Sclose(space);
  H5Fclose(file);
  expect_error(filtered, typed(), DataErrorKind::UnsupportedFilter, {filtered, "'jet_features'", "filter 31999"});
}

TEST_CASE("data/jetnet_structure: bad requests, unknown jet type and unusual particle counts") {
  test::TempDir dir;
  const std::string path = dir.file("t.hdf5");
  data::write_jetnet(path, test::synthetic_jets(10, 30, 9, data::JetType::T));
  data::ReadOptions more;
  more.particles = 40;
  expect_error(path, more, DataErrorKind::BadRequest, {path, "requested 40", "stores 30", "t150.hdf5"});

  const std::string anonymous = dir.file("jets.hdf5");
  data::write_jetnet(anonymous, test::synthetic_jets(10, 30, 9));
  expect_error(anonymous, {}, DataErrorKind::BadRequest, {"jets.hdf5", "jet type"});
  CHECK(data::read_jetnet(anonymous, typed()).jets == 10);

  const std::string odd = dir.file("g20.hdf5");
  data::write_jetnet(odd, test::synthetic_jets(10, 20, 9));
  data::ReadOptions lenient = typed();
  lenient.particles = 0;
  std::vector<std::string> warnings;
  CHECK(data::read_jetnet(odd, lenient, &warnings).particles == 20);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("unusual particle count 20") != std::string::npos);
  data::ReadOptions strict = lenient;
  strict.strict = true;
  expect_error(odd, strict, DataErrorKind::BadShape, {odd, "unusual particle count 20", "strict"});
}

// Files that lie or were damaged: dataset sizes are checked against the file before anything is
// allocated, the JetNet files flowjet writes carry Fletcher-32 checksums so a flipped byte is an
// error rather than different jets, and temporaries of killed writers are cleaned up.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <vector>

#include "data/data_error.h"
#include "data/jetnet_hdf5.h"
#include "data/jetnet_stream_writer.h"
#include "engine/io/atomic_file.h"
#include "engine/io/hdf5_check.h"
#include "flows/io/jet_model.h"
#include "tests/support/jet_model_fixture.h"
#include "tests/support/program_run.h"
#include "tests/support/temp_dir.h"

using namespace flowjet;

namespace {

// A JetNet-shaped file whose datasets claim `jets` jets but hold no data (HDF5 allocates
// contiguous storage only when written), so the file is about 2 kB.
void write_empty_claim(const std::string& path, hsize_t jets, bool deflate) {
  H5Handle file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), path);
  const hsize_t particle_dims[3] = {jets, 30, 4}, jet_dims[2] = {jets, 4};
  const hsize_t particle_chunk[3] = {1024, 30, 4}, jet_chunk[2] = {1024, 4};
  H5Handle particle_space(H5Screate_simple(3, particle_dims, nullptr), path);
  H5Handle jet_space(H5Screate_simple(2, jet_dims, nullptr), path);
  H5Handle particle_plist(H5Pcreate(H5P_DATASET_CREATE), path), jet_plist(H5Pcreate(H5P_DATASET_CREATE), path);
  if (deflate) {
    H5Pset_chunk(particle_plist.get(), 3, particle_chunk);
    H5Pset_deflate(particle_plist.get(), 4);
    H5Pset_chunk(jet_plist.get(), 2, jet_chunk);
    H5Pset_deflate(jet_plist.get(), 4);
  }
  H5Handle(H5Dcreate2(file.get(), "particle_features", H5T_IEEE_F32LE, particle_space.get(), H5P_DEFAULT,
                      particle_plist.get(), H5P_DEFAULT),
           path);
  H5Handle(H5Dcreate2(file.get(), "jet_features", H5T_IEEE_F32LE, jet_space.get(), H5P_DEFAULT, jet_plist.get(),
                      H5P_DEFAULT),
           path);
}

std::string read_error(const std::string& path) {
  data::ReadOptions options;
  options.type = data::JetType::G;
  try {
    data::read_jetnet(path, options);
  } catch (const data::JetNetError& e) {
    return e.what();
  }
  return "";
}

// Whether `dataset` in `path` has the Fletcher-32 filter.
bool has_fletcher32(const std::string& path, const char* dataset) {
  H5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path);
  H5Handle set(H5Dopen2(file.get(), dataset, H5P_DEFAULT), path);
  H5Handle plist(H5Dget_create_plist(set.get()), path);
  unsigned flags = 0;
  std::size_t elements = 0;
  return H5Pget_filter_by_id2(plist.get(), H5Z_FILTER_FLETCHER32, &flags, &elements, nullptr, 0, nullptr, nullptr) >= 0;
}

// File offset of the first stored chunk of `dataset`.
haddr_t first_chunk_address(const std::string& path, const char* dataset) {
  H5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path);
  H5Handle set(H5Dopen2(file.get(), dataset, H5P_DEFAULT), path);
  H5Handle space(H5Dget_space(set.get()), path);
  hsize_t offset[3] = {0, 0, 0};
  unsigned filter_mask = 0;
  haddr_t address = HADDR_UNDEF;
  hsize_t size = 0;
  H5Dget_chunk_info(set.get(), space.get(), 0, offset, &filter_mask, &address, &size);
  return address;
}

void flip_byte(const std::string& path, haddr_t offset) {
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekg(static_cast<std::streamoff>(offset));
  char byte = 0;
  file.read(&byte, 1);
  byte = static_cast<char>(byte ^ 0x10);
  file.seekp(static_cast<std::streamoff>(offset));
  file.write(&byte, 1);
}

// A process id that no running process has.
long dead_pid() {
  for (long pid = 999999; pid > 1; --pid)
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return pid;
  return -1;
}

}  // namespace

TEST_CASE("reliability/file_integrity: a 2 kB file claiming 10^9 jets is refused before allocating") {
  test::TempDir dir;
  const std::string path = dir.file("g.hdf5");
  write_empty_claim(path, 1000000000, false);
  REQUIRE(std::filesystem::file_size(path) < 10000);
  const std::string error = read_error(path);
  CHECK(error.find(path + ": dataset particle_features claims 1000000000 x 30 x 4 values, more than a ") == 0);
  CHECK(error.find("kB file can hold") != std::string::npos);
  CHECK_THROWS_AS(data::inspect_jetnet(path), data::JetNetError);

  // Compressed data may shrink, but not by more than 1000x; a product past 2^64 is caught too.
  write_empty_claim(path, 1000000000, true);
  CHECK(read_error(path).find("claims 1000000000 x 30 x 4 values") != std::string::npos);
  write_empty_claim(path, hsize_t(1) << 61, true);
  CHECK(read_error(path).find("claims 2305843009213693952 x 30 x 4 values") != std::string::npos);

  // bin/sample's conditions file goes through the same reader: exit 1, one line.
  flows::save_jet_model(dir.file("model.h5"), test::small_jet_model("cnf_mn"));
  write_empty_claim(path, 1000000000, false);
  const test::ProgramRun run = test::run_command(dir, test::program_path("sample") + " " + dir.file("model.h5") +
                                                          " --conditions " + path + " -o " + dir.file("out.h5"));
  INFO(run.err);
  CHECK(run.exit_code == 1);
  CHECK(run.err.find("dataset particle_features claims 1000000000 x 30 x 4 values") != std::string::npos);
}

TEST_CASE("reliability/file_integrity: written JetNet files are checksummed; a flipped byte is an error") {
  test::TempDir dir;
  const data::JetSet jets = test::jetnet_like_jets(300, 4);
  const std::string path = dir.file("g.hdf5");
  data::write_jetnet(path, jets);
  // The stream writer without a known total (bin/sample) too.
  {
    data::JetNetStreamWriter writer(dir.file("streamed.h5"), jets.particles, data::JetType::G);
    writer.append(jets);
    writer.finish();
  }
  for (const std::string& file : {path, dir.file("streamed.h5")}) {
    CHECK(has_fletcher32(file, "particle_features"));
    CHECK(has_fletcher32(file, "jet_features"));
  }
  data::ReadOptions options;
  CHECK(data::read_jetnet(path, options).particle_features == jets.particle_features);

  flip_byte(path, first_chunk_address(path, "particle_features") + 1000);
  const std::string error = read_error(path);
  CHECK(error.find("cannot read 'particle_features' in '" + path + "'") == 0);
  CHECK(error.find("checksum mismatch") != std::string::npos);
}

TEST_CASE("reliability/file_integrity: temporaries of killed writers are removed, live ones kept") {
  test::TempDir dir;
  const long dead = dead_pid();
  REQUIRE(dead > 0);
  const std::string out = dir.file("jets.h5");
  const std::string stale = out + ".tmp-" + std::to_string(dead) + "-0";
  const std::string live = out + ".tmp-" + std::to_string(::getpid()) + "-0";
  const std::string odd = out + ".tmp-notapid";
  const std::string other = dir.file("other.h5.tmp-" + std::to_string(dead) + "-0");
  for (const std::string& file : {stale, live, odd, other}) std::ofstream(file) << "partial";
  CHECK(remove_stale_temporaries(out) == std::vector<std::string>{stale});
  for (const std::string& file : {live, odd, other}) CHECK(std::filesystem::exists(file));

  std::ofstream(stale) << "partial";
  flows::save_jet_model(dir.file("model.h5"), test::small_jet_model("cnf_mn"));
  const test::ProgramRun run =
      test::run_command(dir, test::program_path("sample") + " " + dir.file("model.h5") + " -n 20 -o " + out);
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(run.err.find("removed " + stale + ", left by a writer that was killed") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(stale));
  CHECK(std::filesystem::exists(live));
  CHECK(std::filesystem::exists(out));
}

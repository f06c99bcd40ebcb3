// Test helpers for the data suite: valid synthetic jets, and a raw
// HDF5 writer that can produce malformed files (wrong rank, type, missing datasets ...).
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

#include "data/jet_set.h"
#include "tests/support/temp_dir.h"

namespace flowjet::test {

/// Valid, JetNet-like random jets (passes strict validation): n real particles per jet in
/// decreasing pt_rel order, zero padding, num_particles >= n with n = min(num_particles, P).
data::JetSet synthetic_jets(int64_t jets, int64_t particles, uint64_t seed,
                            data::JetType type = data::JetType::G);

/// Writes a file whose root holds the given datasets (any rank, any HDF5 memory type) written
/// with the raw C API; used to build malformed fixtures.
struct RawDataset {
  std::string name;
  std::vector<hsize_t> dims;
  std::vector<float> values;       // written when type is a float type
  hid_t file_type = H5T_IEEE_F32LE;
};
void write_raw_file(const std::string& path, const std::vector<RawDataset>& datasets);

/// The two datasets of a JetSet as RawDatasets (to be corrupted by a test before writing).
std::vector<RawDataset> raw_datasets(const data::JetSet& jets);

/// Writes `bytes` to `path` as a plain file.
void write_bytes(const std::string& path, const std::string& bytes);
/// Reads a whole file.
std::string read_bytes(const std::string& path);

}  // namespace flowjet::test

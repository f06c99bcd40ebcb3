// Test helpers of jet_fixtures.h.
#include "tests/data/jet_fixtures.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "engine/random/sequential_rng.h"

namespace flowjet::test {

data::JetSet synthetic_jets(int64_t jets, int64_t particles, uint64_t seed, data::JetType type) {
  SequentialRng rng(seed);
  data::JetSet set = data::JetSet::zeros(jets, particles, type);
  for (int64_t i = 0; i < jets; ++i) {
    const int64_t num = 2 + static_cast<int64_t>(rng.uniform_index(60));
    const int64_t n = std::min(num, particles);
    std::vector<double> pt(static_cast<size_t>(n));
    double total = 0.0;
    for (double& v : pt) {
      v = 0.01 + rng.uniform() * rng.uniform();
      total += v;
    }
    std::sort(pt.begin(), pt.end(), [](double a, double b) { return a > b; });
    const double target = 0.8 + 0.15 * rng.uniform();
    for (int64_t k = 0; k < n; ++k) {
      set.particle(i, k, data::kEtaRel) = static_cast<float>(0.4 * (rng.uniform() - 0.5));
      set.particle(i, k, data::kPhiRel) = static_cast<float>(0.4 * (rng.uniform() - 0.5));
      set.particle(i, k, data::kPtRel) = static_cast<float>(pt[static_cast<size_t>(k)] / total * target);
      set.particle(i, k, data::kMask) = 1.0f;
    }
    set.jet(i, data::kJetPt) = static_cast<float>(900.0 + 200.0 * rng.uniform());
    set.jet(i, data::kJetEta) = static_cast<float>(2.0 * (rng.uniform() - 0.5));
    set.jet(i, data::kJetMass) = static_cast<float>(20.0 + 150.0 * rng.uniform());
    set.jet(i, data::kJetNumParticles) = static_cast<float>(num);
  }
  return set;
}

void write_raw_file(const std::string& path, const std::vector<RawDataset>& datasets) {
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file < 0) throw std::runtime_error("cannot create " + path);
  for (const RawDataset& raw : datasets) {
    const hid_t space = H5Screate_simple(static_cast<int>(raw.dims.size()), raw.dims.data(), nullptr);
    const hid_t dataset = H5Dcreate2(file, raw.name.c_str(), raw.file_type, space, H5P_DEFAULT, H5P_DEFAULT,
                                     H5P_DEFAULT);
    if (dataset < 0) throw std::runtime_error("cannot create dataset " + raw.name);
    if (!raw.values.empty() && H5Tget_class(raw.file_type) != H5T_STRING) {
      H5Dwrite(dataset, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.values.data());
    }
    H5Dclose(dataset);
    H5Sclose(space);
  }
  H5Fclose(file);
}

std::vector<RawDataset> raw_datasets(const data::JetSet& jets) {
  const hsize_t n = static_cast<hsize_t>(jets.jets), p = static_cast<hsize_t>(jets.particles);
  return {RawDataset{"particle_features", {n, p, 4}, jets.particle_features, H5T_IEEE_F32LE},
          RawDataset{"jet_features", {n, 4}, jets.jet_features, H5T_IEEE_F32LE}};
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace flowjet::test

// JetNet HDF5 writer (data.md §1.9): float32 little-endian root datasets, optional deflate,
// string attributes for provenance, written to a temporary file that is renamed at the end.
// Also reads the root string attributes back.
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>

#include "data/data_error.h"
#include "data/hdf5_util.h"
#include "data/jetnet_hdf5.h"

namespace flowjet::data {

namespace {

[[noreturn]] void write_failed(const std::string& path, const std::string& what) {
  throw JetNetError(DataErrorKind::WriteFailed,
                    fmt::format("cannot write JetNet file '{}': {}: {}", path, what, hdf5_error_text()));
}

void write_string_attribute(hid_t file, const std::string& path, const std::string& name, const std::string& value) {
  H5Handle type(H5Tcopy(H5T_C_S1));
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  H5Handle space(H5Screate(H5S_SCALAR));
  H5Handle attribute(H5Acreate2(file, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT));
  const char* data = value.c_str();
  if (!attribute.valid() || H5Awrite(attribute.get(), type.get(), &data) < 0) {
    write_failed(path, fmt::format("attribute '{}'", name));
  }
}

void write_dataset(hid_t file, const std::string& path, const char* name, const std::vector<hsize_t>& dims,
                   const float* data, int deflate_level) {
  H5Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
  H5Handle plist(H5Pcreate(H5P_DATASET_CREATE));
  if (deflate_level > 0) {
    std::vector<hsize_t> chunk = dims;
    chunk[0] = std::min<hsize_t>(dims[0], 1024);
    H5Pset_chunk(plist.get(), static_cast<int>(chunk.size()), chunk.data());
    H5Pset_deflate(plist.get(), static_cast<unsigned>(deflate_level));
  }
  H5Handle dataset(H5Dcreate2(file, name, H5T_IEEE_F32LE, space.get(), H5P_DEFAULT, plist.get(), H5P_DEFAULT));
  if (!dataset.valid() || H5Dwrite(dataset.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
    write_failed(path, fmt::format("dataset '{}'", name));
  }
}

std::string temporary_path(const std::string& path) {
  static std::atomic<int> counter{0};
  return fmt::format("{}.tmp-{}-{}", path, static_cast<long>(getpid()), counter++);
}

}  // namespace

void write_jetnet(const std::string& path, const JetSet& jets, const WriteOptions& options) {
  silence_hdf5_errors();
  const size_t particle_values = static_cast<size_t>(jets.jets * jets.particles * 4);
  if (jets.jets <= 0 || jets.particles <= 0 || jets.particle_features.size() != particle_values ||
      jets.jet_features.size() != static_cast<size_t>(jets.jets * 4)) {
    throw JetNetError(DataErrorKind::BadShape,
                      fmt::format("cannot write JetNet file '{}': JetSet of {} jets x {} particles needs {} particle "
                                  "values and {} jet values, has {} and {}", path, jets.jets, jets.particles,
                                  particle_values, jets.jets * 4, jets.particle_features.size(),
                                  jets.jet_features.size()));
  }
  if (options.deflate_level < 0 || options.deflate_level > 9) {
    throw JetNetError(DataErrorKind::BadRequest,
                      fmt::format("cannot write JetNet file '{}': deflate level {} outside 0..9", path,
                                  options.deflate_level));
  }
  const std::string temporary = temporary_path(path);
  try {
    H5Handle file(H5Fcreate(temporary.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    if (!file.valid()) write_failed(path, fmt::format("cannot create temporary file '{}'", temporary));
    const hsize_t n = static_cast<hsize_t>(jets.jets), p = static_cast<hsize_t>(jets.particles);
    write_dataset(file.get(), path, "particle_features", {n, p, 4}, jets.particle_features.data(),
                  options.deflate_level);
    write_dataset(file.get(), path, "jet_features", {n, 4}, jets.jet_features.data(), options.deflate_level);
    write_string_attribute(file.get(), path, "jet_type", to_string(jets.type));
    write_string_attribute(file.get(), path, "particle_feature_names", "etarel,phirel,ptrel,mask");
    write_string_attribute(file.get(), path, "jet_feature_names", "pt,eta,mass,num_particles");
    for (const auto& [name, value] : options.attributes) {
      if (name == "jet_type" || name == "particle_feature_names" || name == "jet_feature_names") continue;
      write_string_attribute(file.get(), path, name, value);
    }
    if (H5Fclose(file.release()) < 0) write_failed(path, "closing the temporary file");
  } catch (...) {
    std::remove(temporary.c_str());
    throw;
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    throw JetNetError(DataErrorKind::WriteFailed,
                      fmt::format("cannot write JetNet file '{}': renaming the temporary file failed", path));
  }
}

namespace {

struct AttributeCollector {
  std::map<std::string, std::string> values;
};

herr_t collect_attribute(hid_t location, const char* name, const H5A_info_t* /*info*/, void* data) {
  auto* collector = static_cast<AttributeCollector*>(data);
  H5Handle attribute(H5Aopen(location, name, H5P_DEFAULT));
  H5Handle type(H5Aget_type(attribute.get()));
  if (H5Tget_class(type.get()) != H5T_STRING) return 0;
  H5Handle space(H5Aget_space(attribute.get()));
  if (H5Sget_simple_extent_npoints(space.get()) != 1) return 0;
  if (H5Tis_variable_str(type.get()) > 0) {
    H5Handle memory(H5Tcopy(H5T_C_S1));
    H5Tset_size(memory.get(), H5T_VARIABLE);
    H5Tset_cset(memory.get(), H5Tget_cset(type.get()));
    char* text = nullptr;
    if (H5Aread(attribute.get(), memory.get(), &text) >= 0 && text != nullptr) {
      collector->values[name] = text;
      H5free_memory(text);
    }
  } else {
    const size_t size = H5Tget_size(type.get());
    std::string text(size, '\0');
    H5Handle memory(H5Tcopy(H5T_C_S1));
    H5Tset_size(memory.get(), size);
    if (H5Aread(attribute.get(), memory.get(), text.data()) >= 0) {
      text.resize(text.find('\0') == std::string::npos ? size : text.find('\0'));
      collector->values[name] = text;
    }
  }
  return 0;
}

}  // namespace

std::map<std::string, std::string> read_jetnet_attributes(const std::string& path) {
  inspect_jetnet(path);  // structure checks and their errors
  H5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  AttributeCollector collector;
  hsize_t index = 0;
  H5Aiterate2(file.get(), H5_INDEX_NAME, H5_ITER_INC, &index, collect_attribute, &collector);
  H5Eclear2(H5E_DEFAULT);
  return collector.values;
}

}  // namespace flowjet::data

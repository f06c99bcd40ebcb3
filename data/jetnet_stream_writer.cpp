// JetNetStreamWriter: temporary file, fixed-size or extendable datasets, batch appends through
// hyperslabs, attributes and the final rename (see the header).
#include "data/jetnet_stream_writer.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <utility>

#include "data/data_error.h"

namespace flowjet::data {

namespace {

constexpr const char* kParticleDataset = "particle_features";
constexpr const char* kJetDataset = "jet_features";

// "<path>.tmp-<pid>-<k>": in the final file's folder (so the rename stays on one file system),
// unique per process and writer.
std::string temporary_name(const std::string& path) {
  static std::atomic<int> counter{0};
  return fmt::format("{}.tmp-{}-{}", path, static_cast<long>(getpid()), counter++);
}

}  // namespace

JetNetStreamWriter::JetNetStreamWriter(std::string path, int64_t particles, JetType type, WriteOptions options,
                                       std::optional<int64_t> total_jets)
    : path_(std::move(path)),
      temporary_(temporary_name(path_)),
      particles_(particles),
      type_(type),
      options_(std::move(options)),
      total_(total_jets) {
  Hdf5ErrorSilencer silence;
  if (particles_ < 1 || (total_ && *total_ < 1)) {
    throw JetNetError(DataErrorKind::BadShape,
                      fmt::format("cannot write JetNet file '{}': {} jets x {} particles", path_,
                                  total_ ? fmt::format("{}", *total_) : std::string("streamed"), particles_));
  }
  if (options_.deflate_level < 0 || options_.deflate_level > 9) {
    throw JetNetError(DataErrorKind::BadRequest, fmt::format("cannot write JetNet file '{}': deflate level {} outside "
                                                             "0..9", path_, options_.deflate_level));
  }
  file_ = H5Handle(H5Fcreate(temporary_.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT));
  if (!file_.valid()) fail(fmt::format("cannot create the temporary file '{}' (is its folder there and writable?)",
                                       temporary_));
  try {
    const hsize_t p = static_cast<hsize_t>(particles_);
    particle_dataset_ = create_dataset(kParticleDataset, {p, 4});
    jet_dataset_ = create_dataset(kJetDataset, {4});
  } catch (...) {
    file_.reset();
    std::remove(temporary_.c_str());
    throw;
  }
}

JetNetStreamWriter::~JetNetStreamWriter() {
  if (finished_) return;
  Hdf5ErrorSilencer silence;  // closing a file that could not be written fails again, quietly
  particle_dataset_.reset();
  jet_dataset_.reset();
  file_.reset();
  std::remove(temporary_.c_str());
}

void JetNetStreamWriter::fail(const std::string& what) const {
  throw JetNetError(DataErrorKind::WriteFailed,
                    fmt::format("cannot write JetNet file '{}': {}: {}", path_, what, hdf5_error_message()));
}

// Dimensions [rows, row_dims...]: rows = the total when known, else 0 growing without limit.
H5Handle JetNetStreamWriter::create_dataset(const char* name, const std::vector<hsize_t>& row_dims) {
  std::vector<hsize_t> dims{total_ ? static_cast<hsize_t>(*total_) : 0};
  dims.insert(dims.end(), row_dims.begin(), row_dims.end());
  std::vector<hsize_t> max_dims = dims;
  if (!total_) max_dims[0] = H5S_UNLIMITED;
  const std::string what = fmt::format("dataset '{}'", name);
  H5Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), max_dims.data()));
  H5Handle plist(H5Pcreate(H5P_DATASET_CREATE));
  if (!space.valid() || !plist.valid()) fail(what);
  // Chunked storage, which filters need: deflate (optional) and then a Fletcher-32 checksum of
  // each stored chunk, checked by HDF5 on every read.
  std::vector<hsize_t> chunk = dims;
  chunk[0] = total_ ? std::min<hsize_t>(dims[0], kChunkJets) : kChunkJets;
  if (H5Pset_chunk(plist.get(), static_cast<int>(chunk.size()), chunk.data()) < 0 ||
      (options_.deflate_level > 0 && H5Pset_deflate(plist.get(), static_cast<unsigned>(options_.deflate_level)) < 0) ||
      H5Pset_fletcher32(plist.get()) < 0)
    fail(what);
  H5Handle dataset(H5Dcreate2(file_.get(), name, H5T_IEEE_F32LE, space.get(), H5P_DEFAULT, plist.get(), H5P_DEFAULT));
  if (!dataset.valid()) fail(what);
  return dataset;
}

// Writes `rows` rows at [written_, written_ + rows) of `dataset`, growing an extendable one first.
void JetNetStreamWriter::write_rows(hid_t dataset, const char* name, const float* values, int64_t rows) {
  H5Handle file_space(H5Dget_space(dataset));
  const int rank = file_space.valid() ? H5Sget_simple_extent_ndims(file_space.get()) : -1;
  if (rank < 1) fail(fmt::format("dataset '{}'", name));
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(file_space.get(), dims.data(), nullptr);
  if (!total_) {
    dims[0] = static_cast<hsize_t>(written_ + rows);
    if (H5Dset_extent(dataset, dims.data()) < 0) fail(fmt::format("growing dataset '{}'", name));
    file_space = H5Handle(H5Dget_space(dataset));
  }
  std::vector<hsize_t> start(dims.size(), 0), count = dims;
  start[0] = static_cast<hsize_t>(written_);
  count[0] = static_cast<hsize_t>(rows);
  H5Handle memory_space(H5Screate_simple(rank, count.data(), nullptr));
  if (!file_space.valid() || !memory_space.valid() || H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr) < 0 ||
      H5Dwrite(dataset, H5T_NATIVE_FLOAT, memory_space.get(), file_space.get(), H5P_DEFAULT, values) < 0) {
    fail(fmt::format("dataset '{}', jets {}..{}", name, written_, written_ + rows - 1));
  }
}

void JetNetStreamWriter::append(const JetSet& batch) {
  if (finished_) {
    throw JetNetError(DataErrorKind::BadRequest,
                      fmt::format("cannot write JetNet file '{}': append after finish", path_));
  }
  const size_t particle_values = static_cast<size_t>(batch.jets * batch.particles * 4);
  const bool too_many = total_ && written_ + batch.jets > *total_;
  if (batch.jets <= 0 || batch.particles != particles_ || batch.particle_features.size() != particle_values ||
      batch.jet_features.size() != static_cast<size_t>(batch.jets * 4) || too_many) {
    throw JetNetError(DataErrorKind::BadShape,
                      fmt::format("cannot write JetNet file '{}': JetSet of {} jets x {} particles (needs {} particle "
                                  "values and {} jet values, has {} and {}) does not fit a file of {} particles with "
                                  "{} of {} jets written", path_, batch.jets, batch.particles, particle_values,
                                  batch.jets * 4, batch.particle_features.size(), batch.jet_features.size(),
                                  particles_, written_, total_ ? fmt::format("{}", *total_) : std::string("any")));
  }
  Hdf5ErrorSilencer silence;
  write_rows(particle_dataset_.get(), kParticleDataset, batch.particle_features.data(), batch.jets);
  write_rows(jet_dataset_.get(), kJetDataset, batch.jet_features.data(), batch.jets);
  written_ += batch.jets;
}

void JetNetStreamWriter::write_attribute(const std::string& name, const std::string& value) {
  const std::string what = fmt::format("attribute '{}'", name);
  H5Handle type(H5Tcopy(H5T_C_S1));
  if (!type.valid() || H5Tset_size(type.get(), H5T_VARIABLE) < 0 || H5Tset_cset(type.get(), H5T_CSET_UTF8) < 0)
    fail(what);
  H5Handle space(H5Screate(H5S_SCALAR));
  H5Handle attribute(space.valid() ? H5Acreate2(file_.get(), name.c_str(), type.get(), space.get(), H5P_DEFAULT,
                                                H5P_DEFAULT)
                                   : H5I_INVALID_HID);
  const char* data = value.c_str();
  if (!attribute.valid() || H5Awrite(attribute.get(), type.get(), &data) < 0) fail(what);
}

void JetNetStreamWriter::finish() {
  if (finished_) return;
  if (written_ == 0 || (total_ && written_ != *total_)) {
    throw JetNetError(DataErrorKind::BadShape,
                      fmt::format("cannot write JetNet file '{}': {} jets appended, expected {}", path_, written_,
                                  total_ ? fmt::format("{}", *total_) : std::string("at least 1")));
  }
  Hdf5ErrorSilencer silence;
  write_attribute("jet_type", to_string(type_));
  write_attribute("particle_feature_names", "etarel,phirel,ptrel,mask");
  write_attribute("jet_feature_names", "pt,eta,mass,num_particles");
  for (const auto& [name, value] : options_.attributes) {
    if (name == "jet_type" || name == "particle_feature_names" || name == "jet_feature_names") continue;
    write_attribute(name, value);
  }
  // Closing writes what HDF5 still holds: the datasets first, then the file.
  if (particle_dataset_.close() < 0 || jet_dataset_.close() < 0 || file_.close() < 0)
    fail("closing the temporary file");
  if (std::rename(temporary_.c_str(), path_.c_str()) != 0) {
    throw JetNetError(DataErrorKind::WriteFailed,
                      fmt::format("cannot write JetNet file '{}': renaming the temporary file failed", path_));
  }
  finished_ = true;
}

}  // namespace flowjet::data

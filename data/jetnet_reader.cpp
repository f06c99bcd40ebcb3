// JetNet HDF5 reader (jet-samples.md §1.7): structure checks S1–S14 before any data is read, then a
// block-wise hyperslab read of the first P' slots converted to float32, validated per block.
#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <tuple>

#include "data/data_error.h"
#include "data/jetnet_hdf5.h"
#include "data/jetnet_validate.h"
#include "engine/io/hdf5_check.h"

namespace flowjet::data {

namespace {

const char* const kParticles = "particle_features";
const char* const kJets = "jet_features";

[[noreturn]] void fail(DataErrorKind kind, const std::string& message) { throw JetNetError(kind, message); }

H5Handle open_file(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) {
    fail(DataErrorKind::NotFound,
         fmt::format("JetNet file '{}' not found (expected files are named g.hdf5, q.hdf5, t.hdf5, w.hdf5, "
                     "z.hdf5 or g150.hdf5 ... z150.hdf5)", path));
  }
  if (S_ISDIR(info.st_mode)) fail(DataErrorKind::Unreadable, fmt::format("cannot open '{}': it is a directory", path));
  std::FILE* probe = std::fopen(path.c_str(), "rb");
  if (probe == nullptr) {
    fail(DataErrorKind::Unreadable, fmt::format("cannot open '{}': {}", path, std::strerror(errno)));
  }
  std::fclose(probe);
  const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  if (is_hdf5 == 0) {
    fail(DataErrorKind::NotHdf5,
         fmt::format("'{}' is not an HDF5 file (no HDF5 signature found); JetNet files are HDF5", path));
  }
  H5Handle file(is_hdf5 > 0 ? H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT) : -1);
  if (!file.valid()) {
    fail(DataErrorKind::CorruptFile,
         fmt::format("'{}' looks like HDF5 but cannot be opened: {}; the file may be truncated, download it again",
                     path, hdf5_error_message()));
  }
  return file;
}

herr_t collect_name(hid_t /*group*/, const char* name, const H5L_info_t* /*info*/, void* data) {
  static_cast<std::vector<std::string>*>(data)->push_back(name);
  return 0;
}

std::string root_names(hid_t file) {
  std::vector<std::string> names;
  H5Literate(file, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_name, &names);
  H5Eclear2(H5E_DEFAULT);
  if (names.empty()) return "nothing";
  return fmt::format("{}", fmt::join(names, ", "));
}

// Opens a root dataset after checking it exists and is a dataset (S5, S6).
H5Handle open_dataset(hid_t file, const std::string& path, const char* name) {
  if (H5Lexists(file, name, H5P_DEFAULT) <= 0) {
    std::string message = fmt::format("'{}' has no dataset '{}' (root holds: {})", path, name, root_names(file));
    if (std::strcmp(name, kJets) == 0 && H5Lexists(file, kParticles, H5P_DEFAULT) > 0) {
      message += "; this looks like an old JetNet release without jet features";
    }
    H5Eclear2(H5E_DEFAULT);
    fail(DataErrorKind::MissingDataset, message);
  }
  H5Handle object(H5Oopen(file, name, H5P_DEFAULT));
  if (!object.valid()) {
    H5Eclear2(H5E_DEFAULT);
    fail(DataErrorKind::MissingDataset,
         fmt::format("'{}' in '{}' is a link to nothing, expected a dataset", name, path));
  }
  const H5I_type_t type = H5Iget_type(object.get());
  if (type != H5I_DATASET) {
    const char* kind = type == H5I_GROUP ? "group" : type == H5I_DATATYPE ? "named datatype" : "non-dataset object";
    fail(DataErrorKind::MissingDataset, fmt::format("'{}' in '{}' is a {}, expected a dataset", name, path, kind));
  }
  return object;
}

std::vector<hsize_t> dataset_dims(hid_t dataset) {
  H5Handle space(H5Dget_space(dataset));
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> dims(static_cast<size_t>(std::max(rank, 0)));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return dims;
}

// S11 (element type) and S12 (filters).
void check_type_and_filters(hid_t dataset, const std::string& path, const char* name) {
  H5Handle type(H5Dget_type(dataset));
  const H5T_class_t type_class = H5Tget_class(type.get());
  const size_t size = H5Tget_size(type.get());
  const bool ok = (type_class == H5T_FLOAT && (size == 4 || size == 8)) || type_class == H5T_INTEGER;
  if (!ok) {
    const char* class_name = type_class == H5T_STRING ? "string" : type_class == H5T_FLOAT ? "float"
                             : type_class == H5T_COMPOUND ? "compound" : "non-numeric";
    fail(DataErrorKind::BadType,
         fmt::format("'{}' in '{}' has element type {} of {} bytes; expected 32- or 64-bit floating point "
                     "(integers are converted)", name, path, class_name, size));
  }
  H5Handle plist(H5Dget_create_plist(dataset));
  const int filters = H5Pget_nfilters(plist.get());
  for (int i = 0; i < filters; ++i) {
    unsigned flags = 0;
    size_t elements = 0;
    char filter_name[128] = {0};
    const H5Z_filter_t id = H5Pget_filter2(plist.get(), static_cast<unsigned>(i), &flags, &elements, nullptr,
                                           sizeof(filter_name), filter_name, nullptr);
    if (H5Zfilter_avail(id) <= 0) {
      H5Eclear2(H5E_DEFAULT);
      fail(DataErrorKind::UnsupportedFilter,
           fmt::format("'{}' in '{}' is stored with HDF5 filter {} ({}) which this build cannot decode", name,
                       path, static_cast<int>(id), filter_name[0] != '\0' ? filter_name : "unnamed"));
    }
  }
}

std::string dims_text(const std::vector<hsize_t>& dims) { return fmt::format("({})", fmt::join(dims, ", ")); }

struct OpenedFile {
  H5Handle file, particles, jets;
  int64_t jets_count = 0, particles_count = 0;
};

// All structure checks (S1–S12, S10) before any data is read.
OpenedFile open_checked(const std::string& path) {
  OpenedFile opened;
  opened.file = open_file(path);
  opened.particles = open_dataset(opened.file.get(), path, kParticles);
  opened.jets = open_dataset(opened.file.get(), path, kJets);
  const std::vector<hsize_t> pdims = dataset_dims(opened.particles.get());
  const std::vector<hsize_t> jdims = dataset_dims(opened.jets.get());
  if (pdims.size() != 3) {
    fail(DataErrorKind::BadShape, fmt::format("'{}' in '{}' must be 3-dimensional [jets, particles, 4]; found shape {}",
                                              kParticles, path, dims_text(pdims)));
  }
  if (jdims.size() != 2) {
    fail(DataErrorKind::BadShape, fmt::format("'{}' in '{}' must be 2-dimensional [jets, 4]; found shape {}", kJets,
                                              path, dims_text(jdims)));
  }
  if (pdims[2] != 4) {
    fail(DataErrorKind::BadShape,
         fmt::format("'{}' in '{}' must have 4 features (eta_rel, phi_rel, pt_rel, mask) in its last dimension; "
                     "found {}", kParticles, path, pdims[2]));
  }
  if (jdims[1] != 4) {
    fail(DataErrorKind::BadShape,
         fmt::format("'{}' in '{}' must have 4 features (pt, eta, mass, num_particles) in its last dimension; "
                     "found {}", kJets, path, jdims[1]));
  }
  if (pdims[0] != jdims[0]) {
    fail(DataErrorKind::BadShape, fmt::format("'{}' in '{}' has {} jets but '{}' has {}", kParticles, path,
                                              pdims[0], kJets, jdims[0]));
  }
  if (pdims[0] == 0) fail(DataErrorKind::BadShape, fmt::format("'{}' contains no jets", path));
  if (pdims[1] == 0) fail(DataErrorKind::BadShape, fmt::format("'{}' has no particle slots in '{}'", path, kParticles));
  check_type_and_filters(opened.particles.get(), path, kParticles);
  check_type_and_filters(opened.jets.get(), path, kJets);
  // Sizes come from the file: a damaged or hostile one must not make us allocate 10^9 jets.
  for (const auto& [dataset, name, dims] : {std::tuple(opened.particles.get(), kParticles, pdims),
                                            std::tuple(opened.jets.get(), kJets, jdims)}) {
    const std::string implausible = implausible_extent(dataset, dims, path, name);
    if (!implausible.empty()) fail(DataErrorKind::CorruptFile, implausible);
  }
  opened.jets_count = static_cast<int64_t>(pdims[0]);
  opened.particles_count = static_cast<int64_t>(pdims[1]);
  return opened;
}

// Reads rows [first, first + count) of a dataset, restricted to `slots` in dimension 1 for the
// rank-3 particle dataset, into `out` as native float.
void read_block(hid_t dataset, const std::string& path, const char* name, const std::vector<hsize_t>& start,
                const std::vector<hsize_t>& count, float* out) {
  H5Handle file_space(H5Dget_space(dataset));
  H5Handle memory_space(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr));
  herr_t status = H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
  if (status >= 0) status = H5Dread(dataset, H5T_NATIVE_FLOAT, memory_space.get(), file_space.get(), H5P_DEFAULT, out);
  if (status < 0) {
    fail(DataErrorKind::CorruptFile,
         fmt::format("cannot read '{}' in '{}' at jets {}..{}: {}; the file may be truncated or corrupt, download it "
                     "again", name, path, start[0], start[0] + count[0], hdf5_error_message()));
  }
}

}  // namespace

JetNetShape inspect_jetnet(const std::string& path) {
  Hdf5ErrorSilencer silence;
  const OpenedFile opened = open_checked(path);
  return {opened.jets_count, opened.particles_count};
}

JetSet read_jetnet(const std::string& path, const ReadOptions& options, std::vector<std::string>* warnings) {
  if (options.max_jets == 0 || options.particles < 0 || options.block_jets <= 0) {
    fail(DataErrorKind::BadRequest,
         fmt::format("reading '{}': invalid request (max_jets {} must be > 0 or < 0 for all, particles {} must be >= 0, "
                     "block_jets {} must be > 0)", path, options.max_jets, options.particles, options.block_jets));
  }
  Hdf5ErrorSilencer silence;
  OpenedFile opened = open_checked(path);
  const std::optional<JetType> type = options.type ? options.type : jet_type_from_file_name(path);
  if (!type) {
    fail(DataErrorKind::BadRequest,
         fmt::format("cannot tell the jet type from the file name '{}'; expected g, q, t, w or z (optionally followed "
                     "by 150) with extension .hdf5, or pass the type explicitly", path));
  }
  const int64_t stored = opened.particles_count;
  if (stored != 30 && stored != 150) {
    const std::string message =
        fmt::format("'{}': unusual particle count {} per jet (JetNet uses 30 or 150)", path, stored);
    if (options.strict) fail(DataErrorKind::BadShape, message + " (an error in strict mode)");
    if (warnings != nullptr) warnings->push_back(message);
  }
  const int64_t particles = options.particles == 0 ? stored : options.particles;
  if (particles > stored) {
    fail(DataErrorKind::BadRequest,
         fmt::format("requested {} particles per jet but '{}' stores {}; use the 150-particle file '{}150.hdf5'",
                     particles, path, stored, to_string(*type)));
  }
  const int64_t jets = options.max_jets < 0 ? opened.jets_count : std::min(options.max_jets, opened.jets_count);

  JetSet set = JetSet::zeros(jets, particles, *type);
  JetNetValidator validator(path, particles, options.strict);
  for (int64_t first = 0; first < jets; first += options.block_jets) {
    const int64_t count = std::min(options.block_jets, jets - first);
    float* particle_out = set.particle_features.data() + first * particles * 4;
    float* jet_out = set.jet_features.data() + first * 4;
    read_block(opened.particles.get(), path, kParticles, {hsize_t(first), 0, 0},
               {hsize_t(count), hsize_t(particles), 4}, particle_out);
    read_block(opened.jets.get(), path, kJets, {hsize_t(first), 0}, {hsize_t(count), 4}, jet_out);
    if (options.validate) validator.check_block(particle_out, jet_out, first, count);
  }
  if (options.validate) validator.finish(warnings);

  if (options.cap_num_particles) {
    set.num_particles_raw.resize(static_cast<size_t>(jets));
    for (int64_t i = 0; i < jets; ++i) {
      float& n = set.jet(i, kJetNumParticles);
      set.num_particles_raw[static_cast<size_t>(i)] = n;
      n = std::min(n, static_cast<float>(particles));
    }
  }
  return set;
}

}  // namespace flowjet::data

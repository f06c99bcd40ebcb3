// save_checkpoint: name checks, one HDF5 dataset per tensor (chunked + Fletcher-32, or compact
// when 0-d or empty), root attributes, then fsync and an atomic rename (layout in checkpoint.h).
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <set>

#include <fmt/format.h>

#include "engine/core/error.h"
#include "engine/io/checkpoint.h"
#include "engine/io/hdf5_check.h"

namespace flowjet {

namespace {

constexpr int64_t kChunkTargetBytes = 1 << 20;

void check_tensor_name(const std::string& path, const std::string& name) {
  auto fail = [&](const char* why) {
    throw CheckpointError(fmt::format("{}: cannot write tensor \"{}\": {}", path, name, why));
  };
  if (name.empty()) fail("the name is empty");
  if (name.front() == '/' || name.back() == '/') fail("the name starts or ends with \"/\"");
  if (name.find("//") != std::string::npos) fail("the name contains \"//\"");
  std::size_t begin = 0;
  while (begin <= name.size()) {
    std::size_t end = name.find('/', begin);
    if (end == std::string::npos) end = name.size();
    const std::string part = name.substr(begin, end - begin);
    if (part == "." || part == "..") fail("a path component is \".\" or \"..\"");
    begin = end + 1;
  }
}

void check_inputs(const std::string& path, const NamedTensors& tensors, const Attributes& attributes) {
  std::set<std::string> seen;
  for (const NamedTensor& t : tensors) {
    check_tensor_name(path, t.name);
    if (!seen.insert(t.name).second)
      throw CheckpointError(fmt::format("{}: cannot write tensor \"{}\": the name appears twice", path, t.name));
    if (!t.tensor.defined())
      throw CheckpointError(fmt::format("{}: cannot write tensor \"{}\": it is undefined", path, t.name));
  }
  for (const auto& [key, value] : attributes) {
    if (key.empty()) throw CheckpointError(fmt::format("{}: an attribute name is empty", path));
    if (key == "format" || key == "format_version")
      throw CheckpointError(fmt::format("{}: attribute \"{}\" is reserved for the file format", path, key));
  }
}

// Chunk shape: the whole tensor, halving the leading axes until a chunk is at most ~1 MiB.
std::vector<hsize_t> chunk_dims(const Shape& shape, std::size_t element_size) {
  std::vector<hsize_t> chunk(shape.dims().begin(), shape.dims().end());
  auto bytes = [&] {
    hsize_t n = element_size;
    for (hsize_t d : chunk) n *= d;
    return n;
  };
  for (std::size_t axis = 0; axis < chunk.size() && bytes() > static_cast<hsize_t>(kChunkTargetBytes);) {
    if (chunk[axis] > 1)
      chunk[axis] = (chunk[axis] + 1) / 2;
    else
      ++axis;
  }
  return chunk;
}

void write_tensor(hid_t file, hid_t lcpl, const std::string& path, const NamedTensor& named) {
  const std::string context = fmt::format("{}: writing tensor \"{}\"", path, named.name);
  const Tensor host = named.tensor.to(Device::CPU);
  const Shape& shape = host.shape();
  std::vector<hsize_t> dims(shape.dims().begin(), shape.dims().end());
  H5Handle space(shape.ndim() == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(shape.ndim(), dims.data(), nullptr),
                 context);
  H5Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), context);
  if (shape.ndim() > 0 && host.numel() > 0) {
    std::vector<hsize_t> chunk = chunk_dims(shape, dtype_size(host.dtype()));
    h5_check(H5Pset_chunk(dcpl.get(), shape.ndim(), chunk.data()), context);
    h5_check(H5Pset_fletcher32(dcpl.get()), context);
  } else {
    h5_check(H5Pset_layout(dcpl.get(), H5D_COMPACT), context);
  }
  const bool is_f32 = host.dtype() == DType::F32;
  H5Handle dataset(H5Dcreate2(file, named.name.c_str(), is_f32 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE, space.get(), lcpl,
                              dcpl.get(), H5P_DEFAULT),
                   context);
  if (host.numel() > 0)
    h5_check(H5Dwrite(dataset.get(), is_f32 ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                      host.raw_data()),
             context);
}

// Writes one root attribute of the given file type, memory type and dataspace (no data: H5S_NULL).
void write_attribute(hid_t file, const std::string& key, hid_t file_type, hid_t mem_type, hid_t space,
                     const void* data, const std::string& context) {
  H5Handle attr(H5Acreate2(file, key.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT), context);
  if (data) h5_check(H5Awrite(attr.get(), mem_type, data), context);
}

void write_attribute_value(hid_t file, const std::string& path, const std::string& key, const AttributeValue& value) {
  const std::string context = fmt::format("{}: writing attribute \"{}\"", path, key);
  H5Handle scalar(H5Screate(H5S_SCALAR), context);
  if (const auto* s = std::get_if<std::string>(&value)) {
    H5Handle type(H5Tcopy(H5T_C_S1), context);
    h5_check(H5Tset_size(type.get(), H5T_VARIABLE), context);
    h5_check(H5Tset_cset(type.get(), H5T_CSET_UTF8), context);
    const char* text = s->c_str();
    write_attribute(file, key, type.get(), type.get(), scalar.get(), &text, context);
  } else if (const auto* i = std::get_if<int64_t>(&value)) {
    write_attribute(file, key, H5T_STD_I64LE, H5T_NATIVE_INT64, scalar.get(), i, context);
  } else if (const auto* d = std::get_if<double>(&value)) {
    write_attribute(file, key, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, scalar.get(), d, context);
  } else {
    const auto& v = std::get<std::vector<double>>(value);
    hsize_t n = v.size();
    H5Handle space(v.empty() ? H5Screate(H5S_NULL) : H5Screate_simple(1, &n, nullptr), context);
    write_attribute(file, key, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, space.get(), v.empty() ? nullptr : v.data(),
                    context);
  }
}

// Writes the whole file at `tmp_path`; every handle is closed when this returns or throws.
void write_file(const std::string& path, const std::string& tmp_path, const NamedTensors& tensors,
                const Attributes& attributes, bool& created) {
  const std::string context = fmt::format("{}: creating the temporary file {}", path, tmp_path);
  H5Handle fapl(H5Pcreate(H5P_FILE_ACCESS), context);
  // The 1.8+ object format: checksummed superblock and object headers (readable by HDF5 >= 1.8).
  h5_check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_V18), context);
  h5_check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG), context);
  H5Handle file(H5Fcreate(tmp_path.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, fapl.get()), context);
  created = true;
  H5Handle lcpl(H5Pcreate(H5P_LINK_CREATE), context);
  h5_check(H5Pset_create_intermediate_group(lcpl.get(), 1), context);

  write_attribute_value(file.get(), path, "format", std::string(kCheckpointFormat));
  write_attribute_value(file.get(), path, "format_version", kCheckpointFormatVersion);
  for (const auto& [key, value] : attributes) write_attribute_value(file.get(), path, key, value);
  for (const NamedTensor& t : tensors) write_tensor(file.get(), lcpl.get(), path, t);
  file.close(fmt::format("{}: closing the temporary file {}", path, tmp_path));
}

// Flushes the written file to disk so the rename never exposes a file whose data is not there.
void sync_file(const std::string& path, const std::string& tmp_path) {
  int fd = ::open(tmp_path.c_str(), O_RDONLY);
  if (fd < 0 || ::fsync(fd) != 0) {
    if (fd >= 0) ::close(fd);
    throw CheckpointError(fmt::format("{}: cannot sync the temporary file {}", path, tmp_path));
  }
  ::close(fd);
}

}  // namespace

void save_checkpoint(const std::string& path, const NamedTensors& tensors, const Attributes& attributes) {
  check_inputs(path, tensors, attributes);
  Hdf5ErrorSilencer silence;
  static std::atomic<uint64_t> counter{0};
  const std::string tmp_path = fmt::format("{}.tmp-{}-{}", path, static_cast<long>(::getpid()), counter++);
  bool created = false;
  try {
    write_file(path, tmp_path, tensors, attributes, created);
    sync_file(path, tmp_path);
    if (std::rename(tmp_path.c_str(), path.c_str()) != 0)
      throw CheckpointError(fmt::format("{}: cannot rename the temporary file {} onto it", path, tmp_path));
  } catch (...) {
    if (created) std::remove(tmp_path.c_str());
    throw;
  }
}

}  // namespace flowjet

// load_checkpoint: opens the file with every failure turned into a CheckpointError naming it,
// checks the format attributes, then reads all root attributes and every dataset as a tensor.
#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "engine/core/error.h"
#include "engine/io/checkpoint.h"
#include "engine/io/hdf5_check.h"

namespace flowjet {

namespace {

// H5Aiterate2 / H5Lvisit callbacks: collect names only, so no exception crosses the C library.
herr_t collect_attribute_name(hid_t, const char* name, const H5A_info_t*, void* out) {
  static_cast<std::vector<std::string>*>(out)->push_back(name);
  return 0;
}
herr_t collect_link_name(hid_t, const char* name, const H5L_info_t*, void* out) {
  static_cast<std::vector<std::string>*>(out)->push_back(name);
  return 0;
}

AttributeValue read_attribute(hid_t file, const std::string& path, const std::string& key) {
  const std::string context = fmt::format("{}: reading attribute \"{}\"", path, key);
  H5Handle attr(H5Aopen(file, key.c_str(), H5P_DEFAULT), context);
  H5Handle type(H5Aget_type(attr.get()), context);
  H5Handle space(H5Aget_space(attr.get()), context);
  const H5T_class_t type_class = H5Tget_class(type.get());
  const H5S_class_t space_class = H5Sget_simple_extent_type(space.get());
  if (type_class == H5T_STRING && space_class == H5S_SCALAR) {
    if (H5Tis_variable_str(type.get()) > 0) {
      H5Handle mem(H5Tcopy(H5T_C_S1), context);
      h5_check(H5Tset_size(mem.get(), H5T_VARIABLE), context);
      h5_check(H5Tset_cset(mem.get(), H5Tget_cset(type.get())), context);
      char* text = nullptr;
      h5_check(H5Aread(attr.get(), mem.get(), &text), context);
      std::string value = text ? text : "";
      H5free_memory(text);
      return value;
    }
    std::string buffer(H5Tget_size(type.get()), '\0');
    h5_check(H5Aread(attr.get(), type.get(), buffer.data()), context);
    return std::string(buffer.c_str());  // fixed-length strings are null-padded
  }
  if (type_class == H5T_INTEGER && space_class == H5S_SCALAR) {
    int64_t value = 0;
    h5_check(H5Aread(attr.get(), H5T_NATIVE_INT64, &value), context);
    return value;
  }
  if (type_class == H5T_FLOAT && space_class == H5S_SCALAR) {
    double value = 0.0;
    h5_check(H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &value), context);
    return value;
  }
  if (type_class == H5T_FLOAT && space_class == H5S_NULL) return std::vector<double>{};
  if (type_class == H5T_FLOAT && space_class == H5S_SIMPLE && H5Sget_simple_extent_ndims(space.get()) == 1) {
    std::vector<double> values(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get())));
    if (!values.empty()) h5_check(H5Aread(attr.get(), H5T_NATIVE_DOUBLE, values.data()), context);
    return values;
  }
  throw CheckpointError(fmt::format(
      "{}: attribute \"{}\" has an unsupported type (expected a string, an integer, a float or a 1-d float array)",
      path, key));
}

// Checks "format" and "format_version" and removes them from `attributes`.
void check_format(const std::string& path, Attributes& attributes) {
  auto format = attributes.find("format");
  const auto* name = format == attributes.end() ? nullptr : std::get_if<std::string>(&format->second);
  if (!name || *name != kCheckpointFormat)
    throw CheckpointError(fmt::format("{}: not a flowjet checkpoint (root attribute \"format\" is not \"{}\")", path,
                                      kCheckpointFormat));
  auto version = attributes.find("format_version");
  const auto* number = version == attributes.end() ? nullptr : std::get_if<int64_t>(&version->second);
  if (!number)
    throw CheckpointError(fmt::format("{}: the integer attribute \"format_version\" is missing", path));
  if (*number != kCheckpointFormatVersion)
    throw CheckpointError(fmt::format("{}: format_version {} is not supported, this build reads format_version {}",
                                      path, *number, kCheckpointFormatVersion));
  attributes.erase(format);
  attributes.erase(version);
}

// Reads the dataset `name` as a CPU tensor.
Tensor read_tensor(hid_t dataset, const std::string& path, const std::string& name) {
  const std::string context = fmt::format("{}: reading tensor \"{}\"", path, name);
  H5Handle type(H5Dget_type(dataset), context);
  H5Handle space(H5Dget_space(dataset), context);
  const std::size_t size = H5Tget_size(type.get());
  if (H5Tget_class(type.get()) != H5T_FLOAT || (size != 4 && size != 8))
    throw CheckpointError(fmt::format("{}: dataset \"{}\" is not a 32- or 64-bit float array", path, name));
  const H5S_class_t space_class = H5Sget_simple_extent_type(space.get());
  const int ndim = H5Sget_simple_extent_ndims(space.get());
  if ((space_class != H5S_SCALAR && space_class != H5S_SIMPLE) || ndim < 0 || ndim > Shape::kMaxDims)
    throw CheckpointError(
        fmt::format("{}: dataset \"{}\" has {} dimensions, a tensor has at most {}", path, name, ndim, Shape::kMaxDims));
  std::vector<hsize_t> dims(static_cast<std::size_t>(ndim));
  if (ndim > 0) h5_check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), context);
  const std::string implausible = implausible_extent(dataset, dims, path, "\"" + name + "\"");
  if (!implausible.empty()) throw CheckpointError(implausible);
  const DType dtype = size == 4 ? DType::F32 : DType::F64;
  Tensor tensor = Tensor::empty(Shape(std::vector<int64_t>(dims.begin(), dims.end())), dtype);
  if (tensor.numel() > 0)
    h5_check(H5Dread(dataset, dtype == DType::F32 ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL,
                     H5P_DEFAULT, tensor.raw_data()),
             context);
  return tensor;
}

}  // namespace

Checkpoint load_checkpoint(const std::string& path) {
  Hdf5ErrorSilencer silence;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw CheckpointError(fmt::format("{}: no such checkpoint file", path));
  if (H5Fis_hdf5(path.c_str()) <= 0) throw CheckpointError(fmt::format("{}: not an HDF5 file", path));
  H5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT),
                fmt::format("{}: cannot open the checkpoint (truncated or corrupted?)", path));

  Checkpoint checkpoint;
  checkpoint.path = path;
  std::vector<std::string> keys;
  hsize_t index = 0;
  h5_check(H5Aiterate2(file.get(), H5_INDEX_NAME, H5_ITER_INC, &index, collect_attribute_name, &keys),
           fmt::format("{}: listing the root attributes", path));
  for (const std::string& key : keys) checkpoint.attributes[key] = read_attribute(file.get(), path, key);
  check_format(path, checkpoint.attributes);

  std::vector<std::string> links;
  h5_check(H5Lvisit(file.get(), H5_INDEX_NAME, H5_ITER_INC, collect_link_name, &links),
           fmt::format("{}: listing the datasets", path));
  for (const std::string& name : links) {
    const std::string context = fmt::format("{}: opening \"{}\"", path, name);
    H5Handle object(H5Oopen(file.get(), name.c_str(), H5P_DEFAULT), context);
    const H5I_type_t kind = H5Iget_type(object.get());
    if (kind == H5I_GROUP) continue;
    if (kind != H5I_DATASET)
      throw CheckpointError(fmt::format("{}: \"{}\" is neither a group nor a dataset", path, name));
    checkpoint.tensors.push_back({name, read_tensor(object.get(), path, name)});
  }
  std::sort(checkpoint.tensors.begin(), checkpoint.tensors.end(),
            [](const NamedTensor& a, const NamedTensor& b) { return a.name < b.name; });
  return checkpoint;
}

}  // namespace flowjet

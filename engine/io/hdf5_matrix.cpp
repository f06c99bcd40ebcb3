// Hdf5MatrixFile: datasets found by name in any HDF5 file, rows read with a hyperslab selection.
#include "engine/io/hdf5_matrix.h"

#include <filesystem>

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet {

namespace {

// Takes ownership of `id`, or throws DataError("<what>: <HDF5's message>") when the call failed.
H5Handle owned(hid_t id, const std::string& what) {
  if (id < 0) throw DataError(fmt::format("{}: {}", what, hdf5_error_message()));
  return H5Handle(id, what);
}

// numpy's name of an HDF5 element type (what h5py users see).
std::string element_type_name(hid_t type) {
  const std::size_t bits = 8 * H5Tget_size(type);
  switch (H5Tget_class(type)) {
    case H5T_FLOAT: return fmt::format("float{}", bits);
    case H5T_INTEGER: return fmt::format("{}int{}", H5Tget_sign(type) == H5T_SGN_NONE ? "u" : "", bits);
    case H5T_STRING: return "string";
    case H5T_COMPOUND: return "compound";
    case H5T_ENUM: return "enum";
    default: return "non-numeric";
  }
}

}  // namespace

std::string Hdf5DatasetInfo::str() const { return fmt::format("{} [{}]", element_type, fmt::join(shape, ", ")); }

Hdf5MatrixFile::Hdf5MatrixFile(const std::string& path) : path_(path) {
  Hdf5ErrorSilencer silence;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw DataError(fmt::format("{}: no such file", path));
  if (H5Fis_hdf5(path.c_str()) <= 0) throw DataError(fmt::format("{}: not an HDF5 file", path));
  file_ = owned(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), fmt::format("{}: cannot open", path));
}

std::optional<Hdf5DatasetInfo> Hdf5MatrixFile::describe(const std::string& name) const {
  Hdf5ErrorSilencer silence;
  if (name.empty() || name.find('/') != std::string::npos || H5Lexists(file_.get(), name.c_str(), H5P_DEFAULT) <= 0)
    return std::nullopt;
  const std::string what = fmt::format("{}: dataset \"{}\"", path_, name);
  H5Handle object = owned(H5Oopen(file_.get(), name.c_str(), H5P_DEFAULT), what);
  if (H5Iget_type(object.get()) != H5I_DATASET) return std::nullopt;
  H5Handle type = owned(H5Dget_type(object.get()), what);
  H5Handle space = owned(H5Dget_space(object.get()), what);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) throw DataError(fmt::format("{}: {}", what, hdf5_error_message()));
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  Hdf5DatasetInfo info;
  info.shape.assign(dims.begin(), dims.end());
  info.element_type = element_type_name(type.get());
  return info;
}

Tensor Hdf5MatrixFile::read_rows(const std::string& name, int64_t begin, int64_t end, DType dtype) const {
  const std::optional<Hdf5DatasetInfo> info = describe(name);
  if (!info) throw DataError(fmt::format("{}: no dataset \"{}\"", path_, name));
  if (info->shape.size() != 2 || !info->is_float())
    throw DataError(fmt::format("{}: dataset \"{}\" is {}, expected float32 or float64 [rows, columns]", path_, name,
                                info->str()));
  const int64_t rows = info->shape[0], columns = info->shape[1];
  if (begin < 0 || end < begin || end > rows)
    throw DataError(fmt::format("{}: rows {}..{} of dataset \"{}\" requested, it has {}", path_, begin, end, name, rows));
  Hdf5ErrorSilencer silence;
  const std::string what = fmt::format("{}: reading rows {}..{} of dataset \"{}\"", path_, begin, end, name);
  H5Handle dataset = owned(H5Dopen2(file_.get(), name.c_str(), H5P_DEFAULT), what);
  const std::string implausible =
      implausible_extent(dataset.get(), {static_cast<hsize_t>(rows), static_cast<hsize_t>(columns)}, path_, name);
  if (!implausible.empty()) throw DataError(implausible);
  // Read in the stored precision, then convert with the engine's own rounding.
  const DType stored = info->element_type == "float32" ? DType::F32 : DType::F64;
  Tensor out = Tensor::empty(Shape{end - begin, columns}, stored);
  if (out.numel() == 0) return out.to(dtype);
  H5Handle file_space = owned(H5Dget_space(dataset.get()), what);
  const hsize_t start[2] = {static_cast<hsize_t>(begin), 0};
  const hsize_t count[2] = {static_cast<hsize_t>(end - begin), static_cast<hsize_t>(columns)};
  H5Handle memory_space = owned(H5Screate_simple(2, count, nullptr), what);
  herr_t status = H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr);
  if (status >= 0)
    status = H5Dread(dataset.get(), stored == DType::F32 ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE, memory_space.get(),
                     file_space.get(), H5P_DEFAULT, out.raw_data());
  if (status < 0) throw DataError(fmt::format("{}: {}", what, hdf5_error_message()));
  return out.to(dtype);
}

}  // namespace flowjet

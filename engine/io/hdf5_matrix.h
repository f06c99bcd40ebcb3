// Rows of 2-D floating-point datasets in any HDF5 file, found by name: no root attributes and no
// file format are required (unlike load_checkpoint). A bare flow reads its ready-made inputs so.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/io/hdf5_check.h"
#include "engine/tensor/tensor.h"

namespace flowjet {

/// Shape and element type of one dataset, read without its values.
struct Hdf5DatasetInfo {
  std::vector<int64_t> shape;
  std::string element_type;  ///< numpy's spelling: "float32", "float64", "int64", "uint8", "string", ...
  /// A 32- or 64-bit IEEE float: the element types read_rows accepts.
  bool is_float() const { return element_type == "float32" || element_type == "float64"; }
  /// e.g. "float32 [100, 90]"
  std::string str() const;
};

/// One HDF5 file opened read-only. Every error is a DataError naming the file (and the dataset).
class Hdf5MatrixFile {
 public:
  /// Throws DataError when the file is missing, not HDF5 or cannot be opened.
  explicit Hdf5MatrixFile(const std::string& path);
  const std::string& path() const { return path_; }

  /// The root dataset called `name` (e.g. "inputs"), or nullopt when the root holds no dataset
  /// of that name.
  std::optional<Hdf5DatasetInfo> describe(const std::string& name) const;

  /// Rows [begin, end) of the 2-D float32/float64 root dataset `name` as a CPU tensor [end - begin, columns]
  /// of `dtype` (converted from the stored precision as Tensor::to does). Throws DataError for a
  /// missing dataset, another rank or element type, or a row range outside it.
  Tensor read_rows(const std::string& name, int64_t begin, int64_t end, DType dtype) const;

 private:
  std::string path_;
  H5Handle file_;
};

}  // namespace flowjet

// Serialisation hook shared by the scaler and the conditional sampler: a map of named double
// arrays with shapes, which a checkpoint writer can store as HDF5 datasets and read back.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace flowjet::data {

/// One array: row-major values with their shape (product of shape == values.size()).
struct NamedArray {
  std::vector<int64_t> shape;
  std::vector<double> values;
};

using NamedArrays = std::map<std::string, NamedArray>;

/// The array called `name`, checked to exist and to have rank `rank` (-1: any) and consistent
/// size; `owner` names the object being restored in the message. Throws flowjet::DataError.
const NamedArray& require_array(const NamedArrays& arrays, const std::string& name, int rank,
                                const std::string& owner);

}  // namespace flowjet::data

// Checked access to named arrays restored from a checkpoint.
#include "data/named_arrays.h"

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet::data {

const NamedArray& require_array(const NamedArrays& arrays, const std::string& name, int rank,
                                const std::string& owner) {
  const auto it = arrays.find(name);
  if (it == arrays.end()) {
    throw flowjet::DataError(fmt::format("{}: array '{}' is missing", owner, name));
  }
  const NamedArray& array = it->second;
  if (rank >= 0 && static_cast<int>(array.shape.size()) != rank) {
    throw flowjet::DataError(fmt::format("{}: array '{}' has rank {}, expected {}", owner, name,
                                         array.shape.size(), rank));
  }
  int64_t size = 1;
  for (const int64_t dim : array.shape) size *= dim;
  if (size != static_cast<int64_t>(array.values.size())) {
    throw flowjet::DataError(fmt::format("{}: array '{}' holds {} values but its shape [{}] needs {}",
                                         owner, name, array.values.size(),
                                         fmt::join(array.shape, ", "), size));
  }
  return array;
}

}  // namespace flowjet::data

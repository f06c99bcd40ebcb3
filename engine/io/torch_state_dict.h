// PyTorch state dicts read without PyTorch: named tensors copied out of a torch.save file, in
// either of its formats (the zip archive of PyTorch >= 1.6, torch_zip.h, or the legacy stream,
// torch_legacy.h). Both interpret the pickle with torch_pickle.h, which runs no code.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/io/torch_pickle.h"

namespace flowjet {

/// One named tensor, copied out of its storage (row-major, contiguous).
struct StoredTensor {
  std::string name;
  std::vector<int64_t> shape;    ///< [] for a scalar
  StoredDtype dtype = StoredDtype::Float32;
  std::vector<float> f32;        ///< data when dtype == Float32
  std::vector<double> f64;       ///< data when dtype == Float64
  std::vector<int64_t> i64;      ///< data when dtype == Int64
  int64_t numel() const;
  /// The values as doubles, whatever the dtype (int64 values beyond 2^53 round).
  std::vector<double> to_doubles() const;
};

/// The tensors of a state dict, in file order.
struct TorchStateDict {
  std::string path;
  std::vector<StoredTensor> tensors;
  /// "" when the file's top level is the state dict; "state_dict" when it came from that entry of a
  /// checkpoint dict (PyTorch Lightning's .ckpt).
  std::string container_key;
  /// True if a tensor of that name exists.
  bool contains(const std::string& name) const;
  /// The tensor of that name; throws DataError naming the file and the tensor.
  const StoredTensor& at(const std::string& name) const;
};

/// Reads a torch.save file of either format, chosen by its first bytes ("PK": zip archive).
TorchStateDict read_torch_state_dict(const std::string& path);

// For the two format readers.

/// The state dict in the unpickled top-level value: the value itself when it is a dict of tensors,
/// else its "state_dict" entry when that is one (`container_key` is set to "state_dict"). Throws
/// DataError naming `where` otherwise, or when a key is not a string.
const PickleValue& find_state_dict(const std::string& where, const PickleValue& root, std::string& container_key);

/// Copies the tensor `name` (a _rebuild_tensor_v2 value) out of its storage's `data`, which holds the
/// storage's storage_numel elements. Checks with overflow-safe arithmetic that every element the
/// size, stride and offset reach lies inside the storage; throws DataError naming `where` otherwise.
StoredTensor copy_stored_tensor(const std::string& where, const std::string& name, const PickleValue& tensor,
                                const unsigned char* data);

}  // namespace flowjet

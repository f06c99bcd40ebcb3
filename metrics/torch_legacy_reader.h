// Reader for PyTorch's legacy (pre-1.6, non-zip) state-dict files such as jetnet's
// pnet_state_dict.pt (metric-definitions.md §10). It interprets only the small pickle subset
// that format uses and never executes anything: other opcodes and globals are errors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace flowjet::metrics {

enum class StoredDtype { Float32, Int64 };

/// One named tensor, copied out of its storage (row-major, contiguous).
struct StoredTensor {
  std::string name;
  std::vector<int64_t> shape;    ///< [] for a scalar
  StoredDtype dtype = StoredDtype::Float32;
  std::vector<float> f32;        ///< data when dtype == Float32
  std::vector<int64_t> i64;      ///< data when dtype == Int64
  int64_t numel() const;
};

/// The tensors of a state dict, in file order.
struct TorchStateDict {
  std::string path;
  std::vector<StoredTensor> tensors;
  /// True if a tensor of that name exists.
  bool contains(const std::string& name) const;
  /// The tensor of that name; throws DataError naming the file and the tensor.
  const StoredTensor& at(const std::string& name) const;
};

/// Reads a legacy torch.save file: checks the magic number (0x1950A86A20F9469CFC6C), protocol
/// version 1001 and little-endian system info, interprets the state-dict pickle (OrderedDict of
/// _rebuild_tensor_v2 tensors over FloatStorage/LongStorage), then reads the storage records in
/// key-list order, checking each element count and that the file ends after the last record.
/// Tensors sharing a storage each get their own copy. Throws DataError naming the file (and the
/// byte offset, opcode or global) for anything else: truncation, bad magic, unknown opcodes.
TorchStateDict read_torch_legacy_state_dict(const std::string& path);

}  // namespace flowjet::metrics

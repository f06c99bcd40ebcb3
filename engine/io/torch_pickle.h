// A pickle interpreter for the small subset that torch.save writes (protocol 2): it builds plain
// values and never executes anything. Only a few globals are known (OrderedDict,
// _rebuild_tensor_v2, the Float, Double and Long storage classes, and PyTorch Lightning's
// AttributeDict, a plain dict of hyper-parameters); any other global, any REDUCE or NEWOBJ of
// something else and any opcode outside the subset is an error naming the file, the byte and what
// was found. Used by the legacy and the zip readers of PyTorch files
// (torch_legacy.h, torch_zip.h); the security model is described in docs/import.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace flowjet {

enum class StoredDtype { Float32, Float64, Int64 };

/// "float32" | "float64" | "int64".
const char* stored_dtype_name(StoredDtype dtype);
/// Bytes per element: 4 or 8.
int64_t stored_dtype_size(StoredDtype dtype);

/// A value built by the interpreter.
struct PickleValue {
  enum class Kind { None, Bool, Int, BigInt, Float, String, Tuple, List, Dict, Global, Storage, Tensor };
  Kind kind = Kind::None;
  int64_t number = 0;                                      // Bool, Int
  double real = 0.0;                                       // Float
  std::string text;                                        // String; BigInt bytes; Global "module name"
  std::vector<std::shared_ptr<PickleValue>> items;         // Tuple, List; Dict as key, value, key, value...
  // Storage (from a persistent id): key, dtype, element count.
  std::string storage_key;
  StoredDtype storage_dtype = StoredDtype::Float32;
  int64_t storage_numel = 0;
  // Tensor (from _rebuild_tensor_v2): storage, offset, size, stride.
  std::shared_ptr<PickleValue> storage;
  int64_t offset = 0;
  std::vector<int64_t> size, stride;
  // Set once the value is an item of another; such a List or Dict is frozen, so no value can
  // (directly or through others) contain itself.
  bool contained = false;
  // Levels of values below this one (0 for a scalar); limited, so that freeing a value cannot
  // recurse deeper than the stack allows.
  int depth = 0;
};
using PickleValuePtr = std::shared_ptr<PickleValue>;

/// Interprets one pickle of bytes[pos, end) up to and including its STOP and advances `pos` past it.
/// `where` names the source in errors ("file.pt" or "file.pt: archive/data.pkl"). Each storage the
/// pickle names is appended to `storages` when that is given.
PickleValuePtr unpickle(const std::string& where, const std::vector<unsigned char>& bytes, std::size_t& pos,
                        std::vector<PickleValuePtr>* storages = nullptr);

/// The value of a string key in a Dict value, or nullptr.
PickleValuePtr pickle_dict_get(const PickleValue& dict, const std::string& key);

}  // namespace flowjet

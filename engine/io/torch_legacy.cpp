// Legacy torch.save reader (metric-definitions.md §10): five pickles (magic, protocol version,
// system info, the object, the storage keys), then the raw storage records.
#include "engine/io/torch_legacy.h"

#include <cstring>
#include <fstream>
#include <iterator>
#include <map>

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet {

TorchStateDict read_torch_legacy_state_dict(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(fmt::format("{}: cannot open file", path));
  const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() >= 2 && bytes[0] == 'P' && bytes[1] == 'K')
    throw DataError(fmt::format("{}: a zip archive (PyTorch >= 1.6 format), not the legacy format", path));
  std::size_t pos = 0;
  using Kind = PickleValue::Kind;

  const PickleValuePtr magic = unpickle(path, bytes, pos);
  static const unsigned char kMagic[10] = {0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
  if (magic->kind != Kind::BigInt || magic->text.size() != 10 || std::memcmp(magic->text.data(), kMagic, 10) != 0)
    throw DataError(fmt::format("{}: bad magic number: not a legacy torch.save file", path));
  const PickleValuePtr version = unpickle(path, bytes, pos);
  if (version->kind != Kind::Int || version->number != 1001)
    throw DataError(fmt::format("{}: serialisation protocol version {}, expected 1001", path,
                                version->kind == Kind::Int ? version->number : -1));
  const std::size_t info_at = pos;
  const PickleValuePtr info = unpickle(path, bytes, pos);
  const PickleValuePtr little = info->kind == Kind::Dict ? pickle_dict_get(*info, "little_endian") : nullptr;
  if (little == nullptr || little->kind != Kind::Bool || little->number != 1)
    throw DataError(fmt::format("{}: byte {}: system info does not say little_endian = True", path, info_at));
  std::vector<PickleValuePtr> storages;
  const PickleValuePtr root = unpickle(path, bytes, pos, &storages);
  TorchStateDict out;
  out.path = path;
  const PickleValue& state = find_state_dict(path, *root, out.container_key);
  const std::size_t keys_at = pos;
  const PickleValuePtr keys = unpickle(path, bytes, pos);
  if (keys->kind != Kind::List) throw DataError(fmt::format("{}: byte {}: the storage key list is not a list", path, keys_at));

  // Storages named by the object: key -> (dtype, numel).
  std::map<std::string, std::pair<StoredDtype, int64_t>> declared;
  for (const PickleValuePtr& s : storages) {
    const auto [it, inserted] = declared.emplace(s->storage_key, std::make_pair(s->storage_dtype, s->storage_numel));
    if (!inserted && it->second != std::make_pair(s->storage_dtype, s->storage_numel))
      throw DataError(fmt::format("{}: storage {} is declared with two types or sizes", path, s->storage_key));
  }
  // Raw storage records, in key-list order: int64 count, then the elements.
  std::map<std::string, std::size_t> data_at;  // key -> byte offset of its data
  for (const auto& key : keys->items) {
    if (key->kind != Kind::String) throw DataError(fmt::format("{}: storage key list holds a non-string", path));
    const auto it = declared.find(key->text);
    if (it == declared.end()) throw DataError(fmt::format("{}: storage {} is used by no tensor", path, key->text));
    if (bytes.size() - pos < 8)
      throw DataError(fmt::format("{}: byte {}: file truncated in the record of storage {}", path, pos, key->text));
    int64_t count = 0;
    std::memcpy(&count, bytes.data() + pos, 8);
    if (count != it->second.second)
      throw DataError(fmt::format("{}: byte {}: storage {} has {} elements, the object says {}", path, pos,
                                  key->text, count, it->second.second));
    const auto element = static_cast<uint64_t>(stored_dtype_size(it->second.first));
    // Compared as a count of elements, so that a huge claimed count cannot wrap the byte size.
    if (count < 0 || static_cast<uint64_t>(count) > (bytes.size() - pos - 8) / element)
      throw DataError(fmt::format("{}: byte {}: file truncated in the record of storage {} ({} elements)", path, pos,
                                  key->text, count));
    data_at[key->text] = pos + 8;
    pos += 8 + static_cast<std::size_t>(count) * element;
  }
  if (pos != bytes.size())
    throw DataError(fmt::format("{}: {} unexpected bytes after the last storage record (at byte {})", path,
                                bytes.size() - pos, pos));

  for (std::size_t k = 0; k + 1 < state.items.size(); k += 2) {
    const PickleValue& tensor = *state.items[k + 1];
    const std::string& name = state.items[k]->text;
    const auto found = data_at.find(tensor.storage->storage_key);
    if (found == data_at.end())
      throw DataError(fmt::format("{}: storage {} of tensor \"{}\" has no record", path, tensor.storage->storage_key, name));
    out.tensors.push_back(copy_stored_tensor(path, name, tensor, bytes.data() + found->second));
  }
  return out;
}

}  // namespace flowjet

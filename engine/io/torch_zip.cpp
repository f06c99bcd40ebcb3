// The zip container of torch.save files (PKWARE APPNOTE 6.3: end of central directory, zip64 end
// record and locator, central directory headers, local headers), then the torch layout inside it.
#include "engine/io/torch_zip.h"

#include <array>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet {

uint32_t zip_crc32(const unsigned char* data, std::size_t size) {
  // Reflected polynomial 0xEDB88320, initial value and final xor 0xFFFFFFFF.
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t n = 0; n < 256; ++n) {
      uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  uint32_t crc = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < size; ++i) crc = table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

namespace {

constexpr uint32_t kEndSignature = 0x06054b50, kZip64EndSignature = 0x06064b50, kZip64LocatorSignature = 0x07064b50,
                   kCentralSignature = 0x02014b50, kLocalSignature = 0x04034b50;
constexpr std::size_t kEndSize = 22, kZip64LocatorSize = 20, kZip64EndSize = 56, kCentralSize = 46, kLocalSize = 30;

// Little-endian reads at checked positions of the archive.
class ByteView {
 public:
  ByteView(const std::string& path, const std::vector<unsigned char>& bytes) : path_(path), bytes_(bytes) {}
  [[noreturn]] void fail(const std::string& what) const { throw DataError(fmt::format("{}: {}", path_, what)); }
  // Checks that [at, at + n) lies inside the file.
  void need(uint64_t at, uint64_t n, const char* what) const {
    uint64_t end = 0;
    if (__builtin_add_overflow(at, n, &end) || end > bytes_.size())
      fail(fmt::format("{} at byte {} reaches past the end of the file ({} bytes): truncated or corrupted", what, at,
                       bytes_.size()));
  }
  uint64_t le(uint64_t at, int width) const {
    uint64_t v = 0;
    for (int k = width - 1; k >= 0; --k) v = (v << 8) | bytes_[static_cast<std::size_t>(at) + static_cast<std::size_t>(k)];
    return v;
  }
  std::string text(uint64_t at, uint64_t n) const {
    return std::string(reinterpret_cast<const char*>(bytes_.data() + at), static_cast<std::size_t>(n));
  }
  std::size_t size() const { return bytes_.size(); }

 private:
  const std::string& path_;
  const std::vector<unsigned char>& bytes_;
};

struct Directory {
  uint64_t entries = 0, size = 0, offset = 0;
};

// The end-of-central-directory record: the last signature with a comment reaching exactly to the end.
Directory read_end_records(const ByteView& view) {
  if (view.size() < kEndSize) view.fail("too short for a zip archive (no end-of-central-directory record)");
  const uint64_t lowest = view.size() > kEndSize + 0xFFFF ? view.size() - kEndSize - 0xFFFF : 0;
  uint64_t at = view.size() - kEndSize;
  while (!(view.le(at, 4) == kEndSignature && at + kEndSize + view.le(at + 20, 2) == view.size())) {
    if (at == lowest) view.fail("no end-of-central-directory record: not a zip archive, or truncated");
    --at;
  }
  if (view.le(at + 4, 2) != 0 || view.le(at + 6, 2) != 0 || view.le(at + 8, 2) != view.le(at + 10, 2))
    view.fail("a multi-disk zip archive is not supported");
  Directory d{view.le(at + 10, 2), view.le(at + 12, 4), view.le(at + 16, 4)};
  const bool saturated = d.entries == 0xFFFF || d.size == 0xFFFFFFFF || d.offset == 0xFFFFFFFF;
  if (at < kZip64LocatorSize || view.le(at - kZip64LocatorSize, 4) != kZip64LocatorSignature) {
    if (saturated) view.fail("the end-of-central-directory record needs a zip64 record, which is missing");
    return d;
  }
  // zip64: the locator just before the end record points at the zip64 end record.
  const uint64_t locator = at - kZip64LocatorSize;
  if (view.le(locator + 4, 4) != 0 || view.le(locator + 16, 4) != 1) view.fail("a multi-disk zip64 archive is not supported");
  const uint64_t record = view.le(locator + 8, 8);
  view.need(record, kZip64EndSize, "the zip64 end record");
  if (view.le(record, 4) != kZip64EndSignature) view.fail(fmt::format("no zip64 end record at byte {}", record));
  if (view.le(record + 16, 4) != 0 || view.le(record + 20, 4) != 0 || view.le(record + 24, 8) != view.le(record + 32, 8))
    view.fail("a multi-disk zip64 archive is not supported");
  const Directory d64{view.le(record + 32, 8), view.le(record + 40, 8), view.le(record + 48, 8)};
  if ((d.entries != 0xFFFF && d.entries != d64.entries) || (d.size != 0xFFFFFFFF && d.size != d64.size) ||
      (d.offset != 0xFFFFFFFF && d.offset != d64.offset))
    view.fail("the zip64 end record disagrees with the end-of-central-directory record (corrupted)");
  return d64;
}

// A central directory field stored as 0xFFFF...: its value comes from the zip64 extra field (id 1),
// whose 8-byte values appear in the order uncompressed size, compressed size, local header offset.
void apply_zip64_extra(const ByteView& view, uint64_t extra, uint64_t extra_size, const std::string& name,
                       std::array<uint64_t*, 3> fields) {
  uint64_t pos = extra;
  const uint64_t end = extra + extra_size;
  while (pos + 4 <= end) {
    const uint64_t id = view.le(pos, 2), n = view.le(pos + 2, 2);
    if (pos + 4 + n > end) view.fail(fmt::format("entry \"{}\": an extra field runs past its header", name));
    if (id == 1) {
      uint64_t at = pos + 4;
      for (uint64_t* field : fields) {
        if (*field != 0xFFFFFFFF) continue;
        if (at + 8 > pos + 4 + n) view.fail(fmt::format("entry \"{}\": its zip64 extra field is too short", name));
        *field = view.le(at, 8);
        at += 8;
      }
      return;
    }
    pos += 4 + n;
  }
  for (const uint64_t* field : fields)
    if (*field == 0xFFFFFFFF) view.fail(fmt::format("entry \"{}\" needs a zip64 extra field, which is missing", name));
}

}  // namespace

std::vector<ZipEntry> read_zip_directory(const std::string& path, const std::vector<unsigned char>& bytes) {
  const ByteView view(path, bytes);
  const Directory directory = read_end_records(view);
  view.need(directory.offset, directory.size, "the central directory");
  std::vector<ZipEntry> entries;
  std::set<std::string> names;
  uint64_t at = directory.offset;
  const uint64_t end = directory.offset + directory.size;
  for (uint64_t e = 0; e < directory.entries; ++e) {
    if (end - at < kCentralSize || view.le(at, 4) != kCentralSignature)
      view.fail(fmt::format("central directory entry {} at byte {} is malformed", e, at));
    const uint64_t flags = view.le(at + 8, 2), method = view.le(at + 10, 2);
    const uint64_t name_size = view.le(at + 28, 2), extra_size = view.le(at + 30, 2), comment_size = view.le(at + 32, 2);
    if (end - at - kCentralSize < name_size + extra_size + comment_size)
      view.fail(fmt::format("central directory entry {} at byte {} runs past the directory", e, at));
    ZipEntry entry;
    entry.name = view.text(at + kCentralSize, name_size);
    entry.crc32 = static_cast<uint32_t>(view.le(at + 16, 4));
    uint64_t compressed = view.le(at + 20, 4), size = view.le(at + 24, 4), local = view.le(at + 42, 4);
    apply_zip64_extra(view, at + kCentralSize + name_size, extra_size, entry.name, {&size, &compressed, &local});
    if (flags & 0x41) view.fail(fmt::format("entry \"{}\" is encrypted; torch.save never encrypts", entry.name));
    if (method != 0)
      view.fail(fmt::format("entry \"{}\" is compressed (method {}); torch.save stores entries uncompressed", entry.name, method));
    if (compressed != size)
      view.fail(fmt::format("entry \"{}\" is stored but its sizes differ ({} and {})", entry.name, compressed, size));
    if (view.le(at + 34, 2) != 0) view.fail(fmt::format("entry \"{}\" lies on another disk", entry.name));
    if (!names.insert(entry.name).second) view.fail(fmt::format("entry \"{}\" appears twice", entry.name));
    // The local header repeats the name; its own extra field (alignment padding) may differ.
    view.need(local, kLocalSize, fmt::format("the local header of \"{}\"", entry.name).c_str());
    const uint64_t local_name = view.le(local + 26, 2), local_extra = view.le(local + 28, 2);
    view.need(local + kLocalSize, local_name, fmt::format("the local header of \"{}\"", entry.name).c_str());
    if (view.le(local, 4) != kLocalSignature || view.text(local + kLocalSize, local_name) != entry.name ||
        view.le(local + 8, 2) != method)
      view.fail(fmt::format("the local header of \"{}\" at byte {} does not match its directory entry", entry.name, local));
    entry.data_offset = local + kLocalSize + local_name + local_extra;
    entry.size = size;
    view.need(entry.data_offset, entry.size, fmt::format("the data of \"{}\"", entry.name).c_str());
    entries.push_back(std::move(entry));
    at += kCentralSize + name_size + extra_size + comment_size;
  }
  return entries;
}

namespace {

// The bytes of one entry, after its CRC-32 check.
const unsigned char* checked_data(const std::string& path, const std::vector<unsigned char>& bytes, const ZipEntry& entry) {
  const unsigned char* data = bytes.data() + entry.data_offset;
  const uint32_t crc = zip_crc32(data, static_cast<std::size_t>(entry.size));
  if (crc != entry.crc32)
    throw DataError(fmt::format("{}: entry \"{}\" fails its CRC-32 check (stored {:08x}, computed {:08x}): corrupted",
                                path, entry.name, entry.crc32, crc));
  return data;
}

}  // namespace

TorchStateDict read_torch_zip_state_dict(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(fmt::format("{}: cannot open file", path));
  const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::map<std::string, ZipEntry> entries;
  for (ZipEntry& e : read_zip_directory(path, bytes)) entries.emplace(e.name, std::move(e));

  // torch.save names every entry "<archive>/...", with the pickle at "<archive>/data.pkl".
  std::string archive;
  for (const auto& [name, entry] : entries) {
    const std::size_t slash = name.find('/');
    if (slash == std::string::npos || name.substr(slash) != "/data.pkl") continue;
    if (!archive.empty()) throw DataError(fmt::format("{}: more than one data.pkl (\"{}/\" and \"{}\")", path, archive, name));
    archive = name.substr(0, slash);
  }
  if (archive.empty()) throw DataError(fmt::format("{}: a zip archive without <name>/data.pkl: not a torch.save file", path));
  auto entry = [&](const std::string& name) -> const ZipEntry* {
    const auto it = entries.find(archive + "/" + name);
    return it == entries.end() ? nullptr : &it->second;
  };
  if (entry("version") == nullptr) throw DataError(fmt::format("{}: no {}/version entry: not a torch.save file", path, archive));
  if (const ZipEntry* order = entry("byteorder")) {
    const unsigned char* p = checked_data(path, bytes, *order);
    if (std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(order->size)) != "little")
      throw DataError(fmt::format("{}: {}/byteorder is not \"little\"", path, archive));
  }

  const ZipEntry& pickle_entry = *entry("data.pkl");
  const unsigned char* pickle_data = checked_data(path, bytes, pickle_entry);
  const std::vector<unsigned char> pickle(pickle_data, pickle_data + pickle_entry.size);
  const std::string where = fmt::format("{}: {}", path, pickle_entry.name);
  std::size_t pos = 0;
  const PickleValuePtr root = unpickle(where, pickle, pos);
  if (pos != pickle.size())
    throw DataError(fmt::format("{}: {} unexpected bytes after the pickle's STOP", where, pickle.size() - pos));
  TorchStateDict out;
  out.path = path;
  const PickleValue& state = find_state_dict(path, *root, out.container_key);
  std::map<std::string, const unsigned char*> checked;  // storages already checked, by key
  for (std::size_t k = 0; k + 1 < state.items.size(); k += 2) {
    const std::string& name = state.items[k]->text;
    const PickleValue& tensor = *state.items[k + 1];
    const PickleValue& storage = *tensor.storage;
    const ZipEntry* data = entry("data/" + storage.storage_key);
    if (data == nullptr)
      throw DataError(fmt::format("{}: tensor \"{}\": storage entry {}/data/{} is missing", path, name, archive,
                                  storage.storage_key));
    // Checked for every tensor: two tensors may name one storage with different sizes.
    uint64_t expected = 0;
    if (__builtin_mul_overflow(static_cast<uint64_t>(storage.storage_numel),
                               static_cast<uint64_t>(stored_dtype_size(storage.storage_dtype)), &expected) ||
        expected != data->size)
      throw DataError(fmt::format("{}: tensor \"{}\": storage {} holds {} bytes, the pickle says {} {} elements", path,
                                  name, storage.storage_key, data->size, storage.storage_numel,
                                  stored_dtype_name(storage.storage_dtype)));
    auto found = checked.find(storage.storage_key);
    if (found == checked.end()) found = checked.emplace(storage.storage_key, checked_data(path, bytes, *data)).first;
    out.tensors.push_back(copy_stored_tensor(path, name, tensor, found->second));
  }
  return out;
}

}  // namespace flowjet

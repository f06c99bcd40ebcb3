// Reader for PyTorch's zip checkpoint format (torch.save since PyTorch 1.6): an archive of stored
// (uncompressed) entries "<name>/data.pkl" (the object pickle, interpreted by torch_pickle.h, which
// runs no code), "<name>/data/<key>" (one raw little-endian storage each) and "<name>/version".
// The zip directory is read here, not by a library: only stored, unencrypted entries on one disk
// are accepted, every offset and size is checked against the file with overflow-safe arithmetic,
// and each entry read is checked against its CRC-32.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/io/torch_state_dict.h"

namespace flowjet {

/// One entry of a zip archive: where its bytes lie in the file.
struct ZipEntry {
  std::string name;
  uint64_t data_offset = 0;  ///< first byte of the stored data
  uint64_t size = 0;         ///< stored = uncompressed size
  uint32_t crc32 = 0;
};

/// The entries of the zip archive `bytes` (the file `path`, named in errors), from its central
/// directory (with zip64 end records and extra fields where the archive has them). Throws DataError
/// naming the file and the entry for: no end-of-central-directory record, a multi-disk archive,
/// a zip64 record that disagrees with the plain one, a compressed or encrypted entry, a local header
/// that does not match its directory entry, a duplicate name, or data reaching past the file.
std::vector<ZipEntry> read_zip_directory(const std::string& path, const std::vector<unsigned char>& bytes);

/// The CRC-32 (ISO-HDLC, as zip uses) of `size` bytes.
uint32_t zip_crc32(const unsigned char* data, std::size_t size);

/// Reads a zip-format torch.save file: finds the single "<name>/data.pkl", checks "<name>/version"
/// and, where present, "<name>/byteorder" = "little", interprets the pickle (a state dict, or a
/// checkpoint dict with one under "state_dict") and copies each tensor out of "<name>/data/<key>",
/// whose size must be the storage's element count times its element size and whose CRC-32 must
/// match. Throws DataError naming the file (and the entry, byte or global) for anything else.
TorchStateDict read_torch_zip_state_dict(const std::string& path);

}  // namespace flowjet

// SHA-256 (FIPS 180-4), used to check that resource files (e.g. the FPND weights and statistics)
// are the exact bytes the code expects before they are read.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace flowjet {

/// Incremental SHA-256: update() with the bytes in any pieces, then hex_digest() once.
class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t size);
  /// The 64 lowercase hex digits of the digest. Finishes the hash: call update() no more.
  std::string hex_digest();

 private:
  void compress(const uint8_t* block);

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> block_{};
  std::size_t block_used_ = 0;
  uint64_t total_bytes_ = 0;
};

/// SHA-256 of a byte string, as 64 lowercase hex digits.
std::string sha256_hex(const std::string& bytes);

/// SHA-256 of a file's bytes, as 64 lowercase hex digits. Throws DataError naming the file when it
/// cannot be opened or read.
std::string sha256_file_hex(const std::string& path);

}  // namespace flowjet

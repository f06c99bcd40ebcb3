// SHA-256 (engine/io/sha256.h) against the FIPS 180-2 / NIST example vectors, messages whose
// padding crosses a block boundary (digests from Python's hashlib), piecewise updates, and files.
#include <fstream>
#include <string>

#include <doctest/doctest.h>

#include "engine/core/error.h"
#include "engine/io/sha256.h"
#include "tests/support/temp_dir.h"

using namespace flowjet;

namespace {
// Bytes (7·i) mod 256 for i < n: a message that is not all one value.
std::string pattern(std::size_t n) {
  std::string bytes(n, '\0');
  for (std::size_t i = 0; i < n; ++i) bytes[i] = static_cast<char>((i * 7) % 256);
  return bytes;
}
}  // namespace

TEST_CASE("io/sha256: NIST example messages") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnop"
                   "qrsmnopqrstnopqrstu") == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  CHECK(sha256_hex(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("io/sha256: lengths around the padding's block boundary") {
  const std::pair<std::size_t, const char*> vectors[] = {
      {55, "576a1bf8d4478657e6dc4af9398544765c2a92cde28478b019235cfed315fc09"},
      {56, "9b20501dfd1d99161c257950f3444f3e49230c351c5c8e0943ef369f85f5205d"},
      {63, "30b345906b493f06f69444b6521113511c242f30e29840462950035043682f1e"},
      {64, "d8bc63b4fc1156e5e7d95a418b9bf54cd3174bedbc2db40f74895349b229b3c0"},
      {119, "7a6589821178918ca8d9edaba5abfc1e9b2669564f4469b66885379c1530b2c8"},
      {120, "655250427d56b1b0eeb8497d21428704273458a01772d6881b65c0abac0f8a98"},
  };
  for (const auto& [length, digest] : vectors) {
    CAPTURE(length);
    CHECK(sha256_hex(pattern(length)) == digest);
  }
}

TEST_CASE("io/sha256: updates in pieces give the one-shot digest; files are hashed byte for byte") {
  const std::string message = pattern(1000);
  for (std::size_t piece : {1, 3, 63, 64, 65, 999}) {
    CAPTURE(piece);
    Sha256 hash;
    for (std::size_t at = 0; at < message.size(); at += piece)
      hash.update(message.data() + at, std::min(piece, message.size() - at));
    CHECK(hash.hex_digest() == sha256_hex(message));
  }
  test::TempDir dir;
  std::ofstream(dir.file("abc.bin"), std::ios::binary) << "abc";
  CHECK(sha256_file_hex(dir.file("abc.bin")) == sha256_hex("abc"));
  CHECK_THROWS_WITH_AS(sha256_file_hex(dir.file("missing.bin")), doctest::Contains("missing.bin"), DataError);
}

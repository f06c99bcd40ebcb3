// Replays the fuzz corpus (seeds) and every crash input found so far (tests/fuzz/regressions/)
// through the fuzz targets' functions (tests/fuzz/targets.h; docs/fuzzing.md), without clang or
// libFuzzer: each input must be read or refused with a flowjet::Error, never crash or throw
// anything else.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/fuzz/targets.h"

namespace {

using Target = void (*)(const uint8_t*, size_t);

std::vector<uint8_t> file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Feeds every file under tests/fuzz/<folder>/<target>/ to `run`; returns how many there were.
int replay(const std::string& folder, const std::string& target, Target run) {
  const std::filesystem::path dir = "tests/fuzz/" + folder + "/" + target;
  int files = 0;
  if (!std::filesystem::is_directory(dir)) return files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().filename().string().front() == '.') continue;
    const std::vector<uint8_t> bytes = file_bytes(entry.path());
    INFO("input ", entry.path().string());
    CHECK_NOTHROW(run(bytes.data(), bytes.size()));
    ++files;
  }
  return files;
}

void replay_target(const std::string& target, Target run) {
  CHECK_MESSAGE(replay("corpus", target, run) > 0, "no seed inputs for ", target);
  replay("regressions", target, run);
}

}  // namespace

TEST_CASE("fuzz replay: the .pt reader reads or refuses every seed and past crash input") {
  replay_target("pt_reader", flowjet::fuzz::fuzz_pt_reader);
}

TEST_CASE("fuzz replay: the training INI parser reads or refuses every seed and past crash input") {
  replay_target("ini_config", flowjet::fuzz::fuzz_ini_config);
}

TEST_CASE("fuzz replay: the JetNet reader reads or refuses every seed and past crash input") {
  replay_target("jetnet_reader", flowjet::fuzz::fuzz_jetnet_reader);
}

TEST_CASE("fuzz replay: the checkpoint reader reads or refuses every seed and past crash input") {
  replay_target("checkpoint_reader", flowjet::fuzz::fuzz_checkpoint_reader);
}

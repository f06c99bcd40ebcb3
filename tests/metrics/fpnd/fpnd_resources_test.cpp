// The FPND resources (metrics/fpnd/fpnd_resources.h): the committed files match the SHA-256 sums in the
// code, in metrics/resources/fpnd/SHA256SUMS and in its README.md, an altered file is refused with
// a one-line error naming it and both sums, and the default directory is found from any working directory.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>

#include "engine/core/error.h"
#include "metrics/fpnd/fpnd.h"
#include "metrics/fpnd/fpnd_resources.h"
#include "tests/support/temp_dir.h"
#include "tests/metrics/fpnd/fpnd_jets.h"

using namespace flowjet;
using namespace flowjet::metrics;

namespace {

constexpr const char* kCommitted = "metrics/resources/fpnd";

// Sets (or with nullopt unsets) FLOWJET_FPND_DIR for one scope and restores it after.
class ScopedFpndEnv {
 public:
  explicit ScopedFpndEnv(const std::optional<std::string>& value) {
    if (const char* old = std::getenv("FLOWJET_FPND_DIR")) old_ = old;
    if (value)
      setenv("FLOWJET_FPND_DIR", value->c_str(), 1);
    else
      unsetenv("FLOWJET_FPND_DIR");
  }
  ~ScopedFpndEnv() {
    if (old_)
      setenv("FLOWJET_FPND_DIR", old_->c_str(), 1);
    else
      unsetenv("FLOWJET_FPND_DIR");
  }

 private:
  std::optional<std::string> old_;
};

// Runs in another working directory for one scope.
class ScopedWorkingDirectory {
 public:
  explicit ScopedWorkingDirectory(const std::string& path) : old_(std::filesystem::current_path()) {
    std::filesystem::current_path(path);
  }
  ~ScopedWorkingDirectory() { std::filesystem::current_path(old_); }

 private:
  std::filesystem::path old_;
};

// A copy of the committed resources in `to`.
void copy_resources(const std::string& to) {
  std::filesystem::create_directories(to);
  for (const FpndResourceFile& file : fpnd_resource_files())
    std::filesystem::copy_file(std::string(kCommitted) + "/" + file.name, to + "/" + file.name);
}

// The whole text of a committed file.
std::string read_text(const std::string& path) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("metrics/fpnd_resources: the committed files have the sums of the code, SHA256SUMS and the README") {
  const std::string readme = read_text(std::string(kCommitted) + "/README.md");
  const std::string sums = read_text(std::string(kCommitted) + "/SHA256SUMS");
  REQUIRE(fpnd_resource_files().size() == 7);
  std::string expected_sums;  // sha256sum's format: digest, two spaces, name
  for (const FpndResourceFile& file : fpnd_resource_files()) {
    CAPTURE(file.name);
    expected_sums += std::string(file.sha256) + "  " + file.name + "\n";
    // The README's table row: | `name` | bytes | sha256 | ...
    const std::regex row("\\| `" + std::regex_replace(file.name, std::regex("\\."), "\\.") +
                         "` \\| [0-9,]+ \\| ([0-9a-f]{64}) \\|");
    std::smatch match;
    REQUIRE(std::regex_search(readme, match, row));
    CHECK(match[1].str() == file.sha256);
    CHECK_NOTHROW(verify_fpnd_resource(kCommitted, file.name));
  }
  CHECK(sums == expected_sums);
  CHECK_THROWS_AS(verify_fpnd_resource(kCommitted, "README.md"), ConfigError);
}

TEST_CASE("metrics/fpnd_resources: an altered or missing file is refused, naming it and both sums") {
  test::TempDir dir;
  const std::string copy = dir.file("fpnd");
  copy_resources(copy);
  {
    std::ofstream(copy + "/g_mu.txt", std::ios::app) << "0.0\n";
  }
  std::string message;
  try {
    load_fpnd_statistics(copy, 'g');
  } catch (const DataError& e) {
    message = e.what();
  }
  CHECK(message.find(copy + "/g_mu.txt: SHA-256 ") == 0);
  CHECK(message.find("expected d8df76740af366d8c094b362cba5f0b6eca9f8516483b62734d80057b54b2219") !=
        std::string::npos);
  CHECK(message.find('\n') == std::string::npos);
  CHECK_NOTHROW(load_fpnd_statistics(copy, 'q'));  // the other files are untouched

  // The weights are checked too, before ParticleNet is built from them.
  {
    std::fstream weights(copy + "/pnet_state_dict.pt", std::ios::in | std::ios::out | std::ios::binary);
    weights.seekp(1000);
    weights.put('\x7f');
  }
  FpndOptions options;
  options.directory = copy;
  CHECK_THROWS_WITH_AS(fpnd(testing::deterministic_fpnd_jets(), 'q', options),
                       doctest::Contains("pnet_state_dict.pt: SHA-256 "), DataError);
  std::filesystem::remove(copy + "/t_sigma.txt");
  CHECK_THROWS_WITH_AS(load_fpnd_statistics(copy, 't'), doctest::Contains((copy + "/t_sigma.txt: cannot open").c_str()),
                       DataError);
}

TEST_CASE("metrics/fpnd_resources: the default directory is found from any working directory") {
  const std::string committed = std::filesystem::canonical(kCommitted).string();
  test::TempDir dir;
  {
    const ScopedFpndEnv no_override(std::nullopt);
    const ScopedWorkingDirectory elsewhere(dir.path());
    const std::string found = default_fpnd_directory();
    REQUIRE(has_fpnd_resources(found));
    CHECK(std::filesystem::canonical(found).string() == committed);
    // With no override, FpndOptions{} scores against the default resources.
    CHECK(fpnd(testing::deterministic_fpnd_jets(), 'g', FpndOptions{}) > 0.0);
  }
  {
    const ScopedFpndEnv override_dir(dir.file("elsewhere"));
    CHECK(fpnd_search_path() == std::vector<std::string>{dir.file("elsewhere")});
    CHECK(default_fpnd_directory() == dir.file("elsewhere"));
  }
}

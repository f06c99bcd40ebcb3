// The repository stands on its own: no source, test, script, configuration or build file names a
// path above the repository root (a clone in any folder must build and pass its tests).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

bool is_checked_file(const fs::path& path) {
  static const std::vector<std::string> endings{".cpp", ".h", ".cu", ".cuh", ".py", ".sh", ".ini", ".txt"};
  const std::string name = path.filename().string();
  if (name == "Makefile" || name == "run") return true;
  for (const std::string& ending : endings)
    if (name.size() >= ending.size() && name.compare(name.size() - ending.size(), ending.size(), ending) == 0)
      return true;
  return false;
}

}  // namespace

TEST_CASE("repository: no source, test or build file reaches outside the repository") {
  // Spelled in two pieces so that this file does not match itself.
  const std::string outside = std::string("../") + "shared";
  std::vector<std::string> offenders;
  std::vector<fs::path> roots{"engine", "flows", "data", "metrics", "tools", "tests", "configs", ".ci"};
  int64_t checked = 0;
  for (const fs::path& root : roots) {
    REQUIRE_MESSAGE(fs::is_directory(root), "run the tests from the repository root: no " << root);
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file() || !is_checked_file(entry.path())) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      ++checked;
      if (text.str().find(outside) != std::string::npos) offenders.push_back(entry.path().string());
    }
  }
  std::ifstream makefile("Makefile");
  std::stringstream make_text;
  make_text << makefile.rdbuf();
  if (make_text.str().find(outside) != std::string::npos) offenders.push_back("Makefile");
  CHECK(checked > 100);
  std::string list;
  for (const std::string& file : offenders) list += " " + file;
  CHECK_MESSAGE(offenders.empty(), "files that name " << outside << ":" << list);
}

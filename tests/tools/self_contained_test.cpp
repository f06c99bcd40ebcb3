// The repository stands on its own: no source, test, script, configuration or build file names a
// path above the repository root (a clone in any folder must build and pass its tests), and every
// citation in the code points at the project's own docs (docs/reference/), not at pages it lacks.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace fs = std::filesystem;

namespace {

bool is_checked_file(const fs::path& path) {
  static const std::vector<std::string> endings{".cpp", ".h", ".cu", ".cuh", ".py", ".sh", ".ini", ".txt", ".md"};
  const std::string name = path.filename().string();
  if (name == "Makefile" || name == "run") return true;
  for (const std::string& ending : endings)
    if (name.size() >= ending.size() && name.compare(name.size() - ending.size(), ending.size(), ending) == 0)
      return true;
  return false;
}

/// The text of every checked file under the source folders, by path.
std::vector<std::pair<std::string, std::string>> checked_files() {
  std::vector<std::pair<std::string, std::string>> files;
  const std::vector<fs::path> roots{"engine", "flows", "data", "metrics", "tools", "tests", "configs", ".ci"};
  for (const fs::path& root : roots) {
    REQUIRE_MESSAGE(fs::is_directory(root), "run the tests from the repository root: no " << root);
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file() || !is_checked_file(entry.path())) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      files.emplace_back(entry.path().string(), text.str());
    }
  }
  std::ifstream makefile("Makefile");
  std::stringstream make_text;
  make_text << makefile.rdbuf();
  files.emplace_back("Makefile", make_text.str());
  return files;
}

}  // namespace

TEST_CASE("repository: no source, test or build file reaches outside the repository") {
  // Spelled in two pieces so that this file does not match itself.
  const std::string outside = std::string("../") + "shared";
  std::vector<std::string> offenders;
  const auto files = checked_files();
  for (const auto& [path, text] : files)
    if (text.find(outside) != std::string::npos) offenders.push_back(path);
  const size_t checked = files.size();
  CHECK(checked > 100);
  std::string list;
  for (const std::string& file : offenders) list += " " + file;
  CHECK_MESSAGE(offenders.empty(), "files that name " << outside << ":" << list);
}

TEST_CASE("repository: code comments cite the reference pages of docs/reference, not outside pages") {
  // The page names of the specification the project was built from, which the repository does not
  // hold (spelled in pieces so that this file does not match itself); docs/reference/ has the
  // project's own pages with the same section numbers.
  const std::vector<std::string> outside_pages{std::string("flows") + ".md", std::string("training") + ".md",
                                               std::string("metrics") + ".md §", std::string("data") + ".md §"};
  std::string list;
  for (const auto& [path, text] : checked_files())
    for (const std::string& page : outside_pages)
      if (text.find(page) != std::string::npos) list += " " + path + " (" + page + ")";
  CHECK_MESSAGE(list.empty(), "files citing pages outside the repository:" << list);
  for (const char* page : {"docs/reference/flow-model.md", "docs/reference/training-recipe.md",
                           "docs/reference/metric-definitions.md", "docs/reference/jet-samples.md"})
    CHECK_MESSAGE(fs::is_regular_file(page), page);
}

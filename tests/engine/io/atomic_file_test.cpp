// Atomic text-file writes (engine/io/atomic_file.h): the file is replaced whole, no temporary
// file is left behind, and a failure names the path.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "engine/core/error.h"
#include "engine/io/atomic_file.h"
#include "tests/support/temp_dir.h"

using namespace flowjet;

TEST_CASE("io/atomic_file: writes, replaces, and fails cleanly naming the path") {
  test::TempDir dir;
  const std::string path = dir.file("out.json");
  write_text_file_atomically(path, "first\n");
  write_text_file_atomically(path, "second\n");
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  CHECK(text.str() == "second\n");
  CHECK(dir.listing() == std::vector<std::string>{"out.json"});  // no temporary file left behind
  CHECK_THROWS_WITH_AS(write_text_file_atomically(dir.file("missing/out.json"), "x"),
                       doctest::Contains("missing/out.json"), DataError);
  CHECK(dir.listing() == std::vector<std::string>{"out.json"});
}

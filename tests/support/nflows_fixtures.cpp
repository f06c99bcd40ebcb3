// Test helper of nflows_fixtures.h.
#include "tests/support/nflows_fixtures.h"

#include <cstdlib>
#include <filesystem>

#include <doctest/doctest.h>

namespace flowjet::test {

std::string nflows_fixture(const std::string& name) {
  const char* dir = std::getenv("FLOWJET_NFLOWS_FIXTURES");
  const std::string path = std::string(dir ? dir : "tests/fixtures/nflows") + "/" + name;
  if (!std::filesystem::exists(path))
    FAIL("nflows fixture '" << path << "' is missing: run from the repository root or set FLOWJET_NFLOWS_FIXTURES");
  return path;
}

}  // namespace flowjet::test

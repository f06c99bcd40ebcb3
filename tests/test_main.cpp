// Entry point shared by every doctest suite: runs the suite, then prints the gradient-check
// table when FLOWJET_GRADCHECK_TABLE is set (make gradcheck). FLOWJET_FPND_DIR is cleared first:
// the tests use the repository's FPND resources, never a copy elsewhere.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdlib>

#include "tests/support/gradcheck_table.h"

int main(int argc, char** argv) {
  unsetenv("FLOWJET_FPND_DIR");
  doctest::Context context(argc, argv);
  int rc = context.run();
  if (std::getenv("FLOWJET_GRADCHECK_TABLE")) flowjet::testing::print_gradcheck_table();
  return rc;
}

// Entry point shared by every doctest suite: runs the suite, then prints the gradient-check
// table when FLOWJET_GRADCHECK_TABLE is set (make gradcheck).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  return context.run();
}

// guarded_main of tool_main.h.
#include "tools/common/tool_main.h"

#include <cstdio>
#include <exception>

#include "engine/core/error.h"

namespace flowjet::tools {

int guarded_main(const char* program, int (*run)(int, char**), int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const Error& e) {
    std::fprintf(stderr, "%s: %s\n", program, e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: unexpected error: %s\n", program, e.what());
  }
  return 1;
}

}  // namespace flowjet::tools

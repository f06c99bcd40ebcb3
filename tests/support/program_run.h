// Running a built program (bin/logprob, ...) from a test: where it is, and its exit code with
// standard output and standard error kept apart.
#pragma once

#include <string>

#include "tests/support/temp_dir.h"

namespace flowjet::test {

/// bin/<name> beside the running test binary (bin/ or the sanitizer build's bin/).
std::string program_path(const std::string& name);

struct ProgramRun {
  int exit_code;    // -1 when the program did not exit normally
  std::string out;  // standard output
  std::string err;  // standard error
};

/// Runs the shell command `command` in the working directory; its two streams go through files in `dir`.
ProgramRun run_command(const TempDir& dir, const std::string& command);

}  // namespace flowjet::test

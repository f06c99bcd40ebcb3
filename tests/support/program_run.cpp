// Programs run through the shell, their streams captured in files (see program_run.h).
#include "tests/support/program_run.h"

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>

#include "tests/support/file_text.h"

namespace flowjet::test {

std::string program_path(const std::string& name) {
  return (std::filesystem::read_symlink("/proc/self/exe").parent_path() / name).string();
}

ProgramRun run_command(const TempDir& dir, const std::string& command) {
  const std::string out = dir.file("run_stdout.txt"), err = dir.file("run_stderr.txt");
  const int status = std::system(("(" + command + ") > " + out + " 2> " + err).c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, file_text(out), file_text(err)};
}

}  // namespace flowjet::test

#include "tools/common/output_path.h"

#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "tools/common/cli.h"

namespace flowjet::tools {

namespace fs = std::filesystem;

namespace {

// Two spellings of one file: the same canonical path, or (for hard links) the same inode.
bool same_file(const std::string& a, const std::string& b) {
  std::error_code error;
  if (fs::equivalent(a, b, error)) return true;
  const fs::path ca = fs::weakly_canonical(a, error);
  if (error) return false;
  const fs::path cb = fs::weakly_canonical(b, error);
  return !error && ca == cb;
}

}  // namespace

void check_output_path(const std::string& flag, const std::string& output, const std::vector<std::string>& inputs) {
  if (output.empty() || output.back() == '/') throw UsageError(fmt::format("{} \"{}\" is not a file name", flag, output));
  std::error_code error;
  if (fs::is_directory(output, error)) throw UsageError(fmt::format("{} \"{}\" is a directory", flag, output));
  const fs::path parent = fs::path(output).parent_path();
  if (!parent.empty() && !fs::is_directory(parent, error))
    throw UsageError(fmt::format("{} \"{}\": the folder \"{}\" does not exist", flag, output, parent.string()));
  for (const std::string& input : inputs)
    if (same_file(output, input))
      throw UsageError(fmt::format("{} \"{}\" is the input file \"{}\"; writing it would replace the input", flag,
                                   output, input));
}

void check_input_file(const std::string& flag, const std::string& input) {
  if (!fs::exists(input)) throw UsageError(fmt::format("{}: file '{}' does not exist", flag, input));
  if (fs::is_directory(input)) throw UsageError(fmt::format("{}: '{}' is a directory", flag, input));
}

}  // namespace flowjet::tools

// The files of a command-line program, checked before any work: an input exists and is a file; an
// output is not a directory, lies in a folder that exists, and is not one of the program's own input
// files under any spelling (relative path, "..", symbolic or hard link) — writing it would replace
// the input (the outputs are written to a temporary file and renamed over the target).
#pragma once

#include <string>
#include <vector>

namespace flowjet::tools {

/// Throws UsageError (exit status 2) naming `flag` (e.g. "-o", "--json") when `output` is empty or ends
/// in '/', is a directory, lies in a folder that does not exist, or is the same file as an existing
/// path of `inputs`.
void check_output_path(const std::string& flag, const std::string& output, const std::vector<std::string>& inputs);

/// Throws UsageError naming `flag` (e.g. "--real") when `input` does not exist or is a directory.
void check_input_file(const std::string& flag, const std::string& input);

}  // namespace flowjet::tools

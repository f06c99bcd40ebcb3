// The shared main() of the programs in tools/: run the tool, turn an exception into one line on
// stderr ("bin/NAME: message") and a non-zero exit code (style: the library never prints errors).
#pragma once

namespace flowjet::tools {

/// Returns run(argc, argv), or 1 after printing "<program>: <what>" when it throws.
int guarded_main(const char* program, int (*run)(int, char**), int argc, char** argv);

}  // namespace flowjet::tools

// Writing a whole text file so that readers never see a partial one: the text goes to a temporary
// file in the same directory, which is then renamed over the target.
#pragma once

#include <string>

namespace flowjet {

/// Writes `text` to `path` atomically (temporary "<path>.tmp.<pid>", flushed, renamed). On failure
/// the temporary file is removed and DataError names `path` and the reason.
void write_text_file_atomically(const std::string& path, const std::string& text);

}  // namespace flowjet

// Small text files of a run directory (configuration, rewritten log) written atomically.
#pragma once

#include <string>

namespace flowjet::flows {

/// Writes `text` to "<path>.tmp" then renames it over `path`, so readers never see a partial
/// file. Throws DataError naming the file on failure (the temporary file is removed).
void write_text_atomically(const std::string& path, const std::string& text);

}  // namespace flowjet::flows

// Writing a whole text file so that readers never see a partial one: the text goes to a temporary
// file in the same directory, which is then renamed over the target.
#pragma once

#include <string>
#include <vector>

namespace flowjet {

/// Writes `text` to `path` atomically (temporary "<path>.tmp.<pid>", flushed, renamed). On failure
/// the temporary file is removed and DataError names `path` and the reason.
void write_text_file_atomically(const std::string& path, const std::string& text);

/// Removes the temporary files "<path>.tmp-<pid>-<n>" that a writer of `path` killed before its
/// rename left behind (engine/io/checkpoint_write.cpp and data/jetnet_stream_writer.cpp name them so),
/// but only those whose process <pid> no longer runs: a live one may be another writer at work.
/// Returns the paths removed.
std::vector<std::string> remove_stale_temporaries(const std::string& path);

/// The same for every target in `folder`: each "<name>.tmp-<pid>-<n>" whose process no longer runs.
std::vector<std::string> remove_stale_temporaries_in(const std::string& folder);

}  // namespace flowjet

// Atomic text-file writes (atomic_file.h).
#include "engine/io/atomic_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>

#include "engine/core/error.h"

namespace flowjet {

void write_text_file_atomically(const std::string& path, const std::string& text) {
  const std::string temporary = fmt::format("{}.tmp.{}", path, static_cast<long>(getpid()));
  std::FILE* file = std::fopen(temporary.c_str(), "wb");
  if (file == nullptr)
    throw DataError(fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
  const bool written = std::fwrite(text.data(), 1, text.size(), file) == text.size();
  const bool flushed = std::fflush(file) == 0 && fsync(fileno(file)) == 0;
  const int saved_errno = errno;
  const bool closed = std::fclose(file) == 0;
  if (!written || !flushed || !closed) {
    std::remove(temporary.c_str());
    throw DataError(fmt::format("cannot write '{}': {}", path, std::strerror(saved_errno)));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const int rename_errno = errno;
    std::remove(temporary.c_str());
    throw DataError(fmt::format("cannot rename the temporary file onto '{}': {}", path, std::strerror(rename_errno)));
  }
}

namespace {

// The <pid> of "<pid>-<n>", or -1 when `suffix` is not of that form.
long writer_pid(const std::string& suffix) {
  const std::size_t dash = suffix.find('-');
  if (dash == 0 || dash == std::string::npos || dash + 1 == suffix.size()) return -1;
  for (std::size_t i = 0; i < suffix.size(); ++i)
    if (i != dash && (suffix[i] < '0' || suffix[i] > '9')) return -1;
  if (dash > 9) return -1;  // longer than any pid
  return std::stol(suffix.substr(0, dash));
}

// The stale temporaries in `folder` whose name starts with `prefix` (a target's "<name>.tmp-"), or,
// for an empty prefix, those of any target ("<anything>.tmp-<pid>-<n>").
std::vector<std::string> remove_stale(const std::filesystem::path& folder, const std::string& prefix) {
  namespace fs = std::filesystem;
  std::vector<std::string> removed;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder, error)) {
    const std::string name = entry.path().filename().string();
    const std::size_t tmp = prefix.empty() ? name.rfind(".tmp-") : 0;
    if (tmp == std::string::npos || name.compare(0, prefix.size(), prefix) != 0 || !entry.is_regular_file(error))
      continue;
    const long pid = writer_pid(name.substr(prefix.empty() ? tmp + 5 : prefix.size()));
    // kill(pid, 0) sends nothing; ESRCH says no such process exists.
    if (pid <= 0 || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    if (fs::remove(entry.path(), error)) removed.push_back(entry.path().string());
  }
  return removed;
}

}  // namespace

std::vector<std::string> remove_stale_temporaries(const std::string& path) {
  const std::filesystem::path target(path);
  return remove_stale(target.has_parent_path() ? target.parent_path() : std::filesystem::path("."),
                      target.filename().string() + ".tmp-");
}

std::vector<std::string> remove_stale_temporaries_in(const std::string& folder) { return remove_stale(folder, ""); }

}  // namespace flowjet

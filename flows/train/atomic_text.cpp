#include "flows/train/atomic_text.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "engine/core/error.h"

namespace flowjet::flows {

void write_text_atomically(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  std::error_code error;
  {
    std::ofstream out(temporary, std::ios::trunc | std::ios::binary);
    out << text;
    if (!out.flush()) {
      std::filesystem::remove(temporary, error);
      throw DataError(fmt::format("{}: cannot write", temporary));
    }
  }
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::filesystem::remove(temporary, error);
    throw DataError(fmt::format("{}: cannot replace the file: {}", path, error.message()));
  }
}

}  // namespace flowjet::flows

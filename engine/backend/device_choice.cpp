// Device selection: the name, the build and the machine.
#include "engine/backend/device_choice.h"

#include <fmt/format.h>

#include "engine/backend/cuda/runtime.h"
#include "engine/core/error.h"

namespace flowjet {

Device choose_device(const std::string& requested, const std::string& what, std::string& note) {
  note.clear();
  if (requested == "cpu") return Device::CPU;
  if (requested != "cuda" && requested != "auto")
    throw ConfigError(fmt::format("{} = \"{}\" must be cpu, cuda or auto", what, requested));
  if (cuda_available()) {
    if (requested == "auto") note = fmt::format("{} = auto: using CUDA ({})", what, cuda_device_description());
    return Device::CUDA;
  }
  if (requested == "cuda")
    throw ConfigError(fmt::format("{} = cuda: {}; use cpu or auto", what, cuda_unavailable_reason()));
  note = fmt::format("{} = auto: using the CPU ({})", what, cuda_unavailable_reason());
  return Device::CPU;
}

}  // namespace flowjet

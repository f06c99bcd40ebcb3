// Device selection for training.
#include "tools/common/device_choice.h"

#include <fmt/format.h>

#include "engine/backend/cuda/runtime.h"
#include "engine/core/error.h"

namespace flowjet::tools {

Device choose_training_device(const std::string& requested, std::string& note) {
  note.clear();
  if (requested == "cpu") return Device::CPU;
  if (requested != "cuda" && requested != "auto")
    throw ConfigError(fmt::format("[train] device = \"{}\" must be cpu, cuda or auto", requested));
  const std::string why = cuda_available()
                              ? fmt::format(
                                    "{} is present, but training on CUDA is not supported yet (the elementwise, "
                                    "reduction, gather and softmax ops and Adam have no CUDA kernel)",
                                    cuda_device_description())
                              : cuda_unavailable_reason();
  if (requested == "cuda") throw ConfigError(fmt::format("[train] device = cuda: {}; use device = cpu or auto", why));
  note = fmt::format("device = auto: training on the CPU ({})", why);
  return Device::CPU;
}

}  // namespace flowjet::tools

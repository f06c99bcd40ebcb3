// Device selection for training.
#include "tools/common/device_choice.h"

#include "engine/backend/device_choice.h"

namespace flowjet::tools {

Device choose_training_device(const std::string& requested, std::string& note) {
  return choose_device(requested, "[train] device", note);
}

}  // namespace flowjet::tools

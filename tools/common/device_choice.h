// train.device = cpu | cuda | auto, resolved against this build and machine.
#pragma once

#include <string>

#include "engine/core/device.h"

namespace flowjet::tools {

/// The device training runs on: choose_device (engine/backend/device_choice.h) for the key
/// [train] device. "cuda" throws ConfigError naming why it cannot be used (a build without CUDA,
/// no usable GPU); "auto" takes CUDA when usable, else the CPU, with `note` saying which and why.
Device choose_training_device(const std::string& requested, std::string& note);

}  // namespace flowjet::tools

// train.device = cpu | cuda | auto, resolved against this build and machine.
#pragma once

#include <string>

#include "engine/core/device.h"

namespace flowjet::tools {

/// The device training runs on. Training runs on the CPU only so far: several ops of the flow
/// (elementwise arithmetic, reductions, gather, softmax) and Adam have no CUDA kernel yet. So
/// "cuda" throws ConfigError saying why it cannot be used (no CUDA in this build, no usable GPU, or
/// the missing kernels), and "auto" returns CPU with `note` saying why.
Device choose_training_device(const std::string& requested, std::string& note);

}  // namespace flowjet::tools

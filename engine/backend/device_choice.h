// Resolving a device name from a configuration, a command line or an API option ("cpu", "cuda" or
// "auto") against this build and this machine.
#pragma once

#include <string>

#include "engine/core/device.h"

namespace flowjet {

/// "cpu" -> CPU. "cuda" -> CUDA when this build has the CUDA backend and a device is usable, else
/// ConfigError "<what> = cuda: <reason>; use cpu or auto" (the reason names a build without CUDA or
/// the missing device). "auto" -> CUDA when usable, else CPU; `note` then says which device was taken
/// and why ("<what> = auto: ..."), and is empty for "cpu" and "cuda". Any other name: ConfigError.
/// `what` names the setting in messages ("[train] device", "--device").
Device choose_device(const std::string& requested, const std::string& what, std::string& note);

}  // namespace flowjet

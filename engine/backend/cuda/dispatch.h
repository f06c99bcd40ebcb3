// The device branch of an op's dispatch: runs the CUDA launcher in a build with CUDA and throws
// "built without CUDA" otherwise. The launcher is never instantiated in a CPU-only build, so that build
// references no CUDA symbol; this is the only build switch an op's wiring goes through.
#pragma once

#include <string>

#include "engine/core/device.h"
#include "engine/core/error.h"

namespace flowjet {

/// Calls launch() when flowjet is built with CUDA; otherwise throws CudaError("<op>: flowjet was built without CUDA").
template <class Launch>
void cuda_branch(const char* op, Launch&& launch) {
  if constexpr (built_with_cuda()) {
    launch();
  } else {
    throw CudaError(std::string(op) + ": flowjet was built without CUDA (CUDA=0), cannot run on a CUDA tensor");
  }
}

}  // namespace flowjet

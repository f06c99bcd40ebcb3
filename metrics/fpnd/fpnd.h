// FPND, the Fréchet ParticleNet distance of generated jets to real jets of one type (spec
// metric-definitions.md §9): input scaling, ParticleNet's fc1 activations, Gaussian fit, Fréchet distance.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/device.h"
#include "metrics/jets/jet_array.h"

namespace flowjet::metrics {

struct FpndOptions {
  /// Directory holding pnet_state_dict.pt and {g,q,t}_{mu,sigma}.txt (jetnet's
  /// evaluation/fpnd_resources/jetnet/30_particles); empty: default_fpnd_directory(), the copy
  /// committed in metrics/resources/fpnd unless FLOWJET_FPND_DIR names another.
  std::string directory;
  /// Jets used: the first min(N, max_jets) in the given order. 50,000 is current jetnet's cap;
  /// 0 uses every jet, as jetnet 0.1.1 (the talk) did (metric-definitions.md §1 and 9.1 step 4).
  int64_t max_jets = 50000;
  /// Jets per ParticleNet forward pass; changes memory use and speed, not the result. Small batches
  /// keep the per-edge intermediates ([batch * 480, 256] float32, 16 MB at 32 jets) in cache.
  int64_t batch_size = 32;
  /// Where ParticleNet runs: Device::CUDA needs a CUDA build and a usable GPU (CudaError otherwise);
  /// pick it with choose_device (engine/backend/device_choice.h). On the GPU a larger batch_size
  /// (e.g. 1,000) keeps it busy; the result matches the CPU's to float32 rounding.
  Device device = Device::CPU;
};

/// FPND of `generated` ([N, 30, 3], eta_rel, phi_rel, pt_rel) against the reference statistics of
/// jet_type 'g', 'q' or 't' (metric-definitions.md §9.1). Appends jetnet's warning to *warnings (if given) when
/// fewer than 50,000 jets are used. The files' SHA-256 sums are checked before they are read.
/// Throws ConfigError (jet type, batch size), DataError (missing, altered or malformed resource
/// files, naming the file), ShapeError, NumericError
/// (non-finite input, naming the jet).
double fpnd(const JetArray& generated, char jet_type, const FpndOptions& options,
            std::vector<std::string>* warnings = nullptr);

}  // namespace flowjet::metrics

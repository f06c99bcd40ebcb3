// The embedding API of flowjet: load a trained jet model and generate or score jets, from any
// C++ program, with nothing but the standard library in sight. Installed by `make install` as
// <flowjet/jet_generator.h>; link with `pkg-config --libs flowjet` (docs/embedding.md).
// This header includes only standard headers: no HDF5, CUDA or fmt needed by the caller's code.
// (The name JetGenerator: flowjet::Generator is the engine's random number generator.)
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace flowjet {

/// Jets in the JetNet layout (jet-samples.md §1), row-major.
struct Jets {
  int64_t count = 0;
  int64_t particles = 0;
  /// [count, particles, 4]: eta_rel, phi_rel, pt_rel, mask (1 real, 0 padding; real particles first).
  std::vector<float> particle_features;
  /// [count, 4]: pt (GeV), eta, mass (GeV), num_particles.
  std::vector<float> jet_features;
};

/// A trained jet model, loaded once. Errors are thrown as std::runtime_error (flowjet::Error)
/// whose message names the file or the mismatch. Not safe to use from several threads at once;
/// the CPU threads used inside are set by FLOWJET_THREADS. A moved-from JetGenerator may only be
/// destroyed or assigned to.
class JetGenerator {
 public:
  /// Loads a checkpoint written by bin/train (flow, scaler, conditional sampler) and puts its flow
  /// on `device`: "cpu", "cuda" (throws when this build has no CUDA or no GPU is usable, saying
  /// which) or "auto" (CUDA when usable, else the CPU). Conditions, latent draws and the
  /// post-processing stay on the host either way.
  explicit JetGenerator(const std::string& checkpoint_path, const std::string& device = "cpu");
  ~JetGenerator();
  JetGenerator(JetGenerator&&) noexcept;
  JetGenerator& operator=(JetGenerator&&) noexcept;

  /// `count` new jets (training-recipe.md §9, as bin/sample: conditions from the model's sampler, zero
  /// beyond n, negative pt_rel clipped, jet pt 1000 GeV). Same seed, same jets.
  Jets sample(int64_t count, uint64_t seed);
  /// log p of each jet ([count]) in the model's scaled feature space, after training's
  /// preprocessing without noise (context from each jet's own mass and particle count).
  std::vector<double> log_prob(const Jets& jets);

  /// Particles per jet P.
  int64_t particles() const;
  /// Where the flow runs: "cpu" or "cuda" (what "auto" resolved to).
  std::string device() const;
  /// "vnf", "cnf_m", "cnf_mn", "ccnf_m", "ccnf_mn" (or "" for an imported model).
  std::string kind() const;
  /// "g", "q", "t", "w", "z", or "" when the checkpoint does not say.
  std::string jet_type() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flowjet

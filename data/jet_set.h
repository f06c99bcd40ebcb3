// In-memory JetNet jets (jet-samples.md §1.3–1.4) as plain float arrays with explicit shapes, and the
// jet type with its class index (g = 0, q = 1, t = 2, w = 3, z = 4; jet-samples.md §1.4).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flowjet::data {

enum class JetType { G = 0, Q = 1, T = 2, W = 3, Z = 4 };

/// "g", "q", "t", "w" or "z".
const char* to_string(JetType type);
/// Class index in the order g, q, t, w, z.
inline int class_index(JetType type) { return static_cast<int>(type); }
/// Parses "g".."z"; std::nullopt for anything else.
std::optional<JetType> parse_jet_type(const std::string& name);
/// Type from a file name: g, q, t, w or z, optionally followed by 150, extension .hdf5 or .h5
/// (any directory part is ignored). std::nullopt when the name does not fit.
std::optional<JetType> jet_type_from_file_name(const std::string& path);

/// Feature indices inside particle_features[i, k, :] and jet_features[i, :].
enum ParticleFeature { kEtaRel = 0, kPhiRel = 1, kPtRel = 2, kMask = 3 };
enum JetFeature { kJetPt = 0, kJetEta = 1, kJetMass = 2, kJetNumParticles = 3 };
inline constexpr int64_t kParticleFeatureCount = 4;
inline constexpr int64_t kJetFeatureCount = 4;
extern const char* const kParticleFeatureNames[4];  // eta_rel, phi_rel, pt_rel, mask
extern const char* const kJetFeatureNames[4];       // pt, eta, mass, num_particles

/// Jets of one type. particle_features: [jets, particles, 4] (eta_rel, phi_rel, pt_rel, mask);
/// jet_features: [jets, 4] (pt GeV, eta, mass GeV, num_particles as float). Row-major.
struct JetSet {
  int64_t jets = 0;
  int64_t particles = 0;
  std::vector<float> particle_features;
  std::vector<float> jet_features;
  JetType type = JetType::G;
  /// When the reader capped num_particles at the requested particle count, the raw values
  /// ([jets]); empty otherwise.
  std::vector<float> num_particles_raw;

  /// Allocates zeroed arrays for `jets` x `particles`.
  static JetSet zeros(int64_t jets, int64_t particles, JetType type);

  float& particle(int64_t jet, int64_t slot, int feature) {
    return particle_features[static_cast<size_t>((jet * particles + slot) * 4 + feature)];
  }
  float particle(int64_t jet, int64_t slot, int feature) const {
    return particle_features[static_cast<size_t>((jet * particles + slot) * 4 + feature)];
  }
  float& jet(int64_t index, int feature) { return jet_features[static_cast<size_t>(index * 4 + feature)]; }
  float jet(int64_t index, int feature) const { return jet_features[static_cast<size_t>(index * 4 + feature)]; }

  /// Number of real particles (mask == 1 slots) of one jet.
  int64_t real_particles(int64_t jet) const;
};

}  // namespace flowjet::data

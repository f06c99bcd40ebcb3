// Content checks of jet-samples.md §4.3. Each check counts its offenders and keeps the message of the
// first one; messages name the file, the dataset, the jet (0-based), slot and feature.
#include "data/jetnet_validate.h"

#include <fmt/format.h>

#include <cmath>
#include <utility>

#include "data/jet_set.h"

namespace flowjet::data {

namespace {
constexpr double kPi = 3.14159265358979323846;
}

JetNetValidator::JetNetValidator(std::string path, int64_t particles, bool strict)
    : path_(std::move(path)), particles_(particles), strict_(strict) {}

void JetNetValidator::record(Check check, const std::string& message) {
  Tally& tally = tallies_[check];
  if (tally.count == 0) tally.first = message;
  ++tally.count;
}

void JetNetValidator::check_block(const float* particles, const float* jet_rows, int64_t first_jet,
                                  int64_t jets) {
  for (int64_t j = 0; j < jets; ++j) {
    check_jet(particles + j * particles_ * 4, jet_rows + j * 4, first_jet + j);
  }
}

void JetNetValidator::check_jet(const float* slots, const float* jet_row, int64_t jet) {
  const std::string where = fmt::format("'{}': dataset 'particle_features': jet {}", path_, jet);
  // C1: non-finite values; a jet with any is not checked further.
  bool finite = true;
  for (int64_t k = 0; k < particles_ && finite; ++k) {
    for (int f = 0; f < 4; ++f) {
      if (!std::isfinite(slots[k * 4 + f])) {
        record(kC1Particles, fmt::format("{}, particle {}, feature '{}' is {}", where, k,
                                         kParticleFeatureNames[f], slots[k * 4 + f]));
        finite = false;
        break;
      }
    }
  }
  for (int f = 0; f < 4; ++f) {
    if (!std::isfinite(jet_row[f])) {
      record(kC1Jets, fmt::format("'{}': dataset 'jet_features': jet {}, feature '{}' is {}", path_,
                                  jet, kJetFeatureNames[f], jet_row[f]));
      finite = false;
      break;
    }
  }
  if (!finite) return;

  int64_t real = 0;
  int64_t first_padding = -1;
  bool mask_ok = true;
  double pt_sum = 0.0;
  for (int64_t k = 0; k < particles_; ++k) {
    const float* s = slots + k * 4;
    const float eta = s[kEtaRel], phi = s[kPhiRel], pt = s[kPtRel], mask = s[kMask];
    if (mask != -0.5f && mask != 0.5f) all_masks_half_ = false;
    if (mask != 0.0f && mask != 1.0f) {  // C2 (keep scanning: C3 needs every mask value)
      if (mask_ok) record(kC2, fmt::format("{}, particle {}: mask must be 0 or 1 but is {}", where, k, mask));
      mask_ok = false;
      continue;
    }
    if (mask == 0.0f) {
      if (first_padding < 0) first_padding = k;
      if (eta != 0.0f || phi != 0.0f || pt != 0.0f) {  // C5
        record(kC5, fmt::format("{}, slot {}: mask is 0 but features are ({}, {}, {}), expected all zero",
                                where, k, eta, phi, pt));
      }
      continue;
    }
    ++real;
    if (first_padding >= 0) {  // C4
      record(kC4, fmt::format("{}: real particle in slot {} after padding slot {}; real particles must come first",
                              where, k, first_padding));
      first_padding = -1;  // report a gap once per jet
    }
    if (!(pt > 0.0f) || pt > 1.01f) {  // C6
      record(kC6, fmt::format("{}, particle {}: pt_rel = {} outside (0, 1]; pt_rel must be particle pt / jet pt",
                              where, k, pt));
    }
    if (k + 1 < particles_ && slots[(k + 1) * 4 + kMask] == 1.0f) {  // C8
      const double next = slots[(k + 1) * 4 + kPtRel];
      if (next > static_cast<double>(pt) * (1.0 + 1e-6) + 1e-9) {
        record(kC8, fmt::format("{}: particles not ordered by decreasing pt_rel at slot {} ({} < {})",
                                where, k + 1, pt, static_cast<float>(next)));
      }
    }
    if (std::fabs(phi) > kPi + 1e-6) {  // C11
      record(kC11, fmt::format("{}, particle {}: phi_rel = {} outside [-pi, pi]", where, k, phi));
    }
    if (std::fabs(eta) > 5.0f) {  // C12
      record(kC12, fmt::format("{}, particle {}: eta_rel = {} is implausible (|eta_rel| > 5)", where, k, eta));
    }
    if (std::fabs(phi) > 1.0f || std::fabs(eta) > 2.0f) {  // W11
      record(kW11, "");
      max_abs_eta_ = std::max(max_abs_eta_, static_cast<double>(std::fabs(eta)));
      max_abs_phi_ = std::max(max_abs_phi_, static_cast<double>(std::fabs(phi)));
    }
    pt_sum += pt;
  }
  if (!mask_ok) return;
  if (real == 0) record(kC10, fmt::format("{} has no particles (every mask is 0)", where));
  if (pt_sum > 1.2) {  // C7
    record(kC7, fmt::format("{}: sum of pt_rel is {} (> 1.2); pt_rel does not look normalised to the jet pt",
                            where, pt_sum));
  }
  pt_sum_total_ += pt_sum;
  ++jets_seen_;

  // Jet features: C13, W13, C9.
  const std::string jet_where = fmt::format("'{}': dataset 'jet_features': jet {}", path_, jet);
  const float pt = jet_row[kJetPt], eta = jet_row[kJetEta], mass = jet_row[kJetMass];
  const float n = jet_row[kJetNumParticles];
  if (!(pt > 0.0f)) {
    record(kC13, fmt::format("{}: pt = {} is invalid (jet pt must be > 0)", jet_where, pt));
  } else if (mass < -1e-3f * pt) {
    record(kC13, fmt::format("{}: mass = {} is invalid (mass must be >= -1e-3 * pt)", jet_where, mass));
  } else if (n < 0.0f || n != std::floor(n)) {
    record(kC13, fmt::format("{}: num_particles = {} is invalid (must be a non-negative integer)",
                             jet_where, n));
  } else {
    const int64_t expected = std::min<int64_t>(static_cast<int64_t>(n), particles_);
    if (real != expected) {
      record(kC9, fmt::format("{}: {} real particles but num_particles = {} (expected min(n, P) = {})",
                              where, real, static_cast<int64_t>(n), expected));
    }
  }
  if (pt < 300.0f || pt > 5000.0f || std::fabs(eta) > 3.0f) record(kW13, "");
}

void JetNetValidator::finish(std::vector<std::string>* warnings) {
  // Dataset-level warnings become tallies so that strict mode can promote them.
  if (jets_seen_ > 0) {
    const double mean_sum = pt_sum_total_ / static_cast<double>(jets_seen_);
    if (mean_sum < 0.5 || mean_sum > 1.05) {
      record(kW7, fmt::format("'{}': dataset 'particle_features': mean sum of pt_rel is {:.4f}, "
                              "expected 0.85-1.0 for JetNet-like jets", path_, mean_sum));
    }
  }
  if (tallies_[kW11].count > 0) {
    tallies_[kW11].first = fmt::format(
        "'{}': dataset 'particle_features': {} particles lie further than expected from the jet axis "
        "(max abs eta_rel {:.3f}, max abs phi_rel {:.3f})", path_, tallies_[kW11].count, max_abs_eta_,
        max_abs_phi_);
  }
  if (tallies_[kW13].count > 0) {
    tallies_[kW13].first = fmt::format(
        "'{}': dataset 'jet_features': {} jets have pt or eta outside the range expected for ~1 TeV "
        "JetNet jets (300-5000 GeV, |eta| <= 3)", path_, tallies_[kW13].count);
  }

  struct Rule {
    Check check;
    DataErrorKind kind;
    bool is_warning;
    const char* unit;
  };
  const Rule rules[] = {
      {kC1Particles, DataErrorKind::NonFinite, false, "jets with non-finite values"},
      {kC1Jets, DataErrorKind::NonFinite, false, "jets with non-finite values"},
      {kC2, DataErrorKind::BadMask, false, "jets with bad mask values"},
      {kC4, DataErrorKind::BadMask, false, "jets with gaps in the mask"},
      {kC5, DataErrorKind::BadPadding, false, "non-zero padding slots"},
      {kC6, DataErrorKind::OutOfRange, false, "particles with pt_rel out of range"},
      {kC7, DataErrorKind::OutOfRange, false, "jets with sum of pt_rel > 1.2"},
      {kC8, DataErrorKind::BadOrdering, false, "ordering violations"},
      {kC10, DataErrorKind::Inconsistent, false, "jets without particles"},
      {kC11, DataErrorKind::OutOfRange, false, "particles with phi_rel out of range"},
      {kC12, DataErrorKind::OutOfRange, false, "particles with implausible eta_rel"},
      {kC13, DataErrorKind::OutOfRange, false, "jets with invalid jet features"},
      {kC9, DataErrorKind::Inconsistent, true, "jets whose mask count disagrees with num_particles"},
      {kW7, DataErrorKind::OutOfRange, true, nullptr},
      {kW11, DataErrorKind::OutOfRange, true, nullptr},
      {kW13, DataErrorKind::OutOfRange, true, nullptr},
  };
  for (const Rule& rule : rules) {
    const Tally& tally = tallies_[rule.check];
    if (tally.count == 0) continue;
    std::string message = tally.first;
    if (rule.unit != nullptr) message += fmt::format(" ({} {} in total)", tally.count, rule.unit);
    if (rule.check == kC2 && all_masks_half_) {
      message += "; this looks like the legacy +-0.5 mask convention; convert with mask + 0.5";
    }
    if (!rule.is_warning) throw JetNetError(rule.kind, message);
    if (strict_) throw JetNetError(rule.kind, message + " (an error in strict mode)");
    if (warnings != nullptr) warnings->push_back(message);
  }
}

}  // namespace flowjet::data

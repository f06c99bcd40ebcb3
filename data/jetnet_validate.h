// Content checks of a JetNet file (jet-samples.md §4.3, checks C1–C13 and warnings W7, W9, W11, W13),
// run block by block while the reader converts data, in one O(jets × particles) pass.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/data_error.h"

namespace flowjet::data {

/// Accumulates per-check counts and the first offending location over all blocks; finish()
/// throws the first failing error check (table order of jet-samples.md §4.3) or returns the warnings.
/// In strict mode the warnings W7, W9 (C9), W11 and W13 are errors too.
class JetNetValidator {
 public:
  /// `path` is used in messages; `particles` is the number of slots per jet in the blocks.
  JetNetValidator(std::string path, int64_t particles, bool strict);

  /// Checks jets [first_jet, first_jet + jets): particles [jets, particles, 4], jet_rows [jets, 4].
  void check_block(const float* particles, const float* jet_rows, int64_t first_jet, int64_t jets);

  /// Throws JetNetError for the first failing check; otherwise appends warnings to `warnings`
  /// (may be null).
  void finish(std::vector<std::string>* warnings);

 private:
  struct Tally {
    int64_t count = 0;
    std::string first;
  };
  enum Check {
    kC1Particles, kC1Jets, kC2, kC4, kC5, kC6, kC7, kC8, kC10, kC11, kC12, kC13, kC9, kW7, kW11, kW13,
    kCheckCount
  };
  void record(Check check, const std::string& message);
  void check_jet(const float* slots, const float* jet_row, int64_t jet);

  std::string path_;
  int64_t particles_;
  bool strict_;
  Tally tallies_[kCheckCount];
  bool all_masks_half_ = true;  // every mask value in {-0.5, +0.5}: legacy convention (C3)
  double pt_sum_total_ = 0.0;
  int64_t jets_seen_ = 0;
  double max_abs_eta_ = 0.0;
  double max_abs_phi_ = 0.0;
};

}  // namespace flowjet::data

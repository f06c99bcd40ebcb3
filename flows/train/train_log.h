// The CSV log of a training run: one row per log interval (and per validation), flushed as it is
// written, so a crashed run keeps its history and a resumed one continues the same file.
#pragma once

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>

namespace flowjet::flows {

struct LogRow {
  int64_t step = 0;  // optimiser steps done
  int64_t epoch = 0;
  double nll = 0.0;                 // mean L_nll of the steps since the previous row
  std::optional<double> mass_loss;  // mean L_mass of those steps (CCNF models)
  double lr = 0.0;
  double jets_per_second = 0.0;   // jets / time inside the steps since the previous row
  double elapsed_seconds = 0.0;   // since the start of the run, resumed sessions included
  int64_t bad_steps = 0;          // skipped steps so far
  std::optional<double> val_nll;  // when validated at this step
};

/// Column names in order.
inline constexpr const char* kTrainLogHeader = "step,epoch,nll,mass_loss,lr,jets_per_s,elapsed,bad_steps,val_nll";

class TrainLog {
 public:
  /// Opens `path` for appending (writing the header into a new file). With keep_up_to_step, first
  /// drops the rows of steps after it (a resumed run repeats those steps), rewriting atomically.
  /// Throws DataError naming the file when it cannot be read or written.
  explicit TrainLog(const std::string& path, std::optional<int64_t> keep_up_to_step = std::nullopt);
  void append(const LogRow& row);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::ofstream out_;
};

}  // namespace flowjet::flows

// The progress display of bin/train on stderr: one line rewritten in place (\r) when stderr is a
// terminal, otherwise one line per log interval; notes (skipped steps, validation, checkpoints)
// on lines of their own.
#pragma once

#include <cstdio>
#include <string>

#include "flows/train/training_run.h"

namespace flowjet::tools {

/// "1:02:03" (hours:minutes:seconds), or "-" for a negative or non-finite time.
std::string format_duration(double seconds);
/// "6,560,490".
std::string format_count(int64_t value);

class ProgressPrinter : public flows::TrainingObserver {
 public:
  /// `interactive`: rewrite one line in place (a terminal); otherwise print at log intervals.
  ProgressPrinter(std::FILE* out, bool interactive) : out_(out), interactive_(interactive) {}
  /// A printer on stderr, interactive when stderr is a terminal.
  static ProgressPrinter for_stderr();

  void on_step(const flows::StepProgress& p) override;
  void on_log(const flows::LogRow& row) override;
  void on_message(const std::string& message) override;
  /// Ends the in-place line (before other output).
  void finish_line();

 private:
  std::FILE* out_;
  bool interactive_;
  bool line_open_ = false;
  double last_draw_ = -1.0;
  flows::StepProgress last_;
};

}  // namespace flowjet::tools

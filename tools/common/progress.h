// The progress display of the command-line tools on stderr: one line rewritten in place (\r) when
// stderr is a terminal, otherwise whole lines at intervals; notes (skipped steps, validation,
// checkpoints) on lines of their own. bin/train shows optimiser steps (ProgressPrinter), bin/sample
// counts jets (CountProgress); both draw through one StatusLine.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

#include "flows/train/training_run.h"

namespace flowjet::tools {

/// "1:02:03" (hours:minutes:seconds), or "-" for a negative or non-finite time.
std::string format_duration(double seconds);
/// "6,560,490".
std::string format_count(int64_t value);

/// One status line on a stream. `interactive` (a terminal): redraw() rewrites the open line in
/// place; otherwise callers print whole lines only.
class StatusLine {
 public:
  StatusLine(std::FILE* out, bool interactive) : out_(out), interactive_(interactive) {}
  /// A line on stderr, interactive when stderr is a terminal.
  static StatusLine for_stderr();

  bool interactive() const { return interactive_; }
  /// Rewrites the open line with `text` ("\r<text>", the rest of the old line erased).
  void redraw(const std::string& text);
  /// `text` on a line of its own, after ending the open line.
  void print(const std::string& text);
  /// Ends the in-place line (before other output).
  void finish_line();

 private:
  std::FILE* out_;
  bool interactive_;
  bool line_open_ = false;
};

/// bin/train's progress: step/total, NLL, mass loss, jets/s, elapsed and ETA; redrawn at most ten
/// times a second on a terminal, one line per log row otherwise.
class ProgressPrinter : public flows::TrainingObserver {
 public:
  /// An interactive `line` (a terminal) is rewritten in place; otherwise lines come at log intervals.
  explicit ProgressPrinter(StatusLine line) : line_(line) {}
  /// A printer on stderr, interactive when stderr is a terminal.
  static ProgressPrinter for_stderr();

  void on_step(const flows::StepProgress& p) override;
  void on_log(const flows::LogRow& row) override;
  void on_message(const std::string& message) override;
  /// Ends the in-place line (before other output).
  void finish_line() { line_.finish_line(); }

 private:
  StatusLine line_;
  double last_draw_ = -1.0;
  flows::StepProgress last_;
};

/// Progress of a run that makes `total` items: "<label>: 12345/100000 <unit> (12.3 %), 4321
/// <unit>/s, ETA 21 s"; redrawn at every update on a terminal (the line ends when done == total),
/// one line per tenth of the run otherwise. The clock starts at construction.
class CountProgress {
 public:
  CountProgress(StatusLine line, std::string label, std::string unit);

  void update(int64_t done, int64_t total);
  /// Seconds since construction.
  double elapsed() const;

 private:
  StatusLine line_;
  std::string label_, unit_;
  std::chrono::steady_clock::time_point start_;
  int64_t last_tenth_ = 0;
};

}  // namespace flowjet::tools

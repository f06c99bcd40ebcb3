// A whole training run in a run directory: the step loop with validation, the CSV log, periodic,
// best-validation and final checkpoints, the stop after too many bad steps, and resuming.
//
// Run directory layout:
//   config.ini                  effective configuration (written by bin/train)
//   train_log.csv               one row per log interval and per validation (train_log.h)
//   checkpoints/step_<N>.h5     periodic checkpoints (output.checkpoint_every)
//   checkpoints/best.h5         lowest validation NLL so far
//   checkpoints/last.h5         the latest state written; --resume continues from it
//   final.h5                    the state after max_steps
//   generated.h5                end-of-run jets in the JetNet layout (bin/train)
// Every checkpoint is a jet-model file (bin/sample reads it) with the training state.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "engine/io/checkpoint.h"
#include "flows/train/train_log.h"
#include "flows/train/trainer.h"

namespace flowjet::flows {

struct RunPaths {
  explicit RunPaths(std::string root_dir) : root(std::move(root_dir)) {}
  std::string root;
  std::string config() const { return root + "/config.ini"; }
  std::string log() const { return root + "/train_log.csv"; }
  std::string checkpoints() const { return root + "/checkpoints"; }
  std::string last() const { return checkpoints() + "/last.h5"; }
  std::string best() const { return checkpoints() + "/best.h5"; }
  std::string periodic(int64_t step) const;
  std::string final_model() const { return root + "/final.h5"; }
  std::string generated() const { return root + "/generated.h5"; }
  std::string evaluation() const { return root + "/evaluation.json"; }
  std::string report() const { return root + "/report.html"; }
  std::string truth_floor() const { return root + "/truth_floor.json"; }
};

/// Progress after each optimiser step, for a progress line.
struct StepProgress {
  int64_t step = 0;
  int64_t max_steps = 0;
  double nll = 0.0;
  std::optional<double> mass_loss;
  double jets_per_second = 0.0;  // training throughput of this session (time inside the steps)
  double elapsed_seconds = 0.0;  // resumed sessions included
  double eta_seconds = 0.0;
};

/// Receives what a run reports; the default ignores everything.
class TrainingObserver {
 public:
  virtual ~TrainingObserver() = default;
  virtual void on_step(const StepProgress&) {}
  virtual void on_log(const LogRow&) {}
  /// Notes: skipped steps, validation, checkpoints, the stop.
  virtual void on_message(const std::string&) {}
};

struct RunSettings {
  bool resume = false;  // continue from checkpoints/last.h5 of the run directory
  Attributes extra;     // stored in every checkpoint (e.g. "train.config")
  // Non-empty: written to config.ini (rank 0) once the directory is checked (fresh, or resumed).
  std::string config_ini;
  // Polled after every step: a non-zero value (the number of the signal that asked, e.g. SIGINT)
  // ends the run there, with the step's log row and checkpoints/last.h5 written.
  const std::atomic<int>* interrupt = nullptr;
};

struct RunSummary {
  int64_t steps = 0;
  bool completed = false;   // max_steps reached
  std::string stop_reason;  // why not, otherwise empty
  int interrupted_by = 0;   // the value of RunSettings::interrupt that ended the run, else 0
  std::optional<double> final_validation;
  std::optional<double> best_validation;
  int64_t best_step = -1;
  int64_t bad_steps = 0;
  double elapsed_seconds = 0.0;  // resumed sessions included
  double jets_per_second = 0.0;  // training throughput of this session (time inside the steps)
};

/// Throws ConfigError when `paths` already hold a run (a log or checkpoints/last.h5), which a fresh
/// run would overwrite; the message points to --resume.
void check_fresh_run_directory(const RunPaths& paths);

/// Trains until options.max_steps optimiser steps are done, should_stop() or an interrupt; writes
/// the log and checkpoints under `paths` (creating the directories). A fresh run refuses a directory
/// that already holds a run; resume restores checkpoints/last.h5 (train.* attributes included),
/// removes the temporary files of checkpoint writes that a killed process left behind (naming them)
/// and continues the log. Throws CheckpointError/DataError naming the file on I/O problems.
/// In a data-parallel run (a Trainer with a communicator) every rank calls this; rank 0 alone
/// validates and writes the log and checkpoints, the others only step.
RunSummary run_training(Trainer& trainer, const RunPaths& paths, const RunSettings& settings,
                        TrainingObserver& observer);

}  // namespace flowjet::flows

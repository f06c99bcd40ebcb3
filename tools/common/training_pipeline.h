// bin/train's whole pipeline as one call, shared by tools/train.cpp and the Python package's
// flowjet.train (python/src/training.cpp): configuration and overrides, device, data, trainer, the
// run directory, training, then the end-of-run generation, evaluation and truth floor
// (docs/train.md). Under `mpirun -np N` with train.distributed = mpi|nccl each rank calls it
// (docs/distributed.md): rank 0 prints, writes the run directory and evaluates.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "flows/train/training_run.h"

namespace flowjet::tools {

struct TrainingPipelineOptions {
  std::string config;                  // the INI file; empty: resume_dir's config.ini
  std::vector<std::string> overrides;  // "section.key=value", applied in order after the file
  std::string resume_dir;              // continue this run directory; empty: a fresh run
  bool dry_run = false;                // print the plan and the predicted peak memory, train nothing
  std::string program = "bin/train";   // names the caller in messages
  // Called (single-process runs only; under mpirun, mpirun owns the signals) just before training:
  // installs the SIGINT/SIGTERM handling and returns the flag it sets. Empty: no interrupt handling.
  std::function<const std::atomic<int>*()> install_interrupt;
  // Called when training is over (generation and scoring have no clean stopping point; --resume
  // redoes them). Empty: nothing.
  std::function<void()> restore_interrupt;
};

struct TrainingPipelineResult {
  int exit_status = 0;   // 0 done (or a dry run), 3 stopped after too many bad steps, 128 + signal
  bool lead = true;      // this process is rank 0: it reports and owns the run directory
  bool trained = false;  // run_training ran (false: a dry run)
  flows::RunSummary summary;
  std::string run_dir;
  std::string generated;    // the generated jets' file, empty when eval.generate = false
  std::string evaluation;   // evaluation.json, empty when not evaluated
  std::string truth_floor;  // truth_floor.json, empty when not scored
  std::string report;       // report.html, empty when not written
};

/// Runs bin/train's pipeline; prints the plan and the end-of-run lines to stdout and progress to
/// stderr as bin/train does. The caller reports an interrupted or diverged run (see `summary`).
/// Throws ConfigError/DataError/CheckpointError naming the file or key at fault; on several ranks
/// an error ends the whole job (dist::abort_job), as the others would wait for this rank.
TrainingPipelineResult run_training_pipeline(const TrainingPipelineOptions& options);

}  // namespace flowjet::tools

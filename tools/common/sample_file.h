// bin/sample's run as one call, for tools/sample.cpp and for programs that embed the library: load a
// jet model, generate jets batch by batch (from the model's sampler or a conditions file) and stream
// them into a JetNet HDF5 file, written atomically (docs/sampling.md, docs/embedding.md).
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "flows/generate.h"

namespace flowjet::tools {

struct SampleFileOptions {
  std::string checkpoint;  // a jet-model checkpoint written by bin/train
  std::string output;      // the JetNet file to write; its folder must exist
  // Jets to generate. With `conditions`: empty for one jet per condition, or a multiple of their
  // number (each condition repeated). Without: required.
  std::optional<int64_t> count;
  std::optional<std::string> conditions;  // text rows "mass n" or a JetNet .h5 file (docs/sampling.md)
  int threads = 0;                        // CPU threads; 0: keep num_threads() (FLOWJET_THREADS or all cores)
  std::string device = "cpu";             // where the flow runs: "cpu", "cuda" or "auto"
  flows::GenerateOptions generate;        // seed, batch size, jet pt, pt_rel cut (progress is the run's own)
  std::string program = "sample";         // the prefix of the messages on stderr
  // Polled after each batch: when it holds a signal number, the run stops there and the partial file
  // is removed. Null: never stops early.
  const std::atomic<int>* interrupt = nullptr;
};

struct SampleFileResult {
  int exit_status = 0;     // 0 done, 128 + signal when interrupted (then nothing is written)
  int64_t jets = 0;        // jets written (when interrupted: made before the stop)
  int64_t particles = 0;   // particles per jet
  int64_t empty_jets = 0;  // jets with no particle left (every slot padding)
  double seconds = 0;      // generating and writing
};

/// Generates and writes the jets, with progress, notes and the closing line ("<program>: wrote ...")
/// on stderr as bin/sample prints them. Refuses (UsageError) a count whose file would not fit in the
/// output's file system; removes temporaries of the output left by a killed writer. Throws
/// CheckpointError/DataError/ConfigError naming the file, key or device at fault.
SampleFileResult sample_file(const SampleFileOptions& options);

}  // namespace flowjet::tools

// bin/evaluate's run as one call, for tools/evaluate.cpp and for programs that embed the library:
// read a file of real and one of generated jets (JetNet HDF5 layout), score them with
// metrics::evaluate, print the talk's table row, and write the raw numbers as JSON and the plots as
// an HTML report (docs/evaluation.md, docs/embedding.md).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "data/jet_set.h"
#include "metrics/evaluation/evaluation.h"

namespace flowjet::tools {

struct EvaluateFilesOptions {
  std::string real_path;       // the real jets
  std::string generated_path;  // the generated jets
  int64_t particles = 30;      // particles per jet to read; 0: all stored
  // The jets' type: names the files' type in the readers' messages and, when it is g, q or t and
  // evaluation.jet_type is unset, selects FPND's reference statistics. Empty: from the real file's
  // name (g.hdf5, q150.h5, ...), else the generated file's.
  std::optional<data::JetType> jet_type;
  metrics::EvaluationOptions evaluation;
  std::string json_path;    // where the raw values go (written atomically); empty: not written
  std::string report_path;  // where the HTML report goes (written atomically); empty: not written
  std::string program = "evaluate";  // the prefix of the messages on stderr
  // Called once the metrics are computed, before any output is written: installs the SIGINT/SIGTERM
  // handling and returns the flag it sets. Outputs not begun when the flag is set are skipped (each
  // output is whole: a temporary and a rename). Empty: no interrupt handling.
  std::function<const std::atomic<int>*()> install_interrupt;
};

struct EvaluateFilesResult {
  int exit_status = 0;  // 0 done, 128 + signal when interrupted before every output was written
  metrics::EvaluationResult result;
  std::vector<std::string> written;  // the outputs written, in order
};

/// Reads both files, prints the readers' warnings, a line naming the samples and settings, the
/// evaluation's warnings and timings to stderr and the table row (and FPD's least-squares
/// diagnostic when computed) to stdout, then writes the JSON and the report, saying so on stderr.
/// Throws JetNetError/DataError naming the file, ConfigError for a bad selection or FPND resources,
/// ShapeError/NumericError from the metrics for malformed jets.
EvaluateFilesResult evaluate_files(const EvaluateFilesOptions& options);

}  // namespace flowjet::tools

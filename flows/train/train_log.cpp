// CSV rows with empty cells for absent values; resumed runs cut the rows they will repeat.
#include "flows/train/train_log.h"

#include <fmt/format.h>

#include <filesystem>
#include <vector>

#include "engine/core/error.h"
#include "engine/io/atomic_file.h"

namespace flowjet::flows {
namespace {

std::string cell(const std::optional<double>& value) { return value ? fmt::format("{:.8g}", *value) : ""; }

/// Rewrites `path` keeping the header and the rows whose first cell (the step) is <= last_step.
void truncate_after(const std::string& path, int64_t last_step) {
  std::ifstream in(path);
  if (!in) return;
  std::vector<std::string> kept;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (kept.empty()) {  // header
      kept.push_back(line);
      continue;
    }
    try {
      if (std::stoll(line.substr(0, line.find(','))) <= last_step) kept.push_back(line);
    } catch (const std::exception&) {
      throw DataError(fmt::format("{}: malformed log row \"{}\"", path, line));
    }
  }
  std::string text;
  for (const std::string& k : kept) text += k + '\n';
  write_text_file_atomically(path, text);
}

}  // namespace

TrainLog::TrainLog(const std::string& path, std::optional<int64_t> keep_up_to_step) : path_(path) {
  if (keep_up_to_step) truncate_after(path, *keep_up_to_step);
  const bool fresh = !std::filesystem::exists(path) || std::filesystem::file_size(path) == 0;
  out_.open(path, std::ios::app);
  if (!out_) throw DataError(fmt::format("{}: cannot open the training log for writing", path));
  if (fresh) out_ << kTrainLogHeader << '\n' << std::flush;
}

void TrainLog::append(const LogRow& r) {
  out_ << fmt::format("{},{},{:.8g},{},{:.6g},{:.1f},{:.2f},{},{}\n", r.step, r.epoch, r.nll, cell(r.mass_loss), r.lr,
                      r.jets_per_second, r.elapsed_seconds, r.bad_steps, cell(r.val_nll))
       << std::flush;
  if (!out_) throw DataError(fmt::format("{}: cannot write the training log", path_));
}

}  // namespace flowjet::flows

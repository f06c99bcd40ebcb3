// Progress lines: step/total, NLL, mass loss, jets/s, elapsed and ETA.
#include "tools/common/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>

namespace flowjet::tools {
namespace {

std::string progress_line(int64_t step, int64_t max_steps, double nll, const std::optional<double>& mass,
                          double jets_per_second, double elapsed, double eta) {
  return fmt::format("step {}/{}  nll {:.4f}  mass {}  {:.0f} jets/s  elapsed {}  eta {}", step, max_steps, nll,
                     mass ? fmt::format("{:.3g}", *mass) : "-", jets_per_second, format_duration(elapsed),
                     format_duration(eta));
}

}  // namespace

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "-";
  const auto s = static_cast<int64_t>(seconds + 0.5);
  return fmt::format("{}:{:02d}:{:02d}", s / 3600, (s / 60) % 60, s % 60);
}

std::string format_count(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

ProgressPrinter ProgressPrinter::for_stderr() { return ProgressPrinter(stderr, isatty(fileno(stderr)) == 1); }

void ProgressPrinter::on_step(const flows::StepProgress& p) {
  last_ = p;
  // Redraw at most ten times a second (and always at the last step).
  if (!interactive_ || (p.elapsed_seconds - last_draw_ < 0.1 && p.step != p.max_steps)) return;
  last_draw_ = p.elapsed_seconds;
  const std::string line =
      progress_line(p.step, p.max_steps, p.nll, p.mass_loss, p.jets_per_second, p.elapsed_seconds, p.eta_seconds);
  std::fprintf(out_, "\r%s\033[K", line.c_str());
  std::fflush(out_);
  line_open_ = true;
}

void ProgressPrinter::on_log(const flows::LogRow& row) {
  if (interactive_) return;
  const std::string line = progress_line(row.step, last_.max_steps, row.nll, row.mass_loss, row.jets_per_second,
                                         row.elapsed_seconds, last_.eta_seconds);
  std::fprintf(out_, "%s\n", line.c_str());
  std::fflush(out_);
}

void ProgressPrinter::on_message(const std::string& message) {
  finish_line();
  std::fprintf(out_, "%s\n", message.c_str());
  std::fflush(out_);
}

void ProgressPrinter::finish_line() {
  if (!line_open_) return;
  std::fprintf(out_, "\n");
  line_open_ = false;
}

}  // namespace flowjet::tools

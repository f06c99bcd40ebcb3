// Progress lines of bin/train (steps) and bin/sample (jets) through one StatusLine.
#include "tools/common/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <utility>

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

StatusLine StatusLine::for_stderr() { return StatusLine(stderr, isatty(fileno(stderr)) == 1); }

void StatusLine::redraw(const std::string& text) {
  std::fprintf(out_, "\r%s\033[K", text.c_str());
  std::fflush(out_);
  line_open_ = true;
}

void StatusLine::print(const std::string& text) {
  finish_line();
  std::fprintf(out_, "%s\n", text.c_str());
  std::fflush(out_);
}

void StatusLine::finish_line() {
  if (!line_open_) return;
  std::fprintf(out_, "\n");
  line_open_ = false;
}

ProgressPrinter ProgressPrinter::for_stderr() { return ProgressPrinter(StatusLine::for_stderr()); }

void ProgressPrinter::on_step(const flows::StepProgress& p) {
  last_ = p;
  // Redraw at most ten times a second (and always at the last step).
  if (!line_.interactive() || (p.elapsed_seconds - last_draw_ < 0.1 && p.step != p.max_steps)) return;
  last_draw_ = p.elapsed_seconds;
  line_.redraw(
      progress_line(p.step, p.max_steps, p.nll, p.mass_loss, p.jets_per_second, p.elapsed_seconds, p.eta_seconds));
}

void ProgressPrinter::on_log(const flows::LogRow& row) {
  if (line_.interactive()) return;
  line_.print(progress_line(row.step, last_.max_steps, row.nll, row.mass_loss, row.jets_per_second,
                            row.elapsed_seconds, last_.eta_seconds));
}

void ProgressPrinter::on_message(const std::string& message) { line_.print(message); }

CountProgress::CountProgress(StatusLine line, std::string label, std::string unit)
    : line_(line), label_(std::move(label)), unit_(std::move(unit)), start_(std::chrono::steady_clock::now()) {}

double CountProgress::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void CountProgress::update(int64_t done, int64_t total) {
  const double seconds = elapsed();
  const double rate = seconds > 0.0 ? static_cast<double>(done) / seconds : 0.0;
  const double eta = rate > 0.0 ? static_cast<double>(total - done) / rate : 0.0;
  const std::string text =
      fmt::format("{}: {}/{} {} ({:.1f} %), {:.0f} {}/s, ETA {:.0f} s", label_, done, total, unit_,
                  100.0 * static_cast<double>(done) / static_cast<double>(total), rate, unit_, eta);
  if (line_.interactive()) {
    line_.redraw(text);
    if (done == total) line_.finish_line();
    return;
  }
  const int64_t tenth = 10 * done / total;
  if (tenth > last_tenth_) {
    line_.print(text);
    last_tenth_ = tenth;
  }
}

}  // namespace flowjet::tools

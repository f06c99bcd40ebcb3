// The run loop: steps, validation, log rows, checkpoints, stop and resume. In a data-parallel run
// every rank steps; rank 0 alone validates, writes the log and the checkpoints (docs/distributed.md).
#include "flows/train/training_run.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>

#include "engine/core/error.h"
#include "engine/io/atomic_file.h"

namespace flowjet::flows {
namespace {

constexpr const char* kElapsed = "train.elapsed_seconds";
constexpr const char* kBestValidation = "train.best_validation";
constexpr const char* kBestStep = "train.best_step";
constexpr const char* kValidation = "train.validation_nll";
constexpr const char* kStopReason = "train.stop_reason";

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

/// Means of the losses of the steps since the previous log row, the jets seen meanwhile and the
/// time spent in the steps (validation and checkpoints excluded).
struct Interval {
  double nll_sum = 0.0, mass_sum = 0.0, step_seconds = 0.0;
  int64_t steps = 0, mass_steps = 0, jets = 0;
};

double rate(int64_t jets, double seconds) { return seconds > 0.0 ? static_cast<double>(jets) / seconds : 0.0; }

class RunLoop {
 public:
  RunLoop(Trainer& trainer, const RunPaths& paths, const RunSettings& settings, TrainingObserver& observer)
      : trainer_(trainer),
        o_(trainer.options()),
        paths_(paths),
        settings_(settings),
        observer_(observer),
        lead_(trainer.rank() == 0) {}

  RunSummary run() {
    start_session();
    if (lead_)
      log_.emplace(paths_.log(), settings_.resume ? std::optional<int64_t>(trainer_.steps_done()) : std::nullopt);
    Interval interval;
    while (trainer_.steps_done() < o_.max_steps) {
      const Clock::time_point step_start = Clock::now();
      const StepReport r = trainer_.step();
      const double step_seconds = seconds_since(step_start);
      interval.jets += r.jets;
      interval.step_seconds += step_seconds;
      session_jets_ += r.jets;
      session_step_seconds_ += step_seconds;
      if (r.skipped) {
        observer_.on_message(
            fmt::format("batch {} after step {}: skipped ({}); {} consecutive bad step(s), the run "
                        "stops at {}",
                        trainer_.batches_seen(), trainer_.steps_done(), r.bad_reason, trainer_.consecutive_bad_steps(),
                        o_.max_bad_steps));
        if (trainer_.should_stop()) return stop(r.bad_reason);
        if (interrupt_requested()) return interrupted(interval);
        continue;
      }
      ++session_steps_;
      interval.nll_sum += r.nll;
      interval.steps += 1;
      if (r.mass_loss) {
        interval.mass_sum += *r.mass_loss;
        interval.mass_steps += 1;
      }
      const int64_t s = trainer_.steps_done();
      observer_.on_step(progress(r));
      std::optional<double> validation;
      if ((o_.validate_every > 0 && s % o_.validate_every == 0) || s == o_.max_steps) validation = validate();
      if (s % o_.log_every == 0 || validation) {
        write_row(interval, validation);
        interval = Interval{};
      }
      if (o_.checkpoint_every > 0 && s % o_.checkpoint_every == 0) {
        save(paths_.periodic(s), validation);
        save(paths_.last(), validation);
        if (lead_) observer_.on_message(fmt::format("step {}: checkpoint {}", s, paths_.periodic(s)));
      }
      if (interrupt_requested() && s < o_.max_steps) return interrupted(interval);
    }
    return finish();
  }

 private:
  void start_session() {
    if (settings_.resume) {
      const Checkpoint checkpoint = load_checkpoint(paths_.last());
      trainer_.restore(checkpoint);
      elapsed_before_ = checkpoint.double_attribute(kElapsed);
      if (checkpoint.attributes.count(kBestStep)) {
        best_step_ = checkpoint.int_attribute(kBestStep);
        best_ = checkpoint.double_attribute(kBestValidation);
      }
      observer_.on_message(
          fmt::format("resumed {} at step {} of {}", paths_.last(), trainer_.steps_done(), o_.max_steps));
      if (lead_) remove_leftover_temporaries();
    } else if (lead_) {
      check_fresh_run_directory(paths_);
    }
    if (lead_) {
      std::filesystem::create_directories(paths_.checkpoints());
      if (!settings_.config_ini.empty()) write_text_file_atomically(paths_.config(), settings_.config_ini);
    }
    session_start_ = Clock::now();
  }

  double elapsed() const { return elapsed_before_ + seconds_since(session_start_); }

  StepProgress progress(const StepReport& r) const {
    StepProgress p;
    p.step = trainer_.steps_done();
    p.max_steps = o_.max_steps;
    p.nll = r.nll;
    p.mass_loss = r.mass_loss;
    p.jets_per_second = rate(session_jets_, session_step_seconds_);
    p.elapsed_seconds = elapsed();
    p.eta_seconds = session_steps_ > 0 ? seconds_since(session_start_) / static_cast<double>(session_steps_) *
                                             static_cast<double>(o_.max_steps - p.step)
                                       : 0.0;
    return p;
  }

  /// Rank 0 only (validation does not change the model, so the ranks stay equal); nothing elsewhere.
  std::optional<double> validate() {
    if (!lead_) return std::nullopt;
    const double v = trainer_.validation_loss();
    const int64_t s = trainer_.steps_done();
    last_validation_ = v;
    if (!best_ || v < *best_) {
      best_ = v;
      best_step_ = s;
      save(paths_.best(), v);
    }
    observer_.on_message(
        fmt::format("step {}: validation NLL {:.5f} (best {:.5f} at step {})", s, v, *best_, best_step_));
    return v;
  }

  void write_row(const Interval& interval, std::optional<double> validation) {
    if (!log_) return;
    LogRow row;
    row.step = trainer_.steps_done();
    row.epoch = trainer_.epoch();
    row.nll = interval.steps > 0 ? interval.nll_sum / static_cast<double>(interval.steps) : 0.0;
    if (interval.mass_steps > 0) row.mass_loss = interval.mass_sum / static_cast<double>(interval.mass_steps);
    row.lr = trainer_.lr();
    row.jets_per_second = rate(interval.jets, interval.step_seconds);
    row.elapsed_seconds = elapsed();
    row.bad_steps = trainer_.bad_steps_total();
    row.val_nll = validation;
    log_->append(row);
    observer_.on_log(row);
  }

  void save(const std::string& path, std::optional<double> validation, Attributes more = {}) {
    if (!lead_) return;
    Attributes a = settings_.extra;
    a.insert(more.begin(), more.end());
    a[kElapsed] = elapsed();
    if (best_) {
      a[kBestValidation] = *best_;
      a[kBestStep] = best_step_;
    }
    if (validation) a[kValidation] = *validation;
    trainer_.save(path, a);
  }

  RunSummary summary() const {
    RunSummary s;
    s.steps = trainer_.steps_done();
    s.final_validation = last_validation_;
    s.best_validation = best_;
    s.best_step = best_step_;
    s.bad_steps = trainer_.bad_steps_total();
    s.elapsed_seconds = elapsed();
    s.jets_per_second = rate(session_jets_, session_step_seconds_);
    return s;
  }

  RunSummary stop(const std::string& last_reason) {
    RunSummary s = summary();
    s.stop_reason = fmt::format(
        "stopped after {} consecutive steps with a non-finite loss or gradient (last: {}); "
        "the weights of step {} (untouched by the bad steps) are in {}",
        trainer_.consecutive_bad_steps(), last_reason, trainer_.steps_done(), paths_.last());
    save(paths_.last(), std::nullopt, {{kStopReason, s.stop_reason}});
    observer_.on_message(s.stop_reason);
    return s;
  }

  bool interrupt_requested() const { return settings_.interrupt && settings_.interrupt->load() != 0; }

  /// The end of an interrupted run: the interval's log row and checkpoints/last.h5, from which a
  /// resumed run continues as if uninterrupted.
  RunSummary interrupted(const Interval& interval) {
    if (interval.steps > 0) write_row(interval, std::nullopt);
    save(paths_.last(), last_validation_);
    RunSummary s = summary();
    s.interrupted_by = settings_.interrupt->load();
    s.stop_reason = fmt::format("interrupted at step {} of {}; the state of step {} is in {}", s.steps, o_.max_steps,
                                s.steps, paths_.last());
    observer_.on_message(s.stop_reason);
    return s;
  }

  /// A process killed while writing a checkpoint leaves "<name>.h5.tmp-<pid>-<n>" behind
  /// (engine/io/checkpoint_write.cpp); the checkpoint it was writing is incomplete and unused.
  void remove_leftover_temporaries() {
    for (const std::string& dir : {paths_.root, paths_.checkpoints()})
      for (const std::string& removed : remove_stale_temporaries_in(dir))
        observer_.on_message(fmt::format("removed {}, left by an interrupted checkpoint write", removed));
  }

  RunSummary finish() {
    // A run resumed after it was already complete did no step: validate its state once more.
    if (!last_validation_ && lead_) last_validation_ = trainer_.validation_loss();
    save(paths_.final_model(), last_validation_);
    save(paths_.last(), last_validation_);
    RunSummary s = summary();
    s.completed = true;
    if (lead_) observer_.on_message(fmt::format("step {}: final model {}", s.steps, paths_.final_model()));
    return s;
  }

  Trainer& trainer_;
  const TrainOptions& o_;
  const RunPaths& paths_;
  const RunSettings& settings_;
  TrainingObserver& observer_;
  const bool lead_;  // rank 0: validates, logs and writes checkpoints
  std::optional<TrainLog> log_;
  Clock::time_point session_start_;
  double elapsed_before_ = 0.0;
  int64_t session_jets_ = 0, session_steps_ = 0;
  double session_step_seconds_ = 0.0;  // inside Trainer::step()
  std::optional<double> best_, last_validation_;
  int64_t best_step_ = -1;
};

}  // namespace

std::string RunPaths::periodic(int64_t step) const { return fmt::format("{}/step_{:08d}.h5", checkpoints(), step); }

void check_fresh_run_directory(const RunPaths& paths) {
  if (std::filesystem::exists(paths.last()) || std::filesystem::exists(paths.log()))
    throw ConfigError(
        fmt::format("{} already holds a training run: continue it with --resume {} or choose another "
                    "output.dir",
                    paths.root, paths.root));
}

RunSummary run_training(Trainer& trainer, const RunPaths& paths, const RunSettings& settings,
                        TrainingObserver& observer) {
  return RunLoop(trainer, paths, settings, observer).run();
}

}  // namespace flowjet::flows

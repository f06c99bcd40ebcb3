// Learning-rate schedules as closed forms of the step: constant, exponential (PyTorch ExponentialLR)
// and cosine (PyTorch CosineAnnealingLR, closed form). The trainer (flows/train/trainer.cpp) calls
// Adam::set_lr(lr_at(steps done)) before each update (config key train.lr_schedule).
#pragma once

#include <cstdint>
#include <string>

namespace flowjet {

enum class LrScheduleKind { Constant, Exponential, Cosine };

class LrSchedule {
 public:
  /// lr(t) = lr0. Throws ConfigError for lr0 < 0 or not finite (as do the others).
  static LrSchedule constant(double lr0);
  /// lr(t) = lr0 * gamma^t; throws ConfigError unless gamma is finite and > 0.
  static LrSchedule exponential(double lr0, double gamma);
  /// lr(t) = eta_min + (lr0 - eta_min) (1 + cos(pi t / t_max)) / 2, for every t (so it rises
  /// again after t_max, as PyTorch's closed form). Throws ConfigError unless t_max >= 1 and
  /// 0 <= eta_min is finite.
  static LrSchedule cosine(double lr0, int64_t t_max, double eta_min = 0.0);
  /// Builds a schedule from its name ("constant", "exponential", "cosine"); unused arguments
  /// are ignored. Throws ConfigError naming the valid choices for an unknown name.
  static LrSchedule from_name(const std::string& kind, double lr0, double gamma, int64_t t_max, double eta_min);

  /// Learning rate for step t (t = 0 is the first update). Throws ConfigError for t < 0.
  double lr_at(int64_t step) const;

  LrScheduleKind kind() const { return kind_; }
  /// "constant", "exponential" or "cosine".
  const char* kind_name() const;
  double lr0() const { return lr0_; }
  double gamma() const { return gamma_; }
  int64_t t_max() const { return t_max_; }
  double eta_min() const { return eta_min_; }

 private:
  LrSchedule(LrScheduleKind kind, double lr0, double gamma, int64_t t_max, double eta_min);
  LrScheduleKind kind_;
  double lr0_;
  double gamma_;
  int64_t t_max_;
  double eta_min_;
};

}  // namespace flowjet

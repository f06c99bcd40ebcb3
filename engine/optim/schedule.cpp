// Learning-rate schedules (PyTorch torch/optim/lr_scheduler.py closed forms).
#include "engine/optim/schedule.h"

#include <cmath>

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet {

namespace {
void require(bool ok, const char* key, double value, const char* expected) {
  if (!ok) throw ConfigError(fmt::format("LrSchedule: {} = {} is invalid, expected {}", key, value, expected));
}
}  // namespace

LrSchedule::LrSchedule(LrScheduleKind kind, double lr0, double gamma, int64_t t_max, double eta_min)
    : kind_(kind), lr0_(lr0), gamma_(gamma), t_max_(t_max), eta_min_(eta_min) {
  require(std::isfinite(lr0) && lr0 >= 0.0, "lr0", lr0, "a finite value >= 0");
}

LrSchedule LrSchedule::constant(double lr0) { return LrSchedule(LrScheduleKind::Constant, lr0, 1.0, 1, 0.0); }

LrSchedule LrSchedule::exponential(double lr0, double gamma) {
  require(std::isfinite(gamma) && gamma > 0.0, "gamma", gamma, "a finite value > 0");
  return LrSchedule(LrScheduleKind::Exponential, lr0, gamma, 1, 0.0);
}

LrSchedule LrSchedule::cosine(double lr0, int64_t t_max, double eta_min) {
  require(t_max >= 1, "t_max", static_cast<double>(t_max), "an integer >= 1");
  require(std::isfinite(eta_min) && eta_min >= 0.0, "eta_min", eta_min, "a finite value >= 0");
  return LrSchedule(LrScheduleKind::Cosine, lr0, 1.0, t_max, eta_min);
}

LrSchedule LrSchedule::from_name(const std::string& kind, double lr0, double gamma, int64_t t_max, double eta_min) {
  if (kind == "constant") return constant(lr0);
  if (kind == "exponential") return exponential(lr0, gamma);
  if (kind == "cosine") return cosine(lr0, t_max, eta_min);
  throw ConfigError(
      fmt::format("LrSchedule: unknown schedule \"{}\", expected one of constant, exponential, cosine", kind));
}

double LrSchedule::lr_at(int64_t step) const {
  require(step >= 0, "step", static_cast<double>(step), "a step >= 0");
  const double t = static_cast<double>(step);
  switch (kind_) {
    case LrScheduleKind::Constant: return lr0_;
    case LrScheduleKind::Exponential: return lr0_ * std::pow(gamma_, t);  // ExponentialLR: lr0 gamma^t
    case LrScheduleKind::Cosine:  // CosineAnnealingLR closed form (SGDR eq. 5 without restarts)
      return eta_min_ + (lr0_ - eta_min_) * (1.0 + std::cos(M_PI * t / static_cast<double>(t_max_))) / 2.0;
  }
  return lr0_;
}

const char* LrSchedule::kind_name() const {
  switch (kind_) {
    case LrScheduleKind::Constant: return "constant";
    case LrScheduleKind::Exponential: return "exponential";
    case LrScheduleKind::Cosine: return "cosine";
  }
  return "constant";
}

}  // namespace flowjet

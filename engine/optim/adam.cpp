// Adam/AdamW bookkeeping: options checks, per-parameter state, the step loop that dispatches the
// fused kernel, and the state snapshot used by checkpoints.
#include "engine/optim/adam.h"

#include <cmath>
#include <map>
#include <set>
#include <type_traits>

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/backend/cuda/dispatch.h"
#include "engine/core/error.h"

namespace flowjet {

namespace {

void check_options(const AdamOptions& o) {
  auto fail = [](const char* key, double value, const char* expected) {
    throw ConfigError(fmt::format("Adam: {} = {} is invalid, expected {}", key, value, expected));
  };
  if (!(o.lr >= 0.0) || !std::isfinite(o.lr)) fail("lr", o.lr, "a finite value >= 0");
  if (!(o.beta1 >= 0.0 && o.beta1 < 1.0)) fail("beta1", o.beta1, "0 <= beta1 < 1");
  if (!(o.beta2 >= 0.0 && o.beta2 < 1.0)) fail("beta2", o.beta2, "0 <= beta2 < 1");
  if (!(o.eps >= 0.0) || !std::isfinite(o.eps)) fail("eps", o.eps, "a finite value >= 0");
  if (!(o.weight_decay >= 0.0) || !std::isfinite(o.weight_decay))
    fail("weight_decay", o.weight_decay, "a finite value >= 0");
}

// Scalars of step t (t >= 1) for the kernel; bias corrections from flow-model.md §6.
AdamStepScalars step_scalars(const AdamOptions& o, int64_t t) {
  AdamStepScalars s{};
  s.beta1 = o.beta1;
  s.beta2 = o.beta2;
  s.step_size = o.lr / (1.0 - std::pow(o.beta1, static_cast<double>(t)));
  s.bias_correction2_sqrt = std::sqrt(1.0 - std::pow(o.beta2, static_cast<double>(t)));
  s.eps = o.eps;
  s.l2_weight_decay = o.decoupled ? 0.0 : o.weight_decay;
  s.decay_factor = o.decoupled ? 1.0 - o.lr * o.weight_decay : 1.0;
  return s;
}

std::string exp_avg_name(const std::string& param) { return param + ".exp_avg"; }
std::string exp_avg_sq_name(const std::string& param) { return param + ".exp_avg_sq"; }
std::string step_name(const std::string& param) { return param + ".step"; }

}  // namespace

AdamOptions AdamOptions::adamw(double lr, double weight_decay) {
  AdamOptions o;
  o.lr = lr;
  o.weight_decay = weight_decay;
  o.decoupled = true;
  return o;
}

Adam::Adam(NamedTensors params, AdamOptions options) : params_(std::move(params)), options_(options) {
  check_options(options_);
  std::set<std::string> seen;
  for (const NamedTensor& p : params_) {
    if (!p.tensor.defined()) throw TypeError(fmt::format("Adam: parameter \"{}\" is an undefined tensor", p.name));
    if (!seen.insert(p.name).second) throw ConfigError(fmt::format("Adam: parameter name \"{}\" appears twice", p.name));
    slots_.push_back(Slot{Tensor::zeros(p.tensor.shape(), p.tensor.dtype(), p.tensor.device()),
                          Tensor::zeros(p.tensor.shape(), p.tensor.dtype(), p.tensor.device()), 0});
  }
}

void Adam::step() {
  NoGradScope no_grad;
  std::vector<AdamTensorUpdate<float>> cuda_f32;
  std::vector<AdamTensorUpdate<double>> cuda_f64;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    Tensor param = params_[i].tensor;
    const Tensor grad = param.grad();
    if (!grad.defined()) continue;  // unused parameter: skipped entirely, as PyTorch
    Slot& slot = slots_[i];
    const AdamStepScalars s = step_scalars(options_, slot.step + 1);
    dispatch_dtype(param.dtype(), [&](auto zero) {
      using T = decltype(zero);
      if (param.device() == Device::CUDA) {
        // Collected here, updated below by one launch per few dozen parameters.
        AdamTensorUpdate<T> u{param.data<T>(), grad.data<T>(), slot.exp_avg.data<T>(), slot.exp_avg_sq.data<T>(),
                              param.numel(), s};
        if constexpr (std::is_same_v<T, float>) cuda_f32.push_back(u);
        else cuda_f64.push_back(u);
      } else {
        adam_update_cpu<T>(param.data<T>(), grad.data<T>(), slot.exp_avg.data<T>(), slot.exp_avg_sq.data<T>(),
                           param.numel(), s);
      }
    });
    ++slot.step;
  }
  if (!cuda_f32.empty()) cuda_branch("adam", [&] { adam_update_cuda<float>(cuda_f32); });
  if (!cuda_f64.empty()) cuda_branch("adam", [&] { adam_update_cuda<double>(cuda_f64); });
}

void Adam::zero_grad() {
  for (const NamedTensor& p : params_) p.tensor.zero_grad();
}

void Adam::set_lr(double lr) {
  AdamOptions next = options_;
  next.lr = lr;
  check_options(next);
  options_ = next;
}

int64_t Adam::step_count(const std::string& name) const {
  for (std::size_t i = 0; i < params_.size(); ++i)
    if (params_[i].name == name) return slots_[i].step;
  throw ConfigError(fmt::format("Adam::step_count: no parameter named \"{}\"", name));
}

NamedTensors Adam::state() const {
  NamedTensors out;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const std::string& name = params_[i].name;
    out.push_back({exp_avg_name(name), slots_[i].exp_avg.clone()});
    out.push_back({exp_avg_sq_name(name), slots_[i].exp_avg_sq.clone()});
    out.push_back({step_name(name), Tensor::full(Shape{}, static_cast<double>(slots_[i].step), DType::F64)});
  }
  return out;
}

void Adam::load_state(const NamedTensors& state) {
  std::map<std::string, const Tensor*> given;
  for (const NamedTensor& t : state) given[t.name] = &t.tensor;
  std::vector<std::string> problems;
  // Looks up `name`, checks it against the wanted description, and marks it as used.
  auto take = [&](const std::string& name, const Shape& shape, DType dtype, bool any_dtype) -> const Tensor* {
    auto it = given.find(name);
    if (it == given.end()) {
      problems.push_back(fmt::format("\"{}\" is missing", name));
      return nullptr;
    }
    const Tensor* t = it->second;
    given.erase(it);
    if (!t->defined()) {
      problems.push_back(fmt::format("\"{}\" is undefined", name));
      return nullptr;
    }
    if (t->shape() != shape || (!any_dtype && t->dtype() != dtype)) {
      problems.push_back(fmt::format("\"{}\" is {}, expected {}{}", name, t->describe(), any_dtype ? "" : dtype_name(dtype),
                                     shape.str()));
      return nullptr;
    }
    return t;
  };
  std::vector<int64_t> steps(params_.size(), 0);
  std::vector<std::pair<const Tensor*, const Tensor*>> moments(params_.size());
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const Tensor& p = params_[i].tensor;
    moments[i].first = take(exp_avg_name(params_[i].name), p.shape(), p.dtype(), false);
    moments[i].second = take(exp_avg_sq_name(params_[i].name), p.shape(), p.dtype(), false);
    if (const Tensor* step = take(step_name(params_[i].name), Shape{}, DType::F64, true)) {
      const double value = step->item();
      if (!(value >= 0.0) || value != std::floor(value) || value > 9.0e15)
        problems.push_back(fmt::format("\"{}\" = {} is not a non-negative integer step count", step_name(params_[i].name),
                                       value));
      else
        steps[i] = static_cast<int64_t>(value);
    }
  }
  for (const auto& [name, tensor] : given) problems.push_back(fmt::format("\"{}\" is not a state of this optimiser", name));
  if (!problems.empty()) {
    std::string joined;
    for (const std::string& p : problems) joined += (joined.empty() ? "" : "; ") + p;
    throw CheckpointError(fmt::format("Adam::load_state: {} problem(s): {}", problems.size(), joined));
  }
  for (std::size_t i = 0; i < params_.size(); ++i) {
    slots_[i].exp_avg.copy_(*moments[i].first);
    slots_[i].exp_avg_sq.copy_(*moments[i].second);
    slots_[i].step = steps[i];
  }
}

}  // namespace flowjet

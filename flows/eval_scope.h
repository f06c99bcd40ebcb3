// Puts a module in eval mode for a scope (batch norm on running statistics, no dropout) and
// restores its previous mode on exit, so generation and scoring can run in the middle of training.
#pragma once

#include "engine/nn/module.h"

namespace flowjet::flows {

class EvalScope {
 public:
  explicit EvalScope(Module& module) : module_(module), was_training_(module.is_training()) { module_.eval(); }
  ~EvalScope() { module_.train(was_training_); }
  EvalScope(const EvalScope&) = delete;
  EvalScope& operator=(const EvalScope&) = delete;

 private:
  Module& module_;
  bool was_training_;
};

}  // namespace flowjet::flows

// flowjet._core.train: bin/train's pipeline (tools/common/training_pipeline.h, the call
// tools/train.cpp makes): training with progress on stderr, then the end-of-run generation and
// evaluation. Ctrl-C is handled as bin/train handles it (the current step finishes and
// checkpoints/last.h5 is written), then raised as KeyboardInterrupt.
#include <fmt/format.h>

#include <csignal>
#include <optional>

#include "engine/core/error.h"
#include "python/src/bindings.h"
#include "tools/common/interrupt.h"
#include "tools/common/train_config.h"
#include "tools/common/training_pipeline.h"

namespace flowjet::python {

namespace {

// Installs bin/train's SIGINT/SIGTERM handlers for its lifetime, then puts back the ones that
// were there (Python's), which the default handling of tools::restore_default_interrupt_handling
// would lose.
class InterruptScope {
 public:
  explicit InterruptScope(const char* notice) {
    sigaction(SIGINT, nullptr, &previous_int_);
    sigaction(SIGTERM, nullptr, &previous_term_);
    flag_ = &tools::install_interrupt_handler(notice);
  }
  ~InterruptScope() {
    sigaction(SIGINT, &previous_int_, nullptr);
    sigaction(SIGTERM, &previous_term_, nullptr);
  }
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;
  const std::atomic<int>* flag() const { return flag_; }

 private:
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
  const std::atomic<int>* flag_ = nullptr;
};

py::dict train(const std::string& config_path, const std::vector<std::string>& overrides,
               const std::string& resume_dir) {
  tools::TrainingPipelineOptions options;
  options.config = config_path;
  options.overrides = overrides;
  options.resume_dir = resume_dir;
  options.program = "flowjet.train";
  std::optional<InterruptScope> interrupt;
  options.install_interrupt = [&interrupt] {
    interrupt.emplace(
        "\nflowjet.train: interrupted; finishing the current step and writing a checkpoint (again to quit at once)\n");
    return interrupt->flag();
  };
  options.restore_interrupt = [&interrupt] { interrupt.reset(); };
  tools::TrainingPipelineResult r;
  {
    py::gil_scoped_release release;
    r = tools::run_training_pipeline(options);
  }
  const flows::RunSummary& s = r.summary;
  if (s.interrupted_by != 0) {
    const std::string message =
        fmt::format("{}; continue with flowjet.train(resume=\"{}\")", s.stop_reason, r.run_dir);
    PyErr_SetString(PyExc_KeyboardInterrupt, message.c_str());
    throw py::error_already_set();
  }
  if (!s.completed) throw NumericError(fmt::format("train: {}", s.stop_reason));
  const flows::RunPaths paths(r.run_dir);
  const auto path_or_none = [](const std::string& path) { return path.empty() ? py::none() : py::cast(path); };
  py::dict out;
  out["steps"] = s.steps;
  out["final_validation"] = s.final_validation ? py::cast(*s.final_validation) : py::none();
  out["best_validation"] = s.best_validation ? py::cast(*s.best_validation) : py::none();
  out["best_step"] = s.best_step;
  out["bad_steps"] = s.bad_steps;
  out["elapsed_seconds"] = s.elapsed_seconds;
  out["jets_per_second"] = s.jets_per_second;
  out["run_dir"] = paths.root;
  out["final_model"] = paths.final_model();
  out["best_model"] = paths.best();
  out["last_checkpoint"] = paths.last();
  out["generated"] = path_or_none(r.generated);
  out["evaluation"] = path_or_none(r.evaluation);
  out["truth_floor"] = path_or_none(r.truth_floor);
  out["report"] = path_or_none(r.report);
  return out;
}

}  // namespace

void bind_training(py::module_& m) {
  m.def("train", &train, py::arg("config_path"), py::arg("overrides"), py::arg("resume_dir"),
        "bin/train's pipeline (training, generation, evaluation); returns the run's summary");
  m.def("train_keys", [] { return tools::train_schema().markdown(); },
        "The Markdown table of every configuration key (bin/train --keys)");
}

}  // namespace flowjet::python

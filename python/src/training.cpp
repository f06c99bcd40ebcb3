// flowjet._core.train: the training stage of bin/train (tools/train.cpp) through the same library
// and tools/common calls: configuration and overrides, device, data, trainer, config.ini, then
// run_training with progress on stderr. Ctrl-C is handled as bin/train handles it (the current
// step finishes and checkpoints/last.h5 is written), then raised as KeyboardInterrupt.
#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <filesystem>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/core/error.h"
#include "engine/io/atomic_file.h"
#include "flows/train/trainer.h"
#include "flows/train/training_data.h"
#include "flows/train/training_run.h"
#include "python/src/bindings.h"
#include "tools/common/device_choice.h"
#include "tools/common/interrupt.h"
#include "tools/common/progress.h"
#include "tools/common/train_config.h"

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

py::dict train(std::string config_path, const std::vector<std::string>& overrides, const std::string& resume_dir) {
  if (config_path.empty() && resume_dir.empty())
    throw ConfigError("train: no configuration file given (config_path, or resume=RUN_DIR)");
  if (config_path.empty()) config_path = flows::RunPaths(resume_dir).config();
  tools::IniConfig config = tools::load_train_config(config_path, overrides);
  flows::TrainOptions o = tools::train_options_from(config);
  if (!resume_dir.empty()) o.run_dir = resume_dir;
  const flows::RunPaths paths(o.run_dir);
  flows::RunSummary s;
  {
    py::gil_scoped_release release;
    std::string note;
    const Device device = tools::choose_training_device(o.device, note);
    if (!note.empty()) std::fprintf(stderr, "%s\n", note.c_str());
    if (o.threads > 0) set_num_threads(static_cast<int>(o.threads));
    flows::TrainingData data = flows::load_training_data(o.data);
    for (const std::string& w : data.warnings)
      std::fprintf(stderr, "%s: warning: %s\n", o.data.path.c_str(), w.c_str());
    flows::Trainer trainer(o, std::move(data.prepared), device);

    flows::RunSettings settings;
    settings.resume = !resume_dir.empty();
    const std::string ini = tools::effective_ini(config);
    settings.extra["train.config"] = ini;
    tools::ProgressPrinter printer = tools::ProgressPrinter::for_stderr();
    if (!settings.resume) flows::check_fresh_run_directory(paths);  // before config.ini is overwritten
    std::filesystem::create_directories(paths.root);
    write_text_file_atomically(paths.config(), ini);
    {
      InterruptScope interrupt(
          "\nflowjet.train: interrupted; finishing the current step and writing a checkpoint (again to quit at once)\n");
      settings.interrupt = interrupt.flag();
      s = flows::run_training(trainer, paths, settings, printer);
    }
    printer.finish_line();
  }
  if (s.interrupted_by != 0) {
    const std::string message =
        fmt::format("{}; continue with flowjet.train(resume=\"{}\")", s.stop_reason, paths.root);
    PyErr_SetString(PyExc_KeyboardInterrupt, message.c_str());
    throw py::error_already_set();
  }
  if (!s.completed) throw NumericError(fmt::format("train: {}", s.stop_reason));
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
  return out;
}

}  // namespace

void bind_training(py::module_& m) {
  m.def("train", &train, py::arg("config_path"), py::arg("overrides"), py::arg("resume_dir"),
        "The training stage of bin/train; returns the run's summary");
  m.def("train_keys", [] { return tools::train_schema().markdown(); },
        "The Markdown table of every configuration key (bin/train --keys)");
}

}  // namespace flowjet::python

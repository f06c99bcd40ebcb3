// Resuming a run from its last checkpoint continues it bit for bit: N steps straight equal N/2
// steps, a new process-like Trainer resumed from checkpoints/last.h5, and N/2 more.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "flows/io/flow_checkpoint.h"
#include "flows/train/training_run.h"
#include "tests/support/file_text.h"
#include "tests/support/temp_dir.h"
#include "tests/train/train_fixture.h"

using namespace flowjet;
using namespace flowjet::flows;

namespace {


/// The step column of a training log.
std::vector<std::string> logged_steps(const std::string& path) {
  std::vector<std::string> steps;
  std::istringstream lines(test::file_text(path));
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) steps.push_back(line.substr(0, line.find(',')));
  return steps;
}

}  // namespace

TEST_CASE("train/resume: N steps straight equal N/2 + resume + N/2, bit for bit on the CPU") {
  TrainOptions options = test::tiny_train_options();
  options.max_steps = 10;  // 4 batches per epoch: the resume happens in the middle of epoch 1
  TrainingObserver quiet;
  test::TempDir dir;

  Trainer straight(options, test::tiny_prepared(options));
  RunSummary a = run_training(straight, RunPaths(dir.file("straight")), {}, quiet);
  REQUIRE(a.completed);

  TrainOptions half = options;
  half.max_steps = 5;
  {
    Trainer first(half, test::tiny_prepared(half));
    REQUIRE(run_training(first, RunPaths(dir.file("resumed")), {}, quiet).completed);
  }
  Trainer resumed(options, test::tiny_prepared(options));
  RunSettings settings;
  settings.resume = true;
  RunSummary b = run_training(resumed, RunPaths(dir.file("resumed")), settings, quiet);
  REQUIRE(b.completed);

  CHECK(resumed.steps_done() == 10);
  CHECK(resumed.batches_seen() == straight.batches_seen());
  CHECK(test::bitwise_differences(flow_state(straight.flow()), flow_state(resumed.flow())).empty());
  CHECK(test::bitwise_differences(straight.optimizer().state(), resumed.optimizer().state()).empty());
  CHECK(resumed.flow().dropout_generator().offset() == straight.flow().dropout_generator().offset());
  CHECK(a.final_validation == b.final_validation);
  CHECK(a.best_step == b.best_step);

  // The final checkpoints hold the same tensors, and the resumed log continues without repeats
  // (with one extra row: the first session's final validation at step 5).
  Checkpoint ca = load_checkpoint(RunPaths(dir.file("straight")).final_model());
  Checkpoint cb = load_checkpoint(RunPaths(dir.file("resumed")).final_model());
  CHECK(test::bitwise_differences(ca.tensors, cb.tensors).empty());
  CHECK(logged_steps(RunPaths(dir.file("straight")).log()) == std::vector<std::string>{"2", "4", "6", "8", "10"});
  CHECK(logged_steps(RunPaths(dir.file("resumed")).log()) == std::vector<std::string>{"2", "4", "5", "6", "8", "10"});
}

TEST_CASE("train/resume: after a crash, the log rows past the last checkpoint are replaced") {
  TrainOptions options = test::tiny_train_options();
  options.max_steps = 10;
  TrainingObserver quiet;
  test::TempDir dir;
  const RunPaths paths(dir.path());
  Trainer straight(options, test::tiny_prepared(options));
  run_training(straight, paths, {}, quiet);
  // As if the process had died after step 9: last.h5 is still the periodic checkpoint of step 8.
  std::filesystem::copy_file(paths.periodic(8), paths.last(), std::filesystem::copy_options::overwrite_existing);
  const std::string log_before = test::file_text(paths.log());

  Trainer resumed(options, test::tiny_prepared(options));
  RunSettings settings;
  settings.resume = true;
  run_training(resumed, paths, settings, quiet);
  CHECK(test::bitwise_differences(flow_state(straight.flow()), flow_state(resumed.flow())).empty());
  CHECK(logged_steps(paths.log()) == std::vector<std::string>{"2", "4", "6", "8", "10"});
  CHECK(test::file_text(paths.log()).substr(0, log_before.rfind("\n10,")) == log_before.substr(0, log_before.rfind("\n10,")));
}

TEST_CASE("train/resume: a checkpoint of another model or other data is refused before anything changes") {
  TrainOptions options = test::tiny_train_options();
  options.max_steps = 2;
  TrainingObserver quiet;
  test::TempDir dir;
  Trainer first(options, test::tiny_prepared(options));
  run_training(first, RunPaths(dir.path()), {}, quiet);
  const Checkpoint checkpoint = load_checkpoint(RunPaths(dir.path()).last());

  TrainOptions wider = options;
  wider.flow.hidden_features = 17;
  Trainer other_model(wider, test::tiny_prepared(wider));
  const NamedTensors before = flow_state(other_model.flow());
  std::vector<NamedTensor> copies;
  for (const NamedTensor& t : before) copies.push_back({t.name, t.tensor.clone()});
  CHECK_THROWS_WITH_AS(other_model.restore(checkpoint), doctest::Contains("another model configuration"),
                       CheckpointError);
  CHECK(test::bitwise_differences(copies, flow_state(other_model.flow())).empty());

  TrainOptions fewer = options;
  fewer.data.max_jets = 250;
  Trainer other_data(fewer, test::tiny_prepared(fewer));
  CHECK_THROWS_WITH_AS(other_data.restore(checkpoint), doctest::Contains("training data differ"), CheckpointError);

  TrainOptions other_batches = options;
  other_batches.batch_size = 32;
  Trainer other_batcher(other_batches, test::tiny_prepared(other_batches));
  CHECK_THROWS_WITH_AS(other_batcher.restore(checkpoint), doctest::Contains("batch size/shuffle/seed"),
                       CheckpointError);

  // A fresh run refuses a directory that already holds one.
  Trainer again(options, test::tiny_prepared(options));
  CHECK_THROWS_WITH_AS(run_training(again, RunPaths(dir.path()), {}, quiet), doctest::Contains("--resume"),
                       ConfigError);
}

TEST_CASE("train/resume: an interrupted run stops after the step with last.h5 written and resumes bit for bit") {
  TrainOptions options = test::tiny_train_options();
  options.max_steps = 10;
  options.checkpoint_every = 0;  // the interrupt alone writes last.h5
  TrainingObserver quiet;
  test::TempDir dir;

  Trainer straight(options, test::tiny_prepared(options));
  REQUIRE(run_training(straight, RunPaths(dir.file("straight")), {}, quiet).completed);

  std::atomic<int> interrupt{0};
  {
    Trainer first(options, test::tiny_prepared(options));
    // The "signal" arrives in the middle of the fourth step: that step is finished first.
    first.set_gradient_hook([&](const NamedTensors&) {
      if (first.steps_done() == 3) interrupt.store(2);
    });
    RunSettings settings;
    settings.interrupt = &interrupt;
    RunSummary a = run_training(first, RunPaths(dir.file("interrupted")), settings, quiet);
    CHECK(!a.completed);
    CHECK(a.interrupted_by == 2);
    CHECK(a.steps == 4);
    CHECK(a.stop_reason.find("interrupted at step 4 of 10") != std::string::npos);
    CHECK(load_checkpoint(RunPaths(dir.file("interrupted")).last()).int_attribute("train.step") == 4);
  }
  // A checkpoint write killed half-way leaves a temporary file; resuming removes it and says so.
  const std::string leftover = RunPaths(dir.file("interrupted")).checkpoints() + "/step_00000008.h5.tmp-999999999-0";
  std::ofstream(leftover) << "partial";
  struct Messages : TrainingObserver {
    std::vector<std::string> seen;
    void on_message(const std::string& m) override { seen.push_back(m); }
  } messages;
  Trainer resumed(options, test::tiny_prepared(options));
  RunSettings settings;
  settings.resume = true;
  REQUIRE(run_training(resumed, RunPaths(dir.file("interrupted")), settings, messages).completed);
  CHECK(!std::filesystem::exists(leftover));
  CHECK(std::any_of(messages.seen.begin(), messages.seen.end(), [&](const std::string& m) {
    return m == "removed " + leftover + ", left by an interrupted checkpoint write";
  }));
  CHECK(test::bitwise_differences(flow_state(straight.flow()), flow_state(resumed.flow())).empty());
  CHECK(test::bitwise_differences(straight.optimizer().state(), resumed.optimizer().state()).empty());
}

TEST_CASE("train/run: config.ini is written once the directory is checked, never over another run's") {
  test::TempDir dir;
  const RunPaths paths(dir.path());
  RunSettings settings;
  settings.config_ini = "[train]\nmax_steps = 1\n";
  TrainOptions options = test::tiny_train_options();
  options.max_steps = 1;
  TrainingObserver quiet;
  Trainer first(options, test::tiny_prepared(options));
  REQUIRE(run_training(first, paths, settings, quiet).completed);
  CHECK(test::file_text(paths.config()) == settings.config_ini);

  RunSettings other = settings;
  other.config_ini = "[train]\nmax_steps = 2\n";
  Trainer again(options, test::tiny_prepared(options));
  CHECK_THROWS_AS(run_training(again, paths, other, quiet), ConfigError);
  CHECK(test::file_text(paths.config()) == settings.config_ini);
}

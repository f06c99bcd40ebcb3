// The NaN/Inf guard: a step with a non-finite loss or gradient changes nothing (parameters,
// batch-norm statistics, optimiser state), is counted, and K consecutive ones stop the run with a
// usable last checkpoint holding the weights from before the bad steps.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "flows/io/flow_checkpoint.h"
#include "flows/io/jet_model.h"
#include "flows/train/training_run.h"
#include "tests/support/temp_dir.h"
#include "tests/train/train_fixture.h"

using namespace flowjet;
using namespace flowjet::flows;

namespace {

NamedTensors snapshot(const NamedTensors& tensors) {
  NamedTensors copies;
  for (const NamedTensor& t : tensors) copies.push_back({t.name, t.tensor.clone()});
  return copies;
}

/// Makes the gradient of the first parameter NaN in the calls listed (1-based), through the hook.
void poison_gradients(Trainer& trainer, std::vector<int> calls) {
  auto count = std::make_shared<int>(0);
  trainer.set_gradient_hook([count, calls](const NamedTensors& params) {
    ++*count;
    if (std::find(calls.begin(), calls.end(), *count) == calls.end()) return;
    Tensor g = params.front().tensor.grad();
    g.data<float>()[0] = std::numeric_limits<float>::quiet_NaN();
  });
}

}  // namespace

TEST_CASE("train/nan_guard: a non-finite gradient skips the step without touching weights or optimiser") {
  TrainOptions options = test::tiny_train_options();
  Trainer trainer(options, test::tiny_prepared(options));
  poison_gradients(trainer, {3});
  trainer.step();
  trainer.step();
  const NamedTensors state_before = snapshot(flow_state(trainer.flow()));  // weights and batch-norm statistics
  const NamedTensors optim_before = trainer.optimizer().state();
  const uint64_t dropout_offset = trainer.flow().dropout_generator().offset();

  const StepReport bad = trainer.step();
  CHECK(bad.skipped);
  CHECK(bad.bad_reason.find("gradient of " + trainer.optimizer().params().front().name) != std::string::npos);
  CHECK(trainer.steps_done() == 2);
  CHECK(trainer.batches_seen() == 3);
  CHECK(trainer.consecutive_bad_steps() == 1);
  CHECK(test::bitwise_differences(state_before, flow_state(trainer.flow())).empty());
  CHECK(test::bitwise_differences(optim_before, trainer.optimizer().state()).empty());
  CHECK(trainer.flow().dropout_generator().offset() > dropout_offset);  // the batch's draws are consumed

  const StepReport good = trainer.step();
  CHECK(!good.skipped);
  CHECK(trainer.steps_done() == 3);
  CHECK(trainer.consecutive_bad_steps() == 0);
  CHECK(trainer.bad_steps_total() == 1);
  CHECK(!test::bitwise_differences(state_before, flow_state(trainer.flow())).empty());
}

TEST_CASE("train/nan_guard: a non-finite loss is skipped and named") {
  TrainOptions options = test::tiny_train_options();
  options.batch_size = 1000;  // every step sees every training row, the poisoned one included
  data::PreparedData prepared = test::tiny_prepared(options);
  prepared.table[static_cast<size_t>(prepared.split.train[7] * prepared.width() + 4)] =
      std::numeric_limits<float>::infinity();
  Trainer trainer(options, prepared);
  const NamedTensors before = snapshot(flow_state(trainer.flow()));
  const StepReport r = trainer.step();
  CHECK(r.skipped);
  CHECK(r.bad_reason.find("NLL is") != std::string::npos);
  CHECK(test::bitwise_differences(before, flow_state(trainer.flow())).empty());
}

TEST_CASE("train/nan_guard: K consecutive bad steps stop the run with a usable last checkpoint") {
  TrainOptions options = test::tiny_train_options();
  options.max_steps = 20;
  options.max_bad_steps = 3;
  options.checkpoint_every = 0;
  test::TempDir dir;
  const RunPaths paths(dir.path());
  Trainer trainer(options, test::tiny_prepared(options));
  poison_gradients(trainer, {5, 6, 8, 9, 10});  // 2 bad, 1 good, then 3 bad: stop after step 5
  struct Messages : TrainingObserver {
    std::vector<std::string> lines;
    void on_message(const std::string& m) override { lines.push_back(m); }
  } observer;
  const RunSummary s = run_training(trainer, paths, {}, observer);
  CHECK(!s.completed);
  CHECK(s.steps == 5);
  CHECK(s.bad_steps == 5);
  CHECK(s.stop_reason.find("3 consecutive steps") != std::string::npos);
  CHECK(s.stop_reason.find(paths.last()) != std::string::npos);
  int skipped_lines = 0;
  for (const std::string& m : observer.lines) skipped_lines += m.find("skipped") != std::string::npos;
  CHECK(skipped_lines == 5);

  const Checkpoint checkpoint = load_checkpoint(paths.last());
  CHECK(checkpoint.int_attribute("train.step") == 5);
  CHECK(checkpoint.string_attribute("train.stop_reason") == s.stop_reason);
  JetModel model = restore_jet_model(checkpoint);
  CHECK(test::bitwise_differences(flow_state(trainer.flow()), flow_state(*model.flow)).empty());
  int64_t non_finite = 0;
  for (const NamedTensor& t : flow_state(*model.flow))
    for (double v : t.tensor.to_vector()) non_finite += !std::isfinite(v);
  CHECK(non_finite == 0);
}

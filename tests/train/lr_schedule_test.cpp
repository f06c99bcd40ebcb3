// The trainer follows train.lr_schedule: before each update the optimiser's learning rate is the
// schedule's closed form at the number of steps already done.
#include <doctest/doctest.h>

#include "engine/optim/schedule.h"
#include "flows/train/trainer.h"
#include "tests/train/train_fixture.h"

using namespace flowjet;
using namespace flowjet::flows;

TEST_CASE("train/lr_schedule: a cosine schedule sets each step's learning rate; constant leaves it alone") {
  TrainOptions options = test::tiny_train_options();
  options.max_steps = 4;
  options.lr_schedule = "cosine";
  options.lr_min = 1e-5;
  const LrSchedule expected = LrSchedule::cosine(options.optimizer.lr, options.max_steps, options.lr_min);

  Trainer cosine(options, test::tiny_prepared(options));
  for (int64_t step = 0; step < options.max_steps; ++step) {
    cosine.step();
    CHECK(cosine.lr() == expected.lr_at(step));
  }
  CHECK(cosine.lr() < options.optimizer.lr);

  TrainOptions constant_options = options;
  constant_options.lr_schedule = "constant";
  Trainer constant(constant_options, test::tiny_prepared(constant_options));
  for (int64_t step = 0; step < options.max_steps; ++step) constant.step();
  CHECK(constant.lr() == options.optimizer.lr);
  // The first step is the same (cos 0 = 1); the later, smaller steps move the weights less.
  CHECK(!test::bitwise_differences(cosine.optimizer().state(), constant.optimizer().state()).empty());
}

TEST_CASE("train/lr_schedule: an unknown schedule is refused when the trainer is built") {
  TrainOptions options = test::tiny_train_options();
  options.lr_schedule = "linear";
  CHECK_THROWS_AS(Trainer(options, test::tiny_prepared(options)), ConfigError);
}

// Tests of the --dry-run peak-memory prediction: a line fitted at two small batches predicts the
// measured peak at a larger batch.
#include <doctest/doctest.h>

#include "flows/train/peak_memory.h"
#include "tests/train/train_fixture.h"

using namespace flowjet;

TEST_CASE("train/peak_memory: the fit at batches 16 and 48 predicts the peak at batch 200 within 25%") {
  const flows::TrainOptions options = test::tiny_train_options();  // CCNF: the mass-constraint pass is included
  const data::PreparedData prepared = test::tiny_prepared(options);
  const flows::PeakMemoryFit fit = flows::fit_training_peak(options, prepared, 16, 48);
  CHECK(fit.small_batch == 16);
  CHECK(fit.large_batch == 48);
  CHECK(fit.small_peak > 0);
  CHECK(fit.large_peak > fit.small_peak);  // activations grow with the batch
  CHECK(fit.bytes_per_row > 0.0);
  CHECK(fit.fixed_bytes > 0.0);  // parameters, gradients and moments

  flows::TrainOptions large = options;
  large.batch_size = 200;
  const double measured = static_cast<double>(flows::measure_training_peak(large, prepared));
  const double predicted = fit.predict(200);
  INFO("predicted " << predicted << " bytes, measured " << measured);
  CHECK(predicted > 0.75 * measured);
  CHECK(predicted < 1.25 * measured);
}

TEST_CASE("train/peak_memory: batch sizes beyond the training rows are capped; a degenerate pair is refused") {
  const flows::TrainOptions options = test::tiny_train_options();
  const data::PreparedData prepared = test::tiny_prepared(options);
  const flows::PeakMemoryFit fit = flows::fit_training_peak(options, prepared, 32, 100000);
  CHECK(fit.large_batch == static_cast<int64_t>(prepared.split.train.size()));
  CHECK_THROWS_WITH_AS(flows::fit_training_peak(options, prepared, 64, 64), doctest::Contains("64 and 64"),
                       ConfigError);
}

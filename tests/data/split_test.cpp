// Split sizes of jet-samples.md §4.4 and seed reproducibility; epoch batcher coverage and reshuffling.
#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>

#include "data/batcher.h"
#include "data/split.h"
#include "engine/core/error.h"

using namespace flowjet;

TEST_CASE("data/split: sizes of the 70/30 and 70/15/15 conventions") {
  data::SplitOptions talk;
  const data::Split a = data::split_rows(177252, talk);
  CHECK(a.train.size() == 124076);
  CHECK(a.valid.empty());
  CHECK(a.test.size() == 53176);
  CHECK(&a.validation_rows() == &a.test);
  data::SplitOptions jetnet;
  jetnet.scheme = data::SplitScheme::JetNet70_15_15;
  const data::Split b = data::split_rows(177252, jetnet);
  CHECK(b.train.size() == 124076);
  CHECK(b.valid.size() == 26588);
  CHECK(b.test.size() == 26588);
  CHECK(&b.validation_rows() == &b.valid);
  // The parts are disjoint and cover every row.
  std::vector<int64_t> all = b.train;
  all.insert(all.end(), b.valid.begin(), b.valid.end());
  all.insert(all.end(), b.test.begin(), b.test.end());
  std::sort(all.begin(), all.end());
  std::vector<int64_t> expected(177252);
  std::iota(expected.begin(), expected.end(), 0);
  CHECK(all == expected);
  CHECK_THROWS_AS(data::split_rows(1), ShapeError);
}

TEST_CASE("data/split: the same seed gives the same split, another seed a different one") {
  data::SplitOptions options;
  options.seed = 7;
  const data::Split a = data::split_rows(1000, options);
  const data::Split b = data::split_rows(1000, options);
  CHECK(a.train == b.train);
  CHECK(a.test == b.test);
  options.seed = 8;
  CHECK(data::split_rows(1000, options).train != a.train);
}

TEST_CASE("data/batcher: fixed batches, per-epoch reshuffle and the partial last batch") {
  std::vector<int64_t> rows(23);
  std::iota(rows.begin(), rows.end(), 100);
  const data::EpochBatcher fixed(rows, 5, false, 1);
  CHECK(fixed.batches_per_epoch() == 5);
  const auto batches = fixed.epoch_batches(0);
  REQUIRE(batches.size() == 5);
  CHECK(batches[0] == std::vector<int64_t>{100, 101, 102, 103, 104});
  CHECK(batches[4] == std::vector<int64_t>{120, 121, 122});
  CHECK(fixed.epoch_batches(3) == batches);  // the reference: same order every epoch

  const data::EpochBatcher shuffled(rows, 5, true, 9);
  const auto e0 = shuffled.epoch_order(0), e1 = shuffled.epoch_order(1);
  CHECK(e0 != e1);
  CHECK(e0 != rows);
  CHECK(std::is_permutation(e0.begin(), e0.end(), rows.begin()));
  CHECK(data::EpochBatcher(rows, 5, true, 9).epoch_order(1) == e1);  // depends on (seed, epoch) only
  CHECK(data::EpochBatcher(rows, 5, true, 9, true).batches_per_epoch() == 4);
  CHECK_THROWS_AS(data::EpochBatcher({}, 5, true, 1), ShapeError);
}

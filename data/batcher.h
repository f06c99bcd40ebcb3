// Index batches per epoch over a fixed set of rows (training-recipe.md §5): either the reference's
// fixed consecutive chunks, or a fresh seeded shuffle every epoch.
#pragma once

#include <cstdint>
#include <vector>

namespace flowjet::data {

/// Yields the rows of each epoch as batches of `batch_size` indices (the last batch may be
/// partial unless drop_last). With shuffle, epoch e's order is a Fisher–Yates shuffle from
/// SequentialRng(derive_seed(seed, kEpochStreamBase + e)): it depends only on (seed, e), so a resumed run
/// sees the same batches as an uninterrupted one.
class EpochBatcher {
 public:
  /// Throws flowjet::ShapeError when rows is empty or batch_size < 1.
  EpochBatcher(std::vector<int64_t> rows, int64_t batch_size, bool shuffle, uint64_t seed, bool drop_last = false);

  int64_t rows() const { return static_cast<int64_t>(rows_.size()); }
  int64_t batch_size() const { return batch_size_; }
  int64_t batches_per_epoch() const;

  /// Row order of epoch `epoch` (>= 0): the rows as given, or their shuffle.
  std::vector<int64_t> epoch_order(int64_t epoch) const;
  /// Batches of epoch `epoch`: consecutive chunks of epoch_order(epoch).
  std::vector<std::vector<int64_t>> epoch_batches(int64_t epoch) const;

 private:
  std::vector<int64_t> rows_;
  int64_t batch_size_;
  bool shuffle_;
  uint64_t seed_;
  bool drop_last_;
};

}  // namespace flowjet::data

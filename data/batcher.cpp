// Per-epoch index batches, optionally reshuffled each epoch with a seed derived from the epoch.
#include "data/batcher.h"

#include <fmt/format.h>

#include <utility>

#include "data/streams.h"
#include "engine/core/error.h"
#include "engine/random/derive_seed.h"
#include "engine/random/sequential_rng.h"

namespace flowjet::data {

EpochBatcher::EpochBatcher(std::vector<int64_t> rows, int64_t batch_size, bool shuffle, uint64_t seed, bool drop_last)
    : rows_(std::move(rows)), batch_size_(batch_size), shuffle_(shuffle), seed_(seed), drop_last_(drop_last) {
  if (rows_.empty() || batch_size_ < 1) {
    throw flowjet::ShapeError(fmt::format("EpochBatcher: need at least one row and batch_size >= 1 (got {} rows, "
                                          "batch_size {})", rows_.size(), batch_size_));
  }
}

int64_t EpochBatcher::batches_per_epoch() const {
  const int64_t full = rows() / batch_size_;
  return drop_last_ || rows() % batch_size_ == 0 ? full : full + 1;
}

std::vector<int64_t> EpochBatcher::epoch_order(int64_t epoch) const {
  std::vector<int64_t> order = rows_;
  if (shuffle_) {
    SequentialRng rng(derive_seed(seed_, kEpochStreamBase + static_cast<uint64_t>(epoch)));
    rng.shuffle(order);
  }
  return order;
}

std::vector<std::vector<int64_t>> EpochBatcher::epoch_batches(int64_t epoch) const {
  const std::vector<int64_t> order = epoch_order(epoch);
  std::vector<std::vector<int64_t>> batches;
  for (int64_t b = 0; b < batches_per_epoch(); ++b) {
    const int64_t begin = b * batch_size_;
    const int64_t end = std::min(begin + batch_size_, rows());
    batches.emplace_back(order.begin() + begin, order.begin() + end);
  }
  return batches;
}

}  // namespace flowjet::data

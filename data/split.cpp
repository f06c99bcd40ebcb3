// Seeded split of row indices (jet-samples.md §1.8 decision): shuffle, then cut at floor(f · N).
#include "data/split.h"

#include <fmt/format.h>

#include <cmath>
#include <numeric>

#include "data/streams.h"
#include "engine/core/error.h"
#include "engine/random/derive_seed.h"
#include "engine/random/sequential_rng.h"

namespace flowjet::data {

std::vector<double> cut_fractions(SplitScheme scheme) {
  if (scheme == SplitScheme::JetNet70_15_15) return {0.70, 0.85};
  return {0.70};
}

Split split_rows(int64_t rows, const SplitOptions& options) {
  if (rows < 2) throw flowjet::ShapeError(fmt::format("split_rows: need at least 2 rows to split, got {}", rows));
  std::vector<int64_t> order(static_cast<size_t>(rows));
  std::iota(order.begin(), order.end(), 0);
  SequentialRng rng(derive_seed(options.seed, kSplitStream));
  rng.shuffle(order);

  const std::vector<double> fractions = cut_fractions(options.scheme);
  std::vector<int64_t> cuts{0};
  for (const double f : fractions) cuts.push_back(static_cast<int64_t>(std::floor(f * static_cast<double>(rows))));
  cuts.push_back(rows);
  auto part = [&](size_t index) {
    return std::vector<int64_t>(order.begin() + cuts[index], order.begin() + cuts[index + 1]);
  };
  Split split;
  split.train = part(0);
  if (fractions.size() == 2) {
    split.valid = part(1);
    split.test = part(2);
  } else {
    split.test = part(1);
  }
  return split;
}

}  // namespace flowjet::data

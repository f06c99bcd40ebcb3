// Deterministic train/validation/test split of row indices (jet-samples.md §1.8, training-recipe.md §5):
// a seeded Fisher–Yates shuffle, then cuts at floor(f · N) of the cumulative fractions.
#pragma once

#include <cstdint>
#include <vector>

namespace flowjet::data {

/// Split conventions: the talk's 70 % / 30 % train/test (default) and the jetnet package's
/// 70 % / 15 % / 15 % train/valid/test.
enum class SplitScheme { TrainTest70_30, JetNet70_15_15 };

struct SplitOptions {
  SplitScheme scheme = SplitScheme::TrainTest70_30;
  uint64_t seed = 42;
};

/// Row indices of each part, in shuffled order. For 70/30 `valid` is empty and the test part
/// doubles as validation set (training-recipe.md §5); validation_rows() hides that difference.
struct Split {
  std::vector<int64_t> train, valid, test;
  const std::vector<int64_t>& validation_rows() const { return valid.empty() ? test : valid; }
};

/// Cumulative cut fractions of a scheme: {0.70} or {0.70, 0.85}.
std::vector<double> cut_fractions(SplitScheme scheme);

/// Splits rows 0..rows-1. Same rows and options give the same split (the shuffle uses
/// SequentialRng(derive_seed(seed, kSplitStream))). Sizes: train floor(0.7 N), etc. Throws
/// flowjet::ShapeError when rows < 2.
Split split_rows(int64_t rows, const SplitOptions& options = {});

}  // namespace flowjet::data

// Standard scaling of the flow's columns (training-recipe.md §4): forward (v - mean) / (std + 1e-7),
// inverse v' * std + mean (the reference's asymmetric epsilon), sample std with count - 1.
#pragma once

#include <cstdint>
#include <vector>

#include "data/named_arrays.h"

namespace flowjet::data {

/// Per-column mean and standard deviation, fitted once and stored for inverting generated data.
class StandardScaler {
 public:
  /// The epsilon added to std in the forward direction only (training-recipe.md §4).
  static constexpr double kEpsilon = 1e-7;

  StandardScaler() = default;
  /// From stored statistics; throws flowjet::ShapeError when the sizes differ.
  StandardScaler(std::vector<double> mean, std::vector<double> deviation);

  /// Fits on the rows `rows` of `matrix` ([*, columns], row-major): mean and sample standard
  /// deviation (divide by count - 1; 0 for a single row). Throws flowjet::ShapeError when
  /// `rows` is empty or an index is out of range.
  static StandardScaler fit(const std::vector<double>& matrix, int64_t columns, const std::vector<int64_t>& rows);

  int64_t columns() const { return static_cast<int64_t>(mean_.size()); }
  const std::vector<double>& mean() const { return mean_; }
  const std::vector<double>& std() const { return std_; }

  /// Scales one value of column `column`.
  double transform(double value, int64_t column) const { return (value - mean_[column]) / (std_[column] + kEpsilon); }
  /// Undoes the scaling of one value of column `column` (no epsilon, as the reference).
  double inverse(double value, int64_t column) const { return value * std_[column] + mean_[column]; }

  /// In place on `data` [rows, width] (row stride = width): columns 0..width-1 are scaled with
  /// this scaler's columns first_column..first_column+width-1. Throws flowjet::ShapeError when
  /// the columns do not exist.
  template <typename T>
  void transform(T* data, int64_t rows, int64_t width, int64_t first_column = 0) const;
  template <typename T>
  void inverse(T* data, int64_t rows, int64_t width, int64_t first_column = 0) const;

  /// Serialisation hook: {"mean": [columns], "std": [columns]}; from_arrays(to_arrays()) is exact.
  NamedArrays to_arrays() const;
  /// Restores from to_arrays() output; throws flowjet::DataError naming a missing/bad array.
  static StandardScaler from_arrays(const NamedArrays& arrays);

 private:
  void check_columns(int64_t width, int64_t first_column) const;
  std::vector<double> mean_;
  std::vector<double> std_;
};

}  // namespace flowjet::data

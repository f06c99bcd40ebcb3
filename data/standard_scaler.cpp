// Standard scaler of training-recipe.md §4: fit (two-pass mean and sample variance in double),
// transform / inverse on float or double rows, and the named-array serialisation hook.
#include "data/standard_scaler.h"

#include <fmt/format.h>

#include <cmath>
#include <utility>

#include "engine/core/error.h"

namespace flowjet::data {

StandardScaler::StandardScaler(std::vector<double> mean, std::vector<double> deviation)
    : mean_(std::move(mean)), std_(std::move(deviation)) {
  if (mean_.size() != std_.size()) {
    throw flowjet::ShapeError(fmt::format("StandardScaler: mean has {} columns but std has {}", mean_.size(),
                                          std_.size()));
  }
}

StandardScaler StandardScaler::fit(const std::vector<double>& matrix, int64_t columns,
                                   const std::vector<int64_t>& rows) {
  const int64_t total = columns > 0 ? static_cast<int64_t>(matrix.size()) / columns : 0;
  if (columns <= 0 || rows.empty() || total * columns != static_cast<int64_t>(matrix.size())) {
    throw flowjet::ShapeError(fmt::format("StandardScaler::fit: need a [rows, {}] matrix ({} values) and at least "
                                          "one row to fit on ({} given)", columns, matrix.size(), rows.size()));
  }
  for (const int64_t row : rows) {
    if (row < 0 || row >= total) {
      throw flowjet::ShapeError(fmt::format("StandardScaler::fit: row {} outside [0, {})", row, total));
    }
  }
  std::vector<double> mean(static_cast<size_t>(columns), 0.0), var(static_cast<size_t>(columns), 0.0);
  for (const int64_t row : rows) {
    for (int64_t c = 0; c < columns; ++c) mean[c] += matrix[row * columns + c];
  }
  const double count = static_cast<double>(rows.size());
  for (double& m : mean) m /= count;
  for (const int64_t row : rows) {
    for (int64_t c = 0; c < columns; ++c) {
      const double d = matrix[row * columns + c] - mean[c];
      var[c] += d * d;
    }
  }
  std::vector<double> deviation(static_cast<size_t>(columns), 0.0);
  for (int64_t c = 0; c < columns; ++c) deviation[c] = rows.size() > 1 ? std::sqrt(var[c] / (count - 1.0)) : 0.0;
  return StandardScaler(std::move(mean), std::move(deviation));
}

void StandardScaler::check_columns(int64_t width, int64_t first_column) const {
  if (width < 0 || first_column < 0 || first_column + width > columns()) {
    throw flowjet::ShapeError(fmt::format("StandardScaler: columns {}..{} requested but the scaler has {}",
                                          first_column, first_column + width - 1, columns()));
  }
}

namespace {

// Replaces every value of `rows` rows of `width` columns by map(value in double, column).
template <typename T, typename Map>
void map_columns(T* data, int64_t rows, int64_t width, const Map& map) {
  for (int64_t r = 0; r < rows; ++r) {
    T* row = data + r * width;
    for (int64_t c = 0; c < width; ++c) row[c] = static_cast<T>(map(static_cast<double>(row[c]), c));
  }
}

}  // namespace

template <typename T>
void StandardScaler::transform(T* data, int64_t rows, int64_t width, int64_t first_column) const {
  check_columns(width, first_column);
  map_columns(data, rows, width, [&](double value, int64_t c) { return transform(value, first_column + c); });
}

template <typename T>
void StandardScaler::inverse(T* data, int64_t rows, int64_t width, int64_t first_column) const {
  check_columns(width, first_column);
  map_columns(data, rows, width, [&](double value, int64_t c) { return inverse(value, first_column + c); });
}

template void StandardScaler::transform<float>(float*, int64_t, int64_t, int64_t) const;
template void StandardScaler::transform<double>(double*, int64_t, int64_t, int64_t) const;
template void StandardScaler::inverse<float>(float*, int64_t, int64_t, int64_t) const;
template void StandardScaler::inverse<double>(double*, int64_t, int64_t, int64_t) const;

NamedArrays StandardScaler::to_arrays() const {
  NamedArrays arrays;
  arrays["mean"] = NamedArray{{columns()}, mean_};
  arrays["std"] = NamedArray{{columns()}, std_};
  return arrays;
}

StandardScaler StandardScaler::from_arrays(const NamedArrays& arrays) {
  const NamedArray& mean = require_array(arrays, "mean", 1, "StandardScaler");
  const NamedArray& deviation = require_array(arrays, "std", 1, "StandardScaler");
  if (mean.values.size() != deviation.values.size()) {
    throw flowjet::DataError(fmt::format("StandardScaler: 'mean' has {} columns but 'std' has {}", mean.values.size(),
                                         deviation.values.size()));
  }
  return StandardScaler(mean.values, deviation.values);
}

}  // namespace flowjet::data

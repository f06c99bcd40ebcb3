// Portable draws on top of std::mt19937_64 (whose output sequence the C++ standard fixes).
#include "engine/random/sequential_rng.h"

#include <cmath>
#include <utility>

#include "engine/core/error.h"

namespace flowjet {

uint64_t SequentialRng::uniform_index(uint64_t n) {
  FLOWJET_CHECK(n >= 1, "uniform_index needs n >= 1");
  // Reject the top partial block of 2^64 so that every residue is equally likely.
  const uint64_t limit = UINT64_MAX - (UINT64_MAX % n + 1) % n;
  uint64_t x = engine_();
  while (x > limit) x = engine_();
  return x % n;
}

double SequentialRng::normal() {
  const double u1 = 1.0 - uniform();  // (0, 1]: log is finite
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

void SequentialRng::shuffle(std::vector<int64_t>& values) {
  for (size_t i = values.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(uniform_index(i));
    std::swap(values[i - 1], values[j]);
  }
}

}  // namespace flowjet

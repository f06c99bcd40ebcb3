// Timing helpers shared by the bench programs: median and best of repeated calls, and the
// machine's load average (the benches run on shared machines, so each run says how busy it was).
#pragma once

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

namespace flowjet {
namespace bench {

struct Timing {
  double median, best;  // seconds per call
};

/// Median and best of `reps` timed calls after one warm-up call. On a busy machine the best call
/// is the better estimate of the code's own speed; the median is what a run would see.
inline Timing time_calls(int reps, const std::function<void()>& call) {
  call();
  std::vector<double> times;
  for (int r = 0; r < reps; ++r) {
    auto start = std::chrono::steady_clock::now();
    call();
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return {times[times.size() / 2], times.front()};
}

/// The 1-minute load average from /proc/loadavg ("unknown" where there is none).
inline std::string load_average() {
  std::ifstream file("/proc/loadavg");
  std::string one_minute;
  return file >> one_minute ? one_minute : "unknown";
}

}  // namespace bench
}  // namespace flowjet

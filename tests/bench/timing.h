// Timing helpers shared by the bench programs: median and best of repeated calls, and the
// machine's load average (the benches run on shared machines, so each run says how busy it was).
#pragma once

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

namespace flowjet {
namespace bench {

struct Timing {
  double median, best;  // seconds per call
};

/// Seconds on the wall clock (steady_clock), from an arbitrary origin.
inline double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

/// CPU seconds of the calling thread: leaves out the time a call waited for a core, which on a busy
/// machine is most of the noise in wall-clock times (for work done on the calling thread).
inline double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

/// Median and best of `reps` timed calls after one warm-up call, timed by `clock`. On a busy
/// machine the best call is the better estimate of the code's own speed; the median is what a run
/// would see.
inline Timing time_calls(int reps, const std::function<void()>& call, double (*clock)() = wall_seconds) {
  call();
  std::vector<double> times;
  for (int r = 0; r < reps; ++r) {
    const double start = clock();
    call();
    times.push_back(clock() - start);
  }
  std::sort(times.begin(), times.end());
  return {times[times.size() / 2], times.front()};
}

/// The CPU's model name from /proc/cpuinfo ("unknown" where there is none).
inline std::string cpu_model() {
  std::ifstream file("/proc/cpuinfo");
  for (std::string line; std::getline(file, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

/// The 1-minute load average from /proc/loadavg ("unknown" where there is none).
inline std::string load_average() {
  std::ifstream file("/proc/loadavg");
  std::string one_minute;
  return file >> one_minute ? one_minute : "unknown";
}

}  // namespace bench
}  // namespace flowjet

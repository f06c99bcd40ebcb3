// The engine's one thread pool. Workers sleep on a condition variable between jobs
// (passive waiting), so an idle pool costs nothing on a busy machine, and a
// parallel_for issued from inside a worker runs serially: pools never nest.
#pragma once

#include <cstdint>
#include <functional>

namespace flowjet {

/// Number of threads parallel_for uses (the caller plus workers). Default: the hardware's cores,
/// or FLOWJET_THREADS from the environment.
int num_threads();
/// Sets the thread count (>= 1); takes effect for the next parallel_for.
void set_num_threads(int threads);

/// Splits [0, n) into contiguous chunks of at least `grain` items and calls body(begin, end)
/// for each, on up to num_threads() threads; returns when all chunks are done. Runs inline when
/// n <= grain, when only one thread is configured, or when called from inside a pool thread.
/// Exceptions thrown by body are re-thrown in the caller (the first one).
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t begin, int64_t end)>& body);

}  // namespace flowjet

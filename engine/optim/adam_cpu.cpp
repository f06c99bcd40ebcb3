// The fused Adam/AdamW update on the CPU: adam_update_element (adam_math.h) over the thread pool.
#include "engine/backend/cpu/thread_pool.h"
#include "engine/optim/adam.h"
#include "engine/optim/adam_math.h"

namespace flowjet {

template <class T>
void adam_update_cpu(T* param, const T* grad, T* exp_avg, T* exp_avg_sq, int64_t n, const AdamStepScalars& s) {
  const AdamCoefficients<T> c = adam_coefficients<T>(s);
  parallel_for(n, 1 << 14, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) adam_update_element(param[i], grad[i], exp_avg[i], exp_avg_sq[i], c);
  });
}

template void adam_update_cpu<float>(float*, const float*, float*, float*, int64_t, const AdamStepScalars&);
template void adam_update_cpu<double>(double*, const double*, double*, double*, int64_t, const AdamStepScalars&);

}  // namespace flowjet

// CUDA kernel of knn: one thread per point walks the other points of its group in increasing point number
// and keeps the k best (distance, point number) pairs in an insertion-sorted list in device scratch.
// Same indices as the CPU kernel, bit for bit: both compute the distance with knn_distance.h (explicit
// fma, feature order, NaN as +infinity), and since candidates arrive in increasing point number and only
// a strictly smaller distance moves ahead, equal distances keep the lower point number first, as the
// CPU's (distance, point) pair order does.
#include "engine/backend/cuda/launch.cuh"
#include "engine/ops/knn/knn.h"
#include "engine/ops/knn/knn_distance.h"
#include "engine/tensor/storage.h"

namespace flowjet {
namespace {

template <class T>
__global__ void knn_kernel(const T* x, int64_t* index, T* best, int64_t groups, int64_t points, int64_t features,
                           int64_t k) {
  FLOWJET_KERNEL_LOOP(row, groups * points) {  // row = (g, i) flattened
    const int64_t g = row / points, i = row % points;
    const T* xg = x + g * points * features;
    const T* xi = xg + i * features;
    T* best_d = best + row * k;  // ascending distances of the chosen neighbours so far
    int64_t* best_j = index + row * k;
    int64_t count = 0;
    for (int64_t j = 0; j < points; ++j) {
      if (j == i) continue;
      const T d = knn_squared_distance(xi, xg + j * features, features);
      if (count == k && !(d < best_d[k - 1])) continue;  // not better than the k-th: a tie keeps the lower j
      int64_t m = count < k ? count++ : k - 1;
      for (; m > 0 && d < best_d[m - 1]; --m) {
        best_d[m] = best_d[m - 1];
        best_j[m] = best_j[m - 1];
      }
      best_d[m] = d;
      best_j[m] = j;
    }
  }
}

}  // namespace

template <class T>
void knn_forward_cuda(const T* x, int64_t* index, int64_t groups, int64_t points, int64_t features, int64_t k) {
  const int64_t rows = groups * points;
  if (k == 0 || rows == 0) return;
  const auto slots = static_cast<std::size_t>(rows * k);
  Storage device_index(slots * sizeof(int64_t), Device::CUDA), best(slots * sizeof(T), Device::CUDA);
  knn_kernel<T><<<cuda::grid_for(rows), cuda::kBlockSize, 0, cuda::stream()>>>(
      x, static_cast<int64_t*>(device_index.data()), static_cast<T*>(best.data()), groups, points, features, k);
  FLOWJET_CUDA_CHECK_LAUNCH();
  detail::copy_bytes(index, Device::CPU, device_index.data(), Device::CUDA, slots * sizeof(int64_t));
}

template void knn_forward_cuda<float>(const float*, int64_t*, int64_t, int64_t, int64_t, int64_t);
template void knn_forward_cuda<double>(const double*, int64_t*, int64_t, int64_t, int64_t, int64_t);

}  // namespace flowjet

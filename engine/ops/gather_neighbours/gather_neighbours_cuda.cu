// CUDA kernels of gather_neighbours. The host's index list is uploaded once per call.
// Forward: one thread per output element y[g, i, m, c].
// Backward without atomics: the host inverts the index list (for each point, the flattened (g, i, m)
// positions that read it, in increasing order: a stable counting sort), and one thread per grad_x element
// adds its sources in that order. That is the CPU kernel's order of additions, so the gradients are
// deterministic and equal to the CPU's bit for bit.
#include <memory>
#include <vector>

#include "engine/backend/cuda/launch.cuh"
#include "engine/ops/gather_neighbours/gather_neighbours.h"
#include "engine/tensor/storage.h"

namespace flowjet {
namespace {

// A copy of `count` host integers in device memory.
std::unique_ptr<Storage> upload(const int64_t* values, std::size_t count) {
  auto device = std::make_unique<Storage>(count * sizeof(int64_t), Device::CUDA);
  detail::copy_bytes(device->data(), Device::CUDA, values, Device::CPU, count * sizeof(int64_t));
  return device;
}

// Readers of each point: the edges e = (g, i, m) with index[e] = j, for point p = (g, j), are
// order[start[p] .. start[p + 1]), in increasing e.
struct Readers {
  std::vector<int64_t> start, order;
};

Readers invert(const int64_t* index, int64_t groups, int64_t points, int64_t k) {
  const int64_t edges = groups * points * k;
  Readers r{std::vector<int64_t>(static_cast<std::size_t>(groups * points + 1), 0),
            std::vector<int64_t>(static_cast<std::size_t>(edges))};
  auto point_of = [&](int64_t e) { return static_cast<std::size_t>(e / (points * k) * points + index[e]); };
  for (int64_t e = 0; e < edges; ++e) ++r.start[point_of(e) + 1];
  for (std::size_t p = 1; p < r.start.size(); ++p) r.start[p] += r.start[p - 1];
  std::vector<int64_t> next(r.start.begin(), r.start.end() - 1);
  for (int64_t e = 0; e < edges; ++e) r.order[static_cast<std::size_t>(next[point_of(e)]++)] = e;
  return r;
}

template <class T>
__global__ void gather_forward_kernel(const T* x, const int64_t* index, T* y, int64_t points, int64_t k,
                                      int64_t channels, int64_t total) {
  FLOWJET_KERNEL_LOOP(o, total) {
    const int64_t e = o / channels, c = o % channels, g = e / (points * k);
    y[o] = x[(g * points + index[e]) * channels + c];
  }
}

template <class T>
__global__ void gather_backward_kernel(const T* grad_y, const int64_t* start, const int64_t* order, T* grad_x,
                                       int64_t channels, int64_t total) {
  FLOWJET_KERNEL_LOOP(o, total) {
    const int64_t p = o / channels, c = o % channels;
    T acc = grad_x[o];
    for (int64_t s = start[p]; s < start[p + 1]; ++s) acc += grad_y[order[s] * channels + c];
    grad_x[o] = acc;
  }
}

}  // namespace

template <class T>
void gather_neighbours_forward_cuda(const T* x, const int64_t* index, T* y, int64_t groups, int64_t points, int64_t k,
                                    int64_t channels) {
  const int64_t total = groups * points * k * channels;
  if (total == 0) return;
  const auto device_index = upload(index, static_cast<std::size_t>(groups * points * k));
  gather_forward_kernel<T><<<cuda::grid_for(total), cuda::kBlockSize, 0, cuda::stream()>>>(
      x, static_cast<const int64_t*>(device_index->data()), y, points, k, channels, total);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

template <class T>
void gather_neighbours_backward_cuda(const T* grad_y, const int64_t* index, T* grad_x, int64_t groups, int64_t points,
                                     int64_t k, int64_t channels) {
  const int64_t total = groups * points * channels;
  if (total == 0 || k == 0) return;
  const Readers readers = invert(index, groups, points, k);
  const auto start = upload(readers.start.data(), readers.start.size());
  const auto order = upload(readers.order.data(), readers.order.size());
  gather_backward_kernel<T><<<cuda::grid_for(total), cuda::kBlockSize, 0, cuda::stream()>>>(
      grad_y, static_cast<const int64_t*>(start->data()), static_cast<const int64_t*>(order->data()), grad_x, channels,
      total);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

template void gather_neighbours_forward_cuda<float>(const float*, const int64_t*, float*, int64_t, int64_t, int64_t,
                                                    int64_t);
template void gather_neighbours_forward_cuda<double>(const double*, const int64_t*, double*, int64_t, int64_t,
                                                     int64_t, int64_t);
template void gather_neighbours_backward_cuda<float>(const float*, const int64_t*, float*, int64_t, int64_t, int64_t,
                                                     int64_t);
template void gather_neighbours_backward_cuda<double>(const double*, const int64_t*, double*, int64_t, int64_t,
                                                      int64_t, int64_t);

}  // namespace flowjet

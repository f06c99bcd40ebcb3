// The gradient bucket and the state broadcast.
#include "engine/dist/tensor_collectives.h"

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/core/error.h"
#include "engine/ops/binary/binary.h"

namespace flowjet::dist {
namespace {

void require_f32(const Tensor& t, const std::string& name) {
  if (t.dtype() != DType::F32)
    throw TypeError(fmt::format("all_reduce_gradients: {} is not F32 ({})", name, t.describe()));
}

}  // namespace

std::vector<double> all_reduce_gradients(Communicator& comm, const NamedTensors& params, double weight,
                                         const std::vector<Tensor>& values, const std::string& what) {
  std::vector<Tensor> grads;
  int64_t total = static_cast<int64_t>(values.size());
  for (const NamedTensor& p : params) {
    const Tensor g = p.tensor.grad();
    if (!g.defined()) continue;
    require_f32(g, "the gradient of " + p.name);
    grads.push_back(g);
    total += g.numel();
  }
  const Device where = comm.buffer_device();
  Tensor bucket = Tensor::empty({total}, DType::F32, where);
  auto* base = static_cast<char*>(bucket.raw_data());
  size_t offset = 0;
  for (const Tensor& g : grads) {
    const size_t bytes = static_cast<size_t>(g.numel()) * sizeof(float);
    detail::copy_bytes(base + offset, where, g.raw_data(), g.device(), bytes);
    offset += bytes;
  }
  for (const Tensor& v : values) {
    if (v.numel() != 1) throw ShapeError(fmt::format("all_reduce_gradients: a value of {} elements", v.numel()));
    const Tensor f = v.dtype() == DType::F32 ? v : v.to(DType::F32);
    detail::copy_bytes(base + offset, where, f.raw_data(), f.device(), sizeof(float));
    offset += sizeof(float);
  }
  {
    NoGradScope not_recorded;
    bucket = bucket * weight;
  }
  comm.allreduce_sum(bucket.data<float>(), total, what);

  base = static_cast<char*>(bucket.raw_data());
  offset = 0;
  for (Tensor& g : grads) {
    const size_t bytes = static_cast<size_t>(g.numel()) * sizeof(float);
    detail::copy_bytes(g.raw_data(), g.device(), base + offset, where, bytes);
    offset += bytes;
  }
  std::vector<float> sums(values.size());
  detail::copy_bytes(sums.data(), Device::CPU, base + offset, where, sums.size() * sizeof(float));
  return std::vector<double>(sums.begin(), sums.end());
}

void broadcast_tensors(Communicator& comm, const NamedTensors& tensors, int root, const std::string& what) {
  if (comm.size() == 1) return;
  for (const NamedTensor& t : tensors) {
    Tensor target = t.tensor;
    Tensor host = target.to(Device::CPU);  // the tensor itself when it lives on the host
    comm.broadcast(host.raw_data(), static_cast<size_t>(host.numel()) * dtype_size(host.dtype()), root,
                   fmt::format("{} ({})", what, t.name));
    if (!host.is_same(target)) target.copy_(host);
  }
}

}  // namespace flowjet::dist

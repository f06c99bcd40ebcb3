// Data-parallel communication between the ranks of one training job (docs/distributed.md): each
// rank is one process holding the whole model; they exchange flat buffers. Three implementations:
// the single process (no other ranks), MPI (host buffers; mpi_communicator.h) and NCCL (device
// buffers, bootstrapped over MPI; nccl_communicator.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/core/device.h"

namespace flowjet::dist {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  /// Where the buffers handed to allreduce_sum live (CPU for MPI, the GPU for NCCL).
  virtual Device buffer_device() const = 0;
  /// Replaces data[0..count) on every rank by its sum over the ranks. `what` names the operation in
  /// the message of a collective that does not complete in time (e.g. "the gradients of step 12").
  virtual void allreduce_sum(float* data, int64_t count, const std::string& what) = 0;
  /// The same in double (synchronised batch norm's statistics, which are summed in double).
  virtual void allreduce_sum(double* data, int64_t count, const std::string& what) = 0;
  /// Copies bytes [data, data + bytes) of rank `root` to every other rank (host memory).
  virtual void broadcast(void* data, size_t bytes, int root, const std::string& what) = 0;
  virtual void barrier(const std::string& what) = 0;
  /// Ends every rank of the job at once, after printing `message` on stderr; never returns.
  [[noreturn]] virtual void abort(const std::string& message) = 0;
};

/// The one-process job: rank 0 of 1; the collectives leave the buffers as they are.
class SingleProcess final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  Device buffer_device() const override { return Device::CPU; }
  void allreduce_sum(float*, int64_t, const std::string&) override {}
  void allreduce_sum(double*, int64_t, const std::string&) override {}
  void broadcast(void*, size_t, int, const std::string&) override {}
  void barrier(const std::string&) override {}
  [[noreturn]] void abort(const std::string& message) override;
};

/// comm.abort(message), for callers the compiler must know it does not return from (a virtual
/// call's [[noreturn]] is not seen through the base class).
[[noreturn]] void abort_job(Communicator& comm, const std::string& message);

/// The shared instance (it has no state) for users without a communicator.
SingleProcess& single_process();

/// The rows [begin, end) of a batch of `rows` that rank `rank` of `size` takes: consecutive shards,
/// the first rows % size ranks one row more than the others.
struct Shard {
  int64_t begin = 0, end = 0;
  int64_t rows() const { return end - begin; }
};
Shard shard_of(int64_t rows, int rank, int size);

/// The names train.distributed accepts: "none", "mpi", "nccl".
bool is_distributed_kind(const std::string& kind);
/// True when this build can make a communicator of `kind` ("none" always).
bool kind_available(const std::string& kind);
/// The communicator of `kind`; a collective that has not completed after `timeout_seconds` aborts
/// the job naming the rank and the operation. Throws ConfigError for a kind this build lacks.
std::unique_ptr<Communicator> make_communicator(const std::string& kind, double timeout_seconds);

}  // namespace flowjet::dist

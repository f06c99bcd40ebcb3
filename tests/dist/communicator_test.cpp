// engine/dist without other processes: batch shards, the gradient bucket's round trip and weighting
// (on the single-process communicator the sum over ranks is the rank's own weighted values), the
// choice of communicator, the state broadcast's no-op, and synchronised batch norm's reducer and key.
#include <doctest/doctest.h>

#include "engine/core/error.h"
#include "engine/dist/communicator.h"
#include "engine/dist/stats_reducer.h"
#include "engine/dist/tensor_collectives.h"
#include "tests/support/error_message.h"
#include "tools/common/train_config.h"

using namespace flowjet;

TEST_CASE("dist/shard_of: consecutive shards cover the batch, the remainder goes to the first ranks") {
  for (int size : {1, 2, 3, 7})
    for (int64_t rows : {7, 10, 100, 101}) {
      int64_t next = 0;
      for (int rank = 0; rank < size; ++rank) {
        const dist::Shard s = dist::shard_of(rows, rank, size);
        CHECK(s.begin == next);
        CHECK(s.rows() == rows / size + (rank < rows % size ? 1 : 0));
        next = s.end;
      }
      CHECK(next == rows);
    }
  CHECK(dist::shard_of(10, 0, 3).rows() == 4);
  CHECK(dist::shard_of(10, 2, 3).begin == 7);
  CHECK_THROWS_AS(dist::shard_of(10, 2, 2), ConfigError);
}

TEST_CASE("dist/all_reduce_gradients: one flat bucket, weighted, written back; values returned") {
  Tensor a = Tensor::from_vector({1.0, -2.0, 3.0}, {3}).set_requires_grad();
  Tensor b = Tensor::from_vector({0.5, 0.25}, {2, 1}).set_requires_grad();
  Tensor no_grad = Tensor::from_vector({9.0}, {1}).set_requires_grad();
  a.set_grad(Tensor::from_vector({1.0, 2.0, 4.0}, {3}));
  b.set_grad(Tensor::from_vector({-8.0, 16.0}, {2, 1}));
  const NamedTensors params{{"a", a}, {"b", b}, {"c", no_grad}};
  const std::vector<double> sums =
      dist::all_reduce_gradients(dist::single_process(), params, 0.25, {Tensor::from_vector({6.0}, {1}),
                                                                        Tensor::from_vector({-2.0}, {1}, DType::F64)},
                                 "a test");
  CHECK(a.grad().to_vector() == std::vector<double>{0.25, 0.5, 1.0});
  CHECK(b.grad().to_vector() == std::vector<double>{-2.0, 4.0});
  CHECK_FALSE(no_grad.grad().defined());
  CHECK(sums == std::vector<double>{1.5, -0.5});
  CHECK_THROWS_AS(dist::all_reduce_gradients(dist::single_process(), params, 1.0, {Tensor::zeros({2})}, "a test"),
                  ShapeError);
}

TEST_CASE("dist/options: train.distributed keys are checked, naming the configuration") {
  const auto options = [](const std::vector<std::string>& overrides) {
    return tools::train_options_from(tools::load_train_config("configs/quick.ini", overrides));
  };
  CHECK(options({}).distributed == "none");
  CHECK(options({"train.distributed=mpi", "train.distributed_timeout=2.5"}).distributed_timeout == 2.5);
  CHECK(test::error_message<ConfigError>([&] { options({"train.distributed=nccl"}); }) ==
        "configs/quick.ini: training options: distributed = nccl all-reduces on the GPU: it needs device = cuda (one "
        "GPU per rank), got \"cpu\"");
  CHECK(test::contains(test::error_message<ConfigError>([&] { options({"train.distributed=gloo"}); }), "gloo"));
  CHECK(test::contains(test::error_message<ConfigError>([&] { options({"train.distributed_timeout=0"}); }),
                       "distributed_timeout = 0 must be in"));
}

TEST_CASE("dist/make_communicator: none is one process; unknown kinds and bad timeouts are refused") {
  const auto single = dist::make_communicator("none", 10.0);
  CHECK(single->rank() == 0);
  CHECK(single->size() == 1);
  Tensor t = Tensor::from_vector({1.0, 2.0}, {2});
  dist::broadcast_tensors(*single, {{"t", t}}, 0, "a test");
  CHECK(t.to_vector() == std::vector<double>{1.0, 2.0});
  CHECK(test::error_message<ConfigError>([] { dist::make_communicator("gloo", 10.0); }) ==
        "train.distributed = gloo: expected none, mpi or nccl");
  CHECK(test::error_message<ConfigError>([] { dist::make_communicator("none", 0.0); }) ==
        "train.distributed_timeout = 0: must be positive");
  CHECK(dist::kind_available("none"));
#ifndef FLOWJET_MPI
  CHECK_FALSE(dist::kind_available("mpi"));
  CHECK(test::contains(test::error_message<ConfigError>([] { dist::make_communicator("mpi", 10.0); }),
                       "this build has no mpi support"));
#endif
}

namespace {

// A communicator whose buffers live on the GPU, as NCCL's, for the reducer's refusal (never reduces).
struct DeviceBuffers final : dist::Communicator {
  int rank() const override { return 0; }
  int size() const override { return 2; }
  Device buffer_device() const override { return Device::CUDA; }
  void allreduce_sum(float*, int64_t, const std::string&) override {}
  void allreduce_sum(double*, int64_t, const std::string&) override {}
  void broadcast(void*, size_t, int, const std::string&) override {}
  void barrier(const std::string&) override {}
  [[noreturn]] void abort(const std::string& message) override { throw InternalError(message); }
};

}  // namespace

TEST_CASE("dist/sync_batchnorm: the reducer sums in double over host buffers; the key is checked") {
  dist::CommunicatorStatsReducer reducer(dist::single_process());
  std::vector<double> sums{1.0 + 1e-12, -2.5, 3.0};
  reducer.sum(sums.data(), 3);
  CHECK(sums == std::vector<double>{1.0 + 1e-12, -2.5, 3.0});  // one rank: the sum is its own, in double
  DeviceBuffers gpu;
  CHECK(test::contains(test::error_message<ConfigError>([&] { dist::CommunicatorStatsReducer refused(gpu); }),
                       "train.sync_batchnorm = true needs train.distributed = mpi"));

  const auto options = [](const std::vector<std::string>& overrides) {
    return tools::train_options_from(tools::load_train_config("configs/quick.ini", overrides));
  };
  CHECK_FALSE(options({}).sync_batchnorm);
  CHECK(options({"train.distributed=mpi", "train.sync_batchnorm=true"}).sync_batchnorm);
  CHECK(test::error_message<ConfigError>([&] {
          options({"train.device=cuda", "train.distributed=nccl", "train.sync_batchnorm=true"});
        }) == "configs/quick.ini: training options: sync_batchnorm = true is implemented for distributed = mpi (CPU "
              "ranks) only, not nccl");
}

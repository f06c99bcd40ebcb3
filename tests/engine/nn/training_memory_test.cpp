// The memory test of a training loop: 1,000 hand-written SGD steps on a fixed batch through
// Linear -> BatchNorm1d -> relu -> Linear must leave the tape empty and the live allocations exactly
// as they were after the first step (nothing grows), and must lower the loss.
#include <doctest/doctest.h>

#include <memory>

#include "engine/autograd/recording.h"
#include "engine/autograd/tape.h"
#include "engine/nn/batchnorm1d.h"
#include "engine/nn/linear.h"
#include "engine/ops/linear/linear.h"
#include "engine/ops/unary/unary.h"
#include "engine/tensor/storage.h"

using namespace flowjet;

namespace {

struct SmallModel : Module {
  explicit SmallModel(Generator& gen)
      : first(register_module("first", std::make_unique<Linear>(4, 16, gen))),
        norm(register_module("norm", std::make_unique<BatchNorm1d>(16))),
        second(register_module("second", std::make_unique<Linear>(16, 1, gen))) {}
  Tensor forward(const Tensor& x) { return second(relu(norm(first(x)))); }
  Linear& first;
  BatchNorm1d& norm;
  Linear& second;
};

// One step: loss = sum(model(x)^2) (square, then a product with a row of ones), backward, SGD, zero_grad.
double sgd_step(SmallModel& model, const Tensor& x, const Tensor& ones_row, float learning_rate) {
  Tensor loss = matmul(ones_row, square(model.forward(x)));  // [1, 1]
  backward(loss);
  {
    NoGradScope no_grad;
    for (Tensor& p : model.parameters()) {
      Tensor grad = p.grad();
      float* value = p.data<float>();
      const float* g = grad.data<float>();
      for (int64_t i = 0; i < p.numel(); ++i) value[i] -= learning_rate * g[i];  // param -= lr * grad
    }
  }
  model.zero_grad();
  return loss.item();
}

}  // namespace

TEST_CASE("nn/training: 1,000 SGD steps keep the tape empty and memory constant, and lower the loss") {
  Generator gen(30);
  SmallModel model(gen);
  Tensor x = random_normal(Shape{32, 4}, gen);  // x: [batch, features]
  Tensor ones_row = Tensor::ones(Shape{1, 32});
  const double first_loss = sgd_step(model, x, ones_row, 1e-3f);
  CHECK(tape().empty());
  const AllocatorStats after_first = allocator_stats(Device::CPU);
  double loss = first_loss;
  int grown = 0;
  for (int step = 1; step < 1000; ++step) {
    loss = sgd_step(model, x, ones_row, 1e-3f);
    const AllocatorStats now = allocator_stats(Device::CPU);
    if (!tape().empty() || now.live_blocks != after_first.live_blocks || now.live_bytes != after_first.live_bytes) {
      ++grown;
      INFO("step " << step << ": tape " << tape().size() << " nodes, " << now.live_blocks << " blocks / "
                   << now.live_bytes << " bytes live, after step 0: " << after_first.live_blocks << " / "
                   << after_first.live_bytes);
      CHECK(false);
      break;
    }
  }
  CHECK(grown == 0);
  INFO("loss " << first_loss << " -> " << loss);
  CHECK(loss < 0.5 * first_loss);
}

// Tests of Adam/AdamW: the golden steps of flow-model.md §7.3 (f64 and f32), skipping of parameters
// without a gradient, zero gradients, state snapshots and their validation.
#include <cmath>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "engine/autograd/recording.h"
#include "engine/core/error.h"
#include "engine/optim/adam.h"
#include "tests/support/tolerance.h"

using namespace flowjet;
using flowjet::test::relative_approx;

namespace {

// Gradients of the three golden steps (flow-model.md §7.3).
const std::vector<std::vector<double>> kGoldenGrads = {{0.1, 0.0}, {-0.2, 3.0}, {0.3, -1e-9}};

struct GoldenCase {
  const char* name;
  AdamOptions options;
  std::vector<std::vector<double>> expected;  // θ after steps 1, 2, 3 (flow-model.md §7.3 table, from PyTorch f64)
};

std::vector<GoldenCase> golden_cases() {
  AdamOptions l2;
  l2.weight_decay = 0.01;
  return {
      {"Adam", AdamOptions{},
       {{0.4990000001, -1.5}, {0.4993661036038849, -1.50074413682006}, {0.4990228625394774, -1.5013193567378837}}},
      {"Adam, weight_decay 0.01 (L2)", l2,
       {{0.4990000000952381, -1.4990000006666662},
        {0.49933773354813765, -1.4997407627117327},
        {0.498974066262084, -1.500310155606637}}},
      {"AdamW", AdamOptions::adamw(),
       {{0.49899500010000003, -1.4999850000000001},
        {0.49935611365388394, -1.5007141369700603},
        {0.49900787902833993, -1.5012743497465144}}},
  };
}

void run_golden(DType dtype, double rel_tol) {
  for (const GoldenCase& c : golden_cases()) {
    CAPTURE(c.name);
    Tensor theta = Tensor::from_vector({0.5, -1.5}, Shape{2}, dtype).set_requires_grad();
    Adam adam({{"theta", theta}}, c.options);
    for (std::size_t step = 0; step < kGoldenGrads.size(); ++step) {
      CAPTURE(step);
      theta.set_grad(Tensor::from_vector(kGoldenGrads[step], Shape{2}, dtype));
      adam.step();
      std::vector<double> got = theta.to_vector();
      for (std::size_t i = 0; i < 2; ++i)
        CHECK(got[i] == relative_approx(c.expected[step][i], rel_tol));
    }
    CHECK(adam.step_count("theta") == 3);
  }
}

}  // namespace

TEST_CASE("optim/adam: golden steps of flow-model.md §7.3 in f64") { run_golden(DType::F64, 1e-15); }

// f32 arithmetic rounds each step at ~6e-8 relative; three steps stay well inside 1e-6.
TEST_CASE("optim/adam: golden steps of flow-model.md §7.3 in f32") { run_golden(DType::F32, 1e-6); }

TEST_CASE("optim/adam: a parameter without gradient is skipped, a zero gradient is not") {
  Tensor used = Tensor::from_vector({0.5}, Shape{1}, DType::F64).set_requires_grad();
  Tensor unused = Tensor::from_vector({0.5}, Shape{1}, DType::F64).set_requires_grad();
  Tensor zero = Tensor::from_vector({0.5}, Shape{1}, DType::F64).set_requires_grad();
  Adam adamw({{"used", used}, {"unused", unused}, {"zero", zero}}, AdamOptions::adamw());
  used.set_grad(Tensor::from_vector({0.1}, Shape{1}, DType::F64));
  zero.set_grad(Tensor::zeros(Shape{1}, DType::F64));
  adamw.step();
  CHECK(unused.item() == 0.5);  // no decay, no moments, no step count
  CHECK(adamw.step_count("unused") == 0);
  CHECK(adamw.step_count("zero") == 1);
  // zero gradient: m = v = 0 so only the decoupled decay moves it: 0.5 * (1 - 1e-3 * 1e-2).
  CHECK(zero.item() == relative_approx(0.499995, 1e-15));
  CHECK(used.item() == relative_approx(0.49899500010000003, 1e-15));  // flow-model.md §7.3 AdamW step 1

  // Plain Adam: after a real gradient, a zero gradient still moves the parameter by its momentum.
  // Expected by hand (python math): m2 = 0.009, v2 = 0.999e-5, bc1 = 0.19, bc2 = 0.001999.
  Tensor theta = Tensor::from_vector({0.5}, Shape{1}, DType::F64).set_requires_grad();
  Adam adam({{"theta", theta}});
  theta.set_grad(Tensor::from_vector({0.1}, Shape{1}, DType::F64));
  adam.step();
  theta.set_grad(Tensor::zeros(Shape{1}, DType::F64));
  adam.step();
  CHECK(theta.item() == relative_approx(0.4983299419406477, 1e-15));

  adam.zero_grad();
  CHECK_FALSE(theta.grad().defined());
  adam.step();  // no gradient now: nothing moves
  CHECK(theta.item() == relative_approx(0.4983299419406477, 1e-15));
  CHECK(adam.step_count("theta") == 2);
}

TEST_CASE("optim/adam: the update is not recorded and set_lr takes effect") {
  Tensor theta = Tensor::from_vector({1.0, 2.0}, Shape{2}, DType::F64).set_requires_grad();
  Adam adam({{"theta", theta}});
  adam.set_lr(0.5);
  CHECK(adam.lr() == 0.5);
  theta.set_grad(Tensor::from_vector({1.0, -1.0}, Shape{2}, DType::F64));
  adam.step();
  // Step 1 moves each element by lr * sign(g) up to eps: |g| / (|g| + 1e-8) = 1 - 1e-8.
  CHECK(theta.to_vector()[0] == relative_approx(0.5, 1e-7));
  CHECK(theta.to_vector()[1] == relative_approx(2.5, 1e-7));
  CHECK(theta.is_leaf());
  CHECK_THROWS_AS(adam.set_lr(-1.0), ConfigError);
  CHECK(adam.lr() == 0.5);
}

TEST_CASE("optim/adam: invalid options and parameters") {
  Tensor t = Tensor::zeros(Shape{2});
  AdamOptions bad;
  bad.beta2 = 1.0;
  CHECK_THROWS_AS(Adam({{"t", t}}, bad), ConfigError);
  bad = AdamOptions{};
  bad.eps = -1.0;
  CHECK_THROWS_AS(Adam({{"t", t}}, bad), ConfigError);
  CHECK_THROWS_WITH_AS(Adam({{"t", t}, {"t", Tensor::zeros(Shape{1})}}), doctest::Contains("\"t\" appears twice"),
                       ConfigError);
  CHECK_THROWS_AS(Adam({{"u", Tensor()}}), TypeError);
  Adam adam({{"t", t}});
  CHECK_THROWS_AS(adam.step_count("nope"), ConfigError);
}

TEST_CASE("optim/adam: state round trip continues exactly like an uninterrupted run") {
  auto make = [] { return Tensor::from_vector({0.5, -1.5, 2.0, 0.25}, Shape{2, 2}, DType::F32).set_requires_grad(); };
  const std::vector<std::vector<double>> grads = {{0.1, 0.2, -0.3, 0.0}, {-0.5, 1.0, 0.25, 2.0}, {0.3, -0.1, 0.0, 1.0}};
  Tensor a = make();
  Adam first({{"w", a}}, AdamOptions::adamw(1e-2));
  for (int s = 0; s < 2; ++s) {
    a.set_grad(Tensor::from_vector(grads[s], Shape{2, 2}, DType::F32));
    first.step();
  }
  NamedTensors state = first.state();
  REQUIRE(state.size() == 3);
  CHECK(state[0].name == "w.exp_avg");
  CHECK(state[1].name == "w.exp_avg_sq");
  CHECK(state[2].name == "w.step");
  CHECK(state[2].tensor.item() == 2.0);
  CHECK(state[2].tensor.dtype() == DType::F64);

  Tensor b = a.clone().set_requires_grad();
  Adam second({{"w", b}}, AdamOptions::adamw(1e-2));
  second.load_state(state);
  CHECK(second.step_count("w") == 2);
  a.set_grad(Tensor::from_vector(grads[2], Shape{2, 2}, DType::F32));
  b.set_grad(Tensor::from_vector(grads[2], Shape{2, 2}, DType::F32));
  first.step();
  second.step();
  CHECK(a.to_vector() == b.to_vector());
}

TEST_CASE("optim/adam: load_state reports every problem and changes nothing on failure") {
  Tensor w = Tensor::zeros(Shape{2, 3}, DType::F64);
  Tensor bias = Tensor::zeros(Shape{3}, DType::F64);
  Adam adam({{"w", w}, {"bias", bias}});
  NamedTensors good = adam.state();
  good[0].tensor.fill_(7.0);
  good[2].tensor.fill_(4.0);

  NamedTensors bad = good;
  bad[1].tensor = Tensor::zeros(Shape{3, 2}, DType::F64);   // w.exp_avg_sq: wrong shape
  bad.erase(bad.begin() + 5);                                // bias.step missing
  bad.push_back({"extra.exp_avg", Tensor::zeros(Shape{1})});  // unknown
  try {
    adam.load_state(bad);
    FAIL("load_state accepted a bad state");
  } catch (const CheckpointError& e) {
    const std::string msg = e.what();
    CHECK(msg.find("\"w.exp_avg_sq\" is f64[3, 2] on cpu, expected f64[2, 3]") != std::string::npos);
    CHECK(msg.find("\"bias.step\" is missing") != std::string::npos);
    CHECK(msg.find("\"extra.exp_avg\" is not a state of this optimiser") != std::string::npos);
  }
  CHECK(adam.step_count("w") == 0);
  CHECK(adam.state()[0].tensor.to_vector() == std::vector<double>(6, 0.0));

  NamedTensors wrong_dtype = good;
  wrong_dtype[3].tensor = Tensor::zeros(Shape{3}, DType::F32);
  CHECK_THROWS_WITH_AS(adam.load_state(wrong_dtype), doctest::Contains("expected f64[3]"), CheckpointError);
  NamedTensors fractional = good;
  fractional[2].tensor = Tensor::full(Shape{}, 1.5, DType::F64);
  CHECK_THROWS_WITH_AS(adam.load_state(fractional), doctest::Contains("not a non-negative integer"), CheckpointError);

  adam.load_state(good);
  CHECK(adam.step_count("w") == 4);
  CHECK(adam.state()[0].tensor.to_vector() == std::vector<double>(6, 7.0));
}

// Tests of the Module registry: dotted names, order and counts, mode propagation, zero_grad, to(dtype).
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/autograd/tape.h"
#include "engine/core/error.h"
#include "engine/nn/batchnorm1d.h"
#include "engine/nn/dropout.h"
#include "engine/nn/linear.h"
#include "engine/ops/unary/unary.h"

using namespace flowjet;

namespace {

// A Linear + BatchNorm1d + Dropout stack, like one residual block's first half.
struct Block : Module {
  Block(int64_t features, Generator& gen, DType dtype = DType::F32)
      : linear_0(register_module("linear_0", std::make_unique<Linear>(features, features, gen, true, dtype))),
        norm(register_module("norm", std::make_unique<BatchNorm1d>(features, 1e-3, 0.1, dtype))),
        drop(register_module("dropout", std::make_unique<Dropout>(0.5, gen))) {}
  Tensor forward(const Tensor& x) { return drop(relu(norm(linear_0(x)))); }
  Linear& linear_0;
  BatchNorm1d& norm;
  Dropout& drop;
};

// A parameter of its own, registered after a child, plus a list of blocks.
struct Net : Module {
  Net(Generator& gen, DType dtype = DType::F32)
      : input(register_module("input", std::make_unique<Linear>(2, 3, gen, false, dtype))),
        blocks(register_module("blocks", std::make_unique<ModuleList>())) {
    scale = Tensor::ones(Shape{3}, dtype);
    register_parameter("scale", scale);
    for (int b = 0; b < 2; ++b) blocks.push_back(std::make_unique<Block>(3, gen, dtype));
  }
  Linear& input;
  ModuleList& blocks;
  Tensor scale;
};

std::vector<std::string> names_of(const NamedTensors& tensors) {
  std::vector<std::string> names;
  for (const NamedTensor& t : tensors) names.push_back(t.name);
  return names;
}

}  // namespace

TEST_CASE("nn/module: dotted names, order and counts of a composite") {
  Generator gen(1);
  Net net(gen);
  // Own parameters first, then children in registration order (torch's named_parameters order).
  CHECK(names_of(net.named_parameters()) ==
        std::vector<std::string>{"scale", "input.weight", "blocks.0.linear_0.weight", "blocks.0.linear_0.bias",
                                 "blocks.0.norm.weight", "blocks.0.norm.bias", "blocks.1.linear_0.weight",
                                 "blocks.1.linear_0.bias", "blocks.1.norm.weight", "blocks.1.norm.bias"});
  CHECK(names_of(net.named_buffers()) ==
        std::vector<std::string>{"blocks.0.norm.running_mean", "blocks.0.norm.running_var",
                                 "blocks.1.norm.running_mean", "blocks.1.norm.running_var"});
  // 3 + 2*3 + 2 * (3*3 + 3 + 3 + 3)
  CHECK(net.parameter_count() == 45);
  CHECK(net.parameters().size() == 10);
  CHECK(net.parameters()[1].is_same(net.input.weight()));
  for (const Tensor& p : net.parameters()) CHECK(p.requires_grad());
  for (const NamedTensor& b : net.named_buffers()) CHECK(!b.tensor.requires_grad());
  CHECK(net.blocks.size() == 2);
  CHECK(&net.blocks.at<Block>(1) == &net.blocks[1]);
  CHECK_THROWS_AS(net.blocks.at<Linear>(0), TypeError);
  CHECK_THROWS_AS(net.blocks[2], ShapeError);
  auto children = net.named_children();
  REQUIRE(children.size() == 2);
  CHECK(children[0].first == "input");
  CHECK(children[1].second == &net.blocks);
}

TEST_CASE("nn/module: bad and duplicate names throw ConfigError naming them") {
  struct Bad : Module {
    Tensor a = Tensor::zeros(Shape{1}), b = Tensor::zeros(Shape{1});
    void add(const std::string& name, Tensor& t) { register_parameter(name, t); }
    void add_buffer(const std::string& name, Tensor& t) { register_buffer(name, t); }
  } bad;
  bad.add("a", bad.a);
  try {
    bad.add_buffer("a", bad.b);
    FAIL("expected ConfigError");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("\"a\"") != std::string::npos);
  }
  CHECK_THROWS_AS(bad.add("x.y", bad.b), ConfigError);
  CHECK_THROWS_AS(bad.add("", bad.b), ConfigError);
}

TEST_CASE("nn/module: train and eval reach every descendant; new children follow the parent") {
  Generator gen(2);
  Net net(gen);
  CHECK(net.is_training());
  net.eval();
  CHECK(!net.is_training());
  CHECK(!net.blocks.at<Block>(0).norm.is_training());
  CHECK(!net.blocks.at<Block>(1).drop.is_training());
  net.blocks.push_back(std::make_unique<Block>(3, gen));
  CHECK(!net.blocks.at<Block>(2).linear_0.is_training());
  net.train();
  CHECK(net.blocks.at<Block>(2).norm.is_training());
  net.blocks.at<Block>(0).eval();  // a subtree alone
  CHECK(!net.blocks.at<Block>(0).drop.is_training());
  CHECK(net.blocks.at<Block>(1).drop.is_training());
}

TEST_CASE("nn/module: zero_grad drops every gradient") {
  Generator gen(3);
  Net net(gen);
  Tensor x = random_normal(Shape{4, 2}, gen);
  Tensor y = net.blocks.at<Block>(1).forward(net.blocks.at<Block>(0).forward(net.input(x)));
  backward(y, Tensor::ones(y.shape()));
  CHECK(net.input.weight().grad().defined());
  CHECK(net.blocks.at<Block>(1).norm.gamma().grad().defined());
  net.zero_grad();
  for (const Tensor& p : net.parameters()) CHECK(!p.grad().defined());
}

TEST_CASE("nn/module: to(dtype) converts parameters and buffers in place; f64 construction") {
  Generator gen(4);
  Net f64(gen, DType::F64);
  for (const NamedTensor& p : f64.named_parameters()) CHECK(p.tensor.dtype() == DType::F64);
  for (const NamedTensor& b : f64.named_buffers()) CHECK(b.tensor.dtype() == DType::F64);
  Net net(gen);
  std::vector<std::vector<double>> before;
  for (const Tensor& p : net.parameters()) before.push_back(p.to_vector());
  net.to(DType::F64);
  std::vector<Tensor> after = net.parameters();
  REQUIRE(after.size() == before.size());
  for (std::size_t i = 0; i < after.size(); ++i) {
    CHECK(after[i].dtype() == DType::F64);
    CHECK(after[i].requires_grad());
    CHECK(after[i].to_vector() == before[i]);  // f32 values are exact in f64
  }
  for (const NamedTensor& b : net.named_buffers()) CHECK(b.tensor.dtype() == DType::F64);
  CHECK(net.input.weight().dtype() == DType::F64);  // the members themselves were replaced
  CHECK(net.scale.dtype() == DType::F64);
  Tensor y = net.input(Tensor::ones(Shape{1, 2}, DType::F64));
  CHECK(y.dtype() == DType::F64);
}

// Tests of batchnorm: values and running statistics against numpy, f64 gradchecks in training and eval
// mode for ranks 2, 3 and 4, and error paths. The expected numbers were made offline with numpy
// (float64) from the formulas of flow-model.md §3.3: mean and biased var over every axis but 1,
// y = (x - mean) / sqrt(var + eps) * gamma + beta, running = (1 - m) running + m * (mean, var * M / (M - 1)).
#include "engine/ops/batchnorm/batchnorm.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "engine/autograd/tape.h"
#include "engine/random/generator.h"
#include "tests/support/gradcheck_table.h"
#include "tests/support/tolerance.h"

using namespace flowjet;
using flowjet::test::check_all_close;
using flowjet::test::Tolerance;

namespace {

Tensor f64(const std::vector<double>& values, const Shape& shape) {
  return Tensor::from_vector(values, shape, DType::F64);
}

// Runs gradchecks of x, gamma and beta for one shape and mode.
void gradcheck_batchnorm(const Shape& shape, bool is_training, uint64_t seed) {
  Generator gen(seed);
  const int64_t C = shape[1];
  Tensor x = random_normal(shape, gen, DType::F64, Device::CPU, 0.3, 1.2).set_requires_grad();
  Tensor gamma = random_uniform(Shape{C}, gen, DType::F64, Device::CPU, 0.5, 1.5).set_requires_grad();
  Tensor beta = random_normal(Shape{C}, gen, DType::F64).set_requires_grad();
  Tensor running_mean = random_normal(Shape{C}, gen, DType::F64);
  Tensor running_var = random_uniform(Shape{C}, gen, DType::F64, Device::CPU, 0.5, 2.0);
  auto fn = [=](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{batchnorm(in[0], in[1], in[2], running_mean, running_var, is_training, 0.1, 1e-3)};
  };
  testing::check_gradients("batchnorm", std::string(is_training ? "training " : "eval ") + shape.str(), fn,
                           {x, gamma, beta}, {"x", "gamma", "beta"});
}

}  // namespace

TEST_CASE("ops/batchnorm: rank 2 values and running statistics after two training calls (numpy)") {
  for (DType dtype : {DType::F64, DType::F32}) {
    const double tol = dtype == DType::F64 ? 1e-12 : 2e-6;
    Tensor gamma = Tensor::from_vector({1.5, -0.5, 2.0}, Shape{3}, dtype);
    Tensor beta = Tensor::from_vector({0.1, 0.2, -0.3}, Shape{3}, dtype);
    Tensor running_mean = Tensor::zeros(Shape{3}, dtype), running_var = Tensor::ones(Shape{3}, dtype);
    Tensor x1 =
        Tensor::from_vector({0.5, -1.0, 2.0, 1.5, 0.25, -3.0, -0.5, 2.0, 1.0, 2.5, -0.75, 0.5}, Shape{4, 3}, dtype);
    Tensor x2 =
        Tensor::from_vector({1.0, 0.0, -1.0, 3.0, 1.0, 2.0, -2.0, 0.5, 4.0, 0.25, -1.5, 0.0}, Shape{4, 3}, dtype);
    check_all_close(batchnorm(x1, gamma, beta, running_mean, running_var, true, 0.1, 1e-3).to_vector(),
                    {-0.5705522259822752, 0.6768276331697274, 1.6908893005805876, 0.7705522259822751,
                     0.14701915187003028, -3.6181488343009796, -1.9116566779468251, -0.5947127219495458,
                     0.6290816736042744, 2.1116566779468253, 0.570865936909788, 0.09817786011611757},
                    Tolerance::approx(tol));
    check_all_close(batchnorm(x2, gamma, beta, running_mean, running_var, true, 0.1, 1e-3).to_vector(),
                    {0.4668423642154633, 0.2, -2.6430827130607235, 2.1438360292004384, -0.3342173039633603,
                     0.48102757102024124, -2.048648133261999, -0.06710865198168015, 2.5637677604075515,
                     -0.1620302601539023, 1.0013259559450405, -1.601712618367069},
                    Tolerance::approx(tol));
    check_all_close(running_mean.to_vector(), {0.14625000000000002, 0.011250000000000001, 0.13625},
                    Tolerance::approx(tol));
    check_all_close(running_var.to_vector(), {1.3865625, 1.0935416666666666, 1.727291666666667},
                    Tolerance::approx(tol));
    // Eval mode uses (and does not change) the running statistics.
    Tensor x3 = Tensor::from_vector({0.3, -0.2, 1.1, -1.2, 0.7, 0.0}, Shape{2, 3}, dtype);
    check_all_close(batchnorm(x3, gamma, beta, running_mean, running_var, false, 0.1, 1e-3).to_vector(),
                    {0.29578531151042475, 0.30096028608970504, 1.1661751983936233, -1.6143152885912806,
                     -0.12916637654099095, -0.5072802809661543},
                    Tolerance::approx(tol));
    check_all_close(running_mean.to_vector(), {0.14625000000000002, 0.011250000000000001, 0.13625},
                    Tolerance::approx(tol));
  }
}

TEST_CASE("ops/batchnorm: rank 3 statistics over batch and length (numpy)") {
  Tensor x = f64({-1.1,
                  -0.7300000000000001,
                  -0.3600000000000001,
                  0.009999999999999787,
                  0.3799999999999999,
                  0.75,
                  1.1199999999999997,
                  -0.81,
                  -0.43999999999999995,
                  -0.06999999999999984,
                  0.30000000000000027,
                  0.6700000000000004,
                  1.0399999999999996,
                  -0.8900000000000001,
                  -0.52,
                  -0.1499999999999999,
                  0.2200000000000002,
                  0.5900000000000003,
                  0.9600000000000004,
                  -0.9699999999999993,
                  -0.5999999999999992,
                  -0.22999999999999998,
                  0.140000000000001,
                  0.5100000000000002},
                 Shape{2, 3, 4});
  Tensor running_mean = f64({0.2, -0.1, 0.0}, Shape{3}), running_var = f64({1.0, 2.0, 0.5}, Shape{3});
  Tensor y = batchnorm(x, f64({0.5, 1.0, -1.5}, Shape{3}), f64({0.0, 0.5, 1.0}, Shape{3}), running_mean, running_var,
                       true, 0.2, 1e-5);
  check_all_close(
      y.to_vector(),
      {-0.6097044868797857, -0.31384788341025033, -0.017991279940714963, 0.2778653235288203,  0.6372104911420173,
       1.1448893083674827,  1.6525681255929476,   -0.9955943534479927,   2.6909971531147456,  1.3737993706885232,
       0.05660158826230066, -1.2605961941639219,  1.101466138592662,     -0.4417858740997792, -0.14592927063024372,
       0.14992733283929177, 0.4176737053147895,   0.9253525225402549,    1.4330313397657204,  -1.21513113927522,
       3.2605961941639205,  1.943398411737701,    0.6262006293114752,    -0.6909971531147443},
      Tolerance::approx(1e-12));
  check_all_close(running_mean.to_vector(), {0.0925, -0.023999999999999987, 0.007000000000000073},
                  Tolerance::approx(1e-12));
  check_all_close(running_var.to_vector(), {0.88937, 1.7214057142857144, 0.4405771428571429}, Tolerance::approx(1e-12));
}

TEST_CASE("ops/batchnorm: rank 4 (BatchNorm2d) in eval and training mode (numpy)") {
  Tensor x = f64({-0.8,
                  -0.19000000000000006,
                  0.41999999999999993,
                  -0.6699999999999999,
                  -0.06000000000000005,
                  0.5499999999999998,
                  -0.5399999999999998,
                  0.06999999999999962,
                  0.6799999999999999,
                  -0.4099999999999997,
                  0.19999999999999973,
                  0.81,
                  -0.2799999999999996,
                  0.32999999999999985,
                  -0.7600000000000007,
                  -0.14999999999999947,
                  0.45999999999999996,
                  -0.6300000000000006,
                  -0.01999999999999935,
                  0.5900000000000001,
                  -0.5000000000000004,
                  0.11000000000000076,
                  0.7200000000000002,
                  -0.37000000000000033},
                 Shape{2, 2, 2, 3});
  Tensor gamma = f64({1.25, -0.75}, Shape{2}), beta = f64({0.5, 0.0}, Shape{2});
  Tensor eval_y = batchnorm(x, gamma, beta, f64({0.1, -0.2}, Shape{2}), f64({0.8, 1.3}, Shape{2}), false, 0.1, 1e-5);
  check_all_close(
      eval_y.to_vector(),
      {-0.7577803762408459, 0.09471521210017175,  0.9472108004411897,    -0.5761009885616126,  0.27639459977940506,
       1.128890188120423,   0.22364893473673597,  -0.17760356582034903,  -0.5788560663774346,  0.13813610674916033,
       -0.2631163938079247, -0.6643688943650101,  -0.031062825523912263, 0.8214327628171049,   -0.7018790261856984,
       0.15061656215532127, 1.0031121504963383,   -0.5201996385064647,   -0.11840237721356661, -0.5196548777706516,
       0.1973372953559439,  -0.20391520520114226, -0.6051677057582272,   0.11182446736836826},
      Tolerance::approx(1e-12));
  Tensor running_mean = Tensor::zeros(Shape{2}, DType::F64), running_var = Tensor::ones(Shape{2}, DType::F64);
  Tensor train_y = batchnorm(x, gamma, beta, running_mean, running_var, true, 0.1, 1e-5);
  check_all_close(
      train_y.to_vector(),
      {-1.204871094569538,   0.3909928967666536,    1.9868568881028454,  -0.8647689324814971, 0.7310950588546945,
       2.326959050190886,    1.0229226567417227,    0.06540426194000856, -0.892114132861707,  0.8188613594888979,
       -0.13865703531281615, -1.096175430114532,    0.15553755378262651, 1.7514015451188172,  -1.1002242754655271,
       0.4956397158706677,   2.091503707206858,     -0.760122113377486,  0.20667746773042397, -0.7508409270712902,
       0.9601345652793161,   0.0026161704775992203, -0.9549022243241152, 0.7560732680264916},
      Tolerance::approx(1e-12));
  check_all_close(running_mean.to_vector(), {-0.01483333333333334, 0.011166666666666674}, Tolerance::approx(1e-12));
  check_all_close(running_var.to_vector(), {0.9249033333333334, 0.9249033333333334}, Tolerance::approx(1e-12));
}

TEST_CASE("ops/batchnorm: gradcheck f64, training mode") {
  gradcheck_batchnorm(Shape{6, 4}, true, 31);
  gradcheck_batchnorm(Shape{3, 2, 5}, true, 32);
  gradcheck_batchnorm(Shape{2, 3, 2, 3}, true, 33);
}

TEST_CASE("ops/batchnorm: gradcheck f64, eval mode") {
  gradcheck_batchnorm(Shape{6, 4}, false, 34);
  gradcheck_batchnorm(Shape{3, 2, 5}, false, 35);
  gradcheck_batchnorm(Shape{2, 3, 2, 3}, false, 36);
}

TEST_CASE("ops/batchnorm: large |mean| keeps an accurate variance in f32") {
  // Channel values 1e4 + {-1, 1}: biased var 1, so y = gamma * {-1, 1} / sqrt(1 + eps) exactly up to rounding.
  Tensor x = Tensor::from_vector({1e4 - 1, 1e4 + 1}, Shape{2, 1});
  Tensor y = batchnorm(x, Tensor::ones(Shape{1}), Tensor::zeros(Shape{1}), Tensor::zeros(Shape{1}),
                       Tensor::ones(Shape{1}), true, 0.1, 1e-5);
  check_all_close(y.to_vector(), {-0.99999500003749969, 0.99999500003749969}, Tolerance::approx(1e-6));
}

TEST_CASE("ops/batchnorm: empty batch in eval mode, no recording without requires_grad") {
  Tensor x = Tensor::zeros(Shape{0, 3});
  Tensor y = batchnorm(x, Tensor::ones(Shape{3}), Tensor::zeros(Shape{3}), Tensor::zeros(Shape{3}),
                       Tensor::ones(Shape{3}), false, 0.1, 1e-5);
  CHECK(y.shape() == Shape{0, 3});
  tape().clear();
  batchnorm(Tensor::ones(Shape{2, 3}), Tensor::ones(Shape{3}), Tensor::zeros(Shape{3}), Tensor::zeros(Shape{3}),
            Tensor::ones(Shape{3}), true, 0.1, 1e-5);
  CHECK(tape().empty());
}

TEST_CASE("ops/batchnorm: training with one value per channel, bad shapes and dtypes throw") {
  Tensor g = Tensor::ones(Shape{3}), b = Tensor::zeros(Shape{3}), rm = Tensor::zeros(Shape{3}),
         rv = Tensor::ones(Shape{3});
  try {
    batchnorm(Tensor::ones(Shape{1, 3}), g, b, rm, rv, true, 0.1, 1e-5);
    FAIL("expected ShapeError");
  } catch (const ShapeError& e) {
    CHECK(std::string(e.what()).find("batchnorm") != std::string::npos);
    CHECK(std::string(e.what()).find("[1, 3]") != std::string::npos);
  }
  CHECK_THROWS_AS(batchnorm(Tensor::zeros(Shape{0, 3}), g, b, rm, rv, true, 0.1, 1e-5), ShapeError);
  // One sample is fine in eval mode, and in training when the length axis gives more values.
  CHECK(batchnorm(Tensor::ones(Shape{1, 3}), g, b, rm, rv, false, 0.1, 1e-5).numel() == 3);
  CHECK(batchnorm(Tensor::ones(Shape{1, 3, 2}), g, b, rm, rv, true, 0.1, 1e-5).numel() == 6);
  try {
    batchnorm(Tensor::ones(Shape{4, 3}), Tensor::ones(Shape{2}), b, rm, rv, true, 0.1, 1e-5);
    FAIL("expected ShapeError");
  } catch (const ShapeError& e) {
    CHECK(std::string(e.what()).find("[4, 3]") != std::string::npos);
    CHECK(std::string(e.what()).find("[2]") != std::string::npos);
  }
  CHECK_THROWS_AS(batchnorm(Tensor::ones(Shape{4}), g, b, rm, rv, false, 0.1, 1e-5), ShapeError);
  CHECK_THROWS_AS(batchnorm(Tensor::ones(Shape{4, 3}, DType::F64), g, b, rm, rv, false, 0.1, 1e-5), TypeError);
}

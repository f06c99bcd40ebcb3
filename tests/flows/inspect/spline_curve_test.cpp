// Spline knots against flow-model.md §7.1 case A, and the knots/curve of a coupling layer against what the
// layer itself computes (y_k = g(x_k), log|dy/dx| = log d_k at the knots, identity tails).
#include <cmath>

#include <doctest/doctest.h>

#include "engine/autograd/recording.h"
#include "engine/core/error.h"
#include "flows/inspect/spline_curve.h"
#include "tests/flows/inspect/inspect_fixture.h"
#include "tests/support/error_message.h"

using namespace flowjet;
using namespace flowjet::flows;

TEST_CASE("inspect/spline: knots of flow-model.md §7.1 case A") {
  const SplineKnots k = spline_knots({0.3, -0.6, 1.1, 0.2}, {-0.4, 0.8, 0.1, -0.9}, {0.5, -1.2, 2.0}, 3.0);
  const std::vector<double> x = {-3.0, -1.676814969062345, -1.1352874992186122, 1.8021616975307566, 3.0};
  const std::vector<double> y = {-3.0, -2.085153647275961, 0.9383225085705127, 2.442756822104868, 3.0};
  const std::vector<double> d = {0.9999999999999999, 0.9750769841801067, 0.26428246733803124, 2.1279280110429726,
                                 0.9999999999999999};
  REQUIRE(k.x.size() == 5);
  for (std::size_t i = 0; i < 5; ++i) {
    CAPTURE(i);
    CHECK(std::fabs(k.x[i] - x[i]) <= 1e-14);  // flow-model.md §7: 1e-12 or better for f64
    CHECK(std::fabs(k.y[i] - y[i]) <= 1e-14);
    CHECK(std::fabs(k.derivative[i] - d[i]) <= 1e-14);
  }
  // softplus returns t itself above 20, as PyTorch (flow-model.md §7.1 case B: d = 0.001 + 22 exactly).
  CHECK(spline_knots({0, 0}, {0, 0}, {22.0}, 1.0).derivative[1] == 0.001 + 22.0);
}

TEST_CASE("inspect/spline: a layer's knots are monotone and are where the layer maps x_k to y_k with slope d_k") {
  std::unique_ptr<Flow> flow = test::non_trivial_flow(CouplingKind::RationalQuadratic);
  const Tensor x = test::trace_row(), c = test::trace_context();
  for (int64_t layer = 0; layer < 3; ++layer) {
    const int64_t feature = flow->layer(layer).transform_features().back();
    CAPTURE(layer);
    const SplineCurve curve = spline_curve(*flow, layer, feature, x, c, 41);
    const SplineKnots& k = curve.knots;
    REQUIRE(k.x.size() == 5);
    CHECK(k.x.front() == -3.0);
    CHECK(k.x.back() == 3.0);
    for (std::size_t i = 0; i + 1 < k.x.size(); ++i) {
      CHECK(k.x[i] < k.x[i + 1]);
      CHECK(k.y[i] < k.y[i + 1]);
    }
    for (double d : k.derivative) CHECK(d > 0.0);
    // The layer itself: put x_k into the feature of the layer's input (the conditioner reads only the held
    // features, so the spline does not change) and read y_k and the log-slope off its outputs and log|det|.
    NoGradScope no_grad;
    std::vector<double> h = flow->trace(x, c, false)[static_cast<std::size_t>(layer)].inputs.to_vector();
    auto layer_at = [&](double v) {
      h[static_cast<std::size_t>(feature)] = v;
      return flow->layer(layer).forward(Tensor::from_vector(h, Shape{1, 6}, DType::F64), c);
    };
    // log|det| at -B holds log d_0 = 0 for this feature, so differences isolate its log-slope.
    const double base = layer_at(-3.0).logabsdet.to_vector()[0];
    for (std::size_t i = 0; i < k.x.size(); ++i) {
      CAPTURE(i);
      const TransformResult r = layer_at(k.x[i]);
      CHECK(std::fabs(r.outputs.to_vector()[static_cast<std::size_t>(feature)] - k.y[i]) <= 1e-12);
      CHECK(std::fabs(r.logabsdet.to_vector()[0] - base - std::log(k.derivative[i])) <= 1e-10);
    }
    for (std::size_t g = 0; g < curve.grid_x.size(); ++g) {
      CAPTURE(g);
      if (g > 0) CHECK(curve.grid_y[g] > curve.grid_y[g - 1]);
      if (std::fabs(curve.grid_x[g]) > 3.0) CHECK(curve.grid_y[g] == curve.grid_x[g]);  // linear tails
      CHECK(std::fabs(layer_at(curve.grid_x[g]).outputs.to_vector()[static_cast<std::size_t>(feature)] -
                      curve.grid_y[g]) <= 1e-12);
    }
  }
}

TEST_CASE("inspect/spline: CSV layout") {
  SplineCurve curve;
  curve.knots = spline_knots({0.0, 0.0}, {0.0, 0.0}, {0.0}, 2.0);
  curve.grid_x = {-2.5};
  curve.grid_y = {-2.5};
  curve.grid_derivative = {1.0};
  const std::string csv = spline_csv(curve);
  CHECK(csv.rfind("kind,x,y,derivative\nknot,-2,-2,", 0) == 0);
  CHECK(csv.find("\ncurve,-2.5,-2.5,1\n") != std::string::npos);
}

TEST_CASE("inspect/spline: errors name the layer and the feature") {
  std::unique_ptr<Flow> flow = test::non_trivial_flow(CouplingKind::RationalQuadratic);
  const Tensor x = test::trace_row(), c = test::trace_context();
  CHECK(test::contains(test::error_message<ConfigError>([&] { spline_curve(*flow, 3, 0, x, c); }),
                       "layer 3 is out of range: the flow has 3 coupling layers (0..2)"));
  CHECK(test::contains(test::error_message<ConfigError>([&] { spline_curve(*flow, -1, 0, x, c); }), "layer -1"));
  const int64_t held = flow->layer(1).identity_features().front();
  CHECK(test::contains(test::error_message<ConfigError>([&] { spline_curve(*flow, 1, held, x, c); }),
                       "feature " + std::to_string(held) + " is held (not transformed) by layer 1"));
  std::unique_ptr<Flow> affine = test::non_trivial_flow(CouplingKind::Affine);
  CHECK(test::contains(test::error_message<ConfigError>([&] { spline_curve(*affine, 0, 0, x, c); }),
                       "layer 0 is an affine coupling"));
}

// The layer-by-layer trace: consistent with the layers, ends at Flow::log_prob in both directions, and
// the backward pass returns to the input.
#include <cmath>

#include <doctest/doctest.h>

#include "engine/autograd/recording.h"
#include "engine/core/error.h"
#include "flows/inspect/flow_trace.h"
#include "tests/flows/inspect/inspect_fixture.h"
#include "tests/support/error_message.h"

using namespace flowjet;
using namespace flowjet::flows;

TEST_CASE("inspect/trace: running log p ends at Flow::log_prob both ways and the backward trace returns to x") {
  for (CouplingKind coupling : {CouplingKind::RationalQuadratic, CouplingKind::Affine}) {
    CAPTURE(coupling_kind_name(coupling));
    std::unique_ptr<Flow> flow = test::non_trivial_flow(coupling);
    const Tensor x = test::trace_row(), c = test::trace_context();
    const FlowTraceReport r = trace_flow(*flow, x, c);
    NoGradScope no_grad;
    const double log_prob = flow->log_prob(x, c).to_vector()[0];
    REQUIRE(r.forward.size() == 3);
    REQUIRE(r.backward.size() == 3);
    CHECK(std::fabs(r.log_prob - log_prob) <= 1e-12 * std::fabs(log_prob));
    CHECK(std::fabs(r.forward.back().running_log_prob - log_prob) <= 1e-12 * std::fabs(log_prob));
    CHECK(std::fabs(r.backward.back().running_log_prob - log_prob) <= 1e-10 * std::fabs(log_prob));
    const std::vector<double> z = flow->to_latent(x, c).outputs.to_vector();
    for (std::size_t i = 0; i < 6; ++i) {
      CHECK(r.latent[i] == z[i]);
      CHECK(std::fabs(r.reconstructed[i] - r.input[i]) <= 1e-10);  // f64 round trip
    }
    // Before any layer the running log-probability is log N(x; 0, I).
    double input_base = -0.5 * 6 * std::log(2 * M_PI);
    for (double v : r.input) input_base += -0.5 * v * v;
    CHECK(std::fabs(r.input_base_log_prob - input_base) <= 1e-12 * std::fabs(input_base));
    double sum = 0.0;
    for (std::size_t s = 0; s < 3; ++s) {
      CAPTURE(s);
      const TraceStep& f = r.forward[s];
      CHECK(f.layer == static_cast<int64_t>(s));
      CHECK(r.backward[s].layer == static_cast<int64_t>(2 - s));
      CHECK(f.held == flow->layer(f.layer).identity_features());
      CHECK(f.transformed == flow->layer(f.layer).transform_features());
      if (s > 0) CHECK(f.before == r.forward[s - 1].after);
      for (int64_t h : f.held) CHECK(f.after[static_cast<std::size_t>(h)] == f.before[static_cast<std::size_t>(h)]);
      // The inverse step undoes the forward one: the same layer, minus its log|det|.
      CHECK(std::fabs(r.backward[2 - s].logabsdet + f.logabsdet) <= 1e-10);
      sum += f.logabsdet;
      double base = 0.0;
      for (double v : f.after) base += -0.5 * v * v;
      base -= 0.5 * 6 * std::log(2 * M_PI);
      CHECK(std::fabs(f.running_log_prob - (base + sum)) <= 1e-10);
    }
    const std::string text = format_trace(r, 2);
    CHECK(text.find("layer   0: 3 held") != std::string::npos);
    CHECK(text.find("log p(x | c) =") != std::string::npos);
    CHECK(text.find("max |f^-1(f(x)) - x|") != std::string::npos);
  }
}

TEST_CASE("inspect/trace: one row only") {
  std::unique_ptr<Flow> flow = test::non_trivial_flow(CouplingKind::Affine);
  const Tensor two = Tensor::zeros(Shape{2, 6}, DType::F64), c = Tensor::zeros(Shape{2, 2}, DType::F64);
  CHECK(test::contains(test::error_message<ShapeError>([&] { trace_flow(*flow, two, c); }), "[2, 6]"));
}

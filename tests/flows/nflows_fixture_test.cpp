// nflows fixtures (tools/py/make_nflows_fixtures.py): flows built and given non-trivial weights with
// nflows 0.14, imported with the Python converter that bin/import replaced (the committed flow files are
// kept as they were made; tests/import/ covers bin/import), and nflows' float64 eval-mode numbers
// (log_prob, latent points, inverse samples and their log|det|). flowjet must reproduce them to
// 1e-10 relative in f64 and 1e-5 relative in f32. Run from the repository root, or set
// FLOWJET_NFLOWS_FIXTURES to the folder.
#include <cmath>
#include <string>

#include <doctest/doctest.h>

#include "engine/autograd/recording.h"
#include "engine/io/checkpoint.h"
#include "flows/io/flow_checkpoint.h"
#include "tests/support/nflows_fixtures.h"
#include "tests/support/tolerance.h"

using namespace flowjet;
using namespace flowjet::flows;
using flowjet::test::check_all_close;
using flowjet::test::Tolerance;

namespace {

// Relative to max(1, |expected|): values near zero (latent points, samples) are compared absolutely.
constexpr double kF64Tolerance = 1e-10;  // issue: nflows fixtures agree to 1e-10 relative in f64
constexpr double kF32Tolerance = 1e-5;   // and 1e-5 relative in f32

Tensor optional(const Checkpoint& fixture, const std::string& name, DType dtype) {
  const Tensor* t = fixture.find(name);
  return t ? t->to(dtype) : Tensor();
}

void check_against_nflows(Flow& flow, const Checkpoint& fixture, DType dtype, double tolerance) {
  NoGradScope no_grad;
  const Tensor x = fixture.tensor("inputs").to(dtype), z = fixture.tensor("z").to(dtype);
  const Tensor c = optional(fixture, "context", dtype), zc = optional(fixture, "z_context", dtype);
  const Tolerance relative = Tolerance::at_least_one(tolerance);
  check_all_close(flow.log_prob(x, c), fixture.tensor("log_prob"), relative, "log_prob");
  check_all_close(flow.to_latent(x, c).outputs, fixture.tensor("latent"), relative, "latent");
  TransformResult inverse = flow.to_data(z, zc);
  check_all_close(inverse.outputs, fixture.tensor("samples"), relative, "samples");
  check_all_close(inverse.logabsdet, fixture.tensor("samples_logabsdet"), relative, "samples log|det|");
}

}  // namespace

TEST_CASE("flows/nflows: imported 3-layer RQS flow with context and batch norm reproduces nflows") {
  std::unique_ptr<Flow> flow = load_flow(test::nflows_fixture("rqs_flow.h5"));
  const Checkpoint fixture = load_checkpoint(test::nflows_fixture("rqs_fixture.h5"));
  const FlowSpec& spec = flow->spec();
  CHECK(spec.coupling == CouplingKind::RationalQuadratic);
  CHECK(spec.coupling_layers == 3);
  CHECK(spec.context_features == 2);
  CHECK(spec.batch_norm);
  CHECK(spec.bins == 4);
  CHECK(spec.tail_bound == 3.0);
  CHECK(spec.dtype == DType::F64);
  // The fixture must exercise trained batch-norm statistics, not the initial (0, 1).
  bool non_trivial_statistics = false;
  for (const NamedTensor& b : flow->named_buffers())
    if (b.name.find("running_var") != std::string::npos)
      for (double v : b.tensor.to_vector()) non_trivial_statistics |= std::fabs(v - 1.0) > 1e-3;
  CHECK(non_trivial_statistics);
  SUBCASE("f64") { check_against_nflows(*flow, fixture, DType::F64, kF64Tolerance); }
  SUBCASE("f32") {
    flow->to(DType::F32);
    check_against_nflows(*flow, fixture, DType::F32, kF32Tolerance);
  }
}

TEST_CASE("flows/nflows: imported 2-layer affine flow (context_features = 0) reproduces nflows") {
  std::unique_ptr<Flow> flow = load_flow(test::nflows_fixture("affine_flow.h5"));
  const Checkpoint fixture = load_checkpoint(test::nflows_fixture("affine_fixture.h5"));
  CHECK(flow->spec().coupling == CouplingKind::Affine);
  CHECK(flow->spec().context_features == 0);
  CHECK(flow->spec().mask == MaskKind::Alternating);
  SUBCASE("f64") { check_against_nflows(*flow, fixture, DType::F64, kF64Tolerance); }
  SUBCASE("f32") {
    flow->to(DType::F32);
    check_against_nflows(*flow, fixture, DType::F32, kF32Tolerance);
  }
}

// Golden coupling and flow vectors of flow-model.md §7.2 (deterministic sine/cosine weights), and the
// parameter counts of flow-model.md §5.
#include <cmath>
#include <string>

#include <doctest/doctest.h>

#include "flows/coupling/affine_coupling.h"
#include "flows/coupling/rqs_coupling.h"
#include "flows/flow.h"
#include "tests/support/tolerance.h"

using namespace flowjet;
using flowjet::test::check_all_close;
using flowjet::test::Tolerance;
using namespace flowjet::flows;

namespace {

// flow-model.md §7.2: W[o][i] = 0.3 sin(0.7(o+1) + 1.3(i+1) + L), bias[o] = 0.1 cos(0.9(o+1) + L).
void set_golden_linear(Module& root, const std::string& prefix, int layer_id) {
  for (NamedTensor& p : root.named_parameters()) {
    if (p.name == prefix + ".weight") {
      double* w = p.tensor.data<double>();
      const int64_t out = p.tensor.size(0), in = p.tensor.size(1);
      for (int64_t o = 0; o < out; ++o)
        for (int64_t i = 0; i < in; ++i) w[o * in + i] = 0.3 * std::sin(0.7 * double(o + 1) + 1.3 * double(i + 1) + layer_id);
    } else if (p.name == prefix + ".bias") {
      double* b = p.tensor.data<double>();
      for (int64_t o = 0; o < p.tensor.size(0); ++o) b[o] = 0.1 * std::cos(0.9 * double(o + 1) + layer_id);
    }
  }
}

// Ids inside one ResidualNet with base id L0 (Nb = 1): L_in L0, linear_0 L0+1, linear_1 L0+2,
// context_layer L0+3, final L0+5.
void set_golden_conditioner(Module& root, const std::string& net, int base) {
  set_golden_linear(root, net + ".initial_layer", base);
  set_golden_linear(root, net + ".blocks.0.linear_0", base + 1);
  set_golden_linear(root, net + ".blocks.0.linear_1", base + 2);
  set_golden_linear(root, net + ".blocks.0.context_layer", base + 3);
  set_golden_linear(root, net + ".final_layer", base + 5);
}

ResidualNetSpec golden_net() {
  ResidualNetSpec net;
  net.hidden_features = 4;
  net.context_features = 1;
  net.num_blocks = 1;
  return net;
}

Tensor golden_x() {
  return Tensor::from_vector({0.5, -1.2, 0.3, 2.0, -2.5, 0.7, -0.4, 4.5}, Shape{2, 4}, DType::F64);
}
Tensor golden_context() { return Tensor::from_vector({0.8, -1.1}, Shape{2, 1}, DType::F64); }

constexpr double kGoldenTol = 1e-12;  // flow-model.md §7: 1e-12 absolute for a float64 implementation

}  // namespace

TEST_CASE("flows/coupling: golden RQS coupling of flow-model.md §7.2") {
  Generator init(1), drop(2);
  RqsCoupling layer({1, 0, 0, 1}, 3, 3.0, golden_net(), init, drop, DType::F64);
  layer.eval();
  set_golden_conditioner(layer, "conditioner", 0);
  Tensor params = layer.conditioner_params(golden_x(), golden_context());
  std::vector<double> raw = params.to_vector();
  CHECK(std::fabs(raw[0] - -0.2211262776682103) < kGoldenTol);
  CHECK(std::fabs(raw[15] - 0.2568794493504498) < kGoldenTol);
  CHECK(std::fabs(raw[16] - 0.38163510861342437) < kGoldenTol);
  TransformResult f = layer.forward(golden_x(), golden_context());
  check_all_close(f.outputs.to_vector(),
                  {0.5687439982745188, -1.2, 0.3, 1.7872157397485517, -2.4580350813363188, 0.7, -0.4, 4.5},
                  Tolerance::absolute(kGoldenTol));
  check_all_close(f.logabsdet.to_vector(), {0.2391744463084713, 0.1374817702457877}, Tolerance::absolute(kGoldenTol));
  TransformResult b = layer.inverse(f.outputs, golden_context());
  check_all_close(b.outputs.to_vector(), golden_x().to_vector(), Tolerance::absolute(kGoldenTol));
  check_all_close(b.logabsdet.to_vector(), {-0.23917444630847123, -0.13748177024578792},
                  Tolerance::absolute(kGoldenTol));
}

TEST_CASE("flows/coupling: golden affine coupling of flow-model.md §7.2") {
  Generator init(1), drop(2);
  AffineCoupling layer({1, 0, 0, 1}, golden_net(), init, drop, DType::F64);
  layer.eval();
  set_golden_conditioner(layer, "conditioner", 0);
  TransformResult f = layer.forward(golden_x(), golden_context());
  check_all_close(
      f.outputs.to_vector(),
      {0.21637963145619898, -1.2, 0.3, 1.6081079154146427, -1.853961951775488, 0.7, -0.4, 4.234068514610064},
      Tolerance::absolute(kGoldenTol));
  check_all_close(f.logabsdet.to_vector(), {-0.2513840293970439, -0.2582044199549186}, Tolerance::absolute(kGoldenTol));
  TransformResult b = layer.inverse(f.outputs, golden_context());
  check_all_close(b.outputs.to_vector(), golden_x().to_vector(), Tolerance::absolute(kGoldenTol));
  check_all_close(b.logabsdet.to_vector(), {0.2513840293970439, 0.2582044199549186}, Tolerance::absolute(kGoldenTol));
}

TEST_CASE("flows/flow: golden two-layer RQS flow of flow-model.md §7.2") {
  FlowSpec spec;
  spec.features = 4;
  spec.coupling_layers = 2;
  spec.bins = 3;
  spec.tail_bound = 3.0;
  spec.hidden_features = 4;
  spec.num_blocks = 1;
  spec.context_features = 1;
  spec.mask = MaskKind::Alternating;
  spec.dtype = DType::F64;
  Flow flow(spec);
  flow.eval();
  // Layer 1 mask [1,0,0,1], layer 2 [0,1,1,0] (the golden masks, not the alternating ones).
  flow.layer(0).set_mask({1, 0, 0, 1});
  flow.layer(1).set_mask({0, 1, 1, 0});
  set_golden_conditioner(flow, "transforms.0.conditioner", 0);
  set_golden_conditioner(flow, "transforms.1.conditioner", 10);
  TransformResult latent = flow.to_latent(golden_x(), golden_context());
  check_all_close(latent.outputs.to_vector(),
                  {0.5687439982745188, -0.8237442224198492, 0.7434312273045744, 1.7872157397485517, -2.4580350813363188,
                   1.3214294366466428, -0.05074326476752877, 4.5},
                  Tolerance::absolute(kGoldenTol));
  check_all_close(latent.logabsdet.to_vector(), {-0.20206120709538267, -0.30566423975722656},
                  Tolerance::absolute(kGoldenTol));
  check_all_close(flow.log_prob(golden_x(), golden_context()).to_vector(), {-6.252242524754031, -18.001761920593708},
                  Tolerance::absolute(kGoldenTol));
  Tensor z = Tensor::from_vector({0.1, -0.2, 1.5, -0.7, 2.2, -3.4, 0.05, 0.9}, Shape{2, 4}, DType::F64);
  TransformResult data = flow.to_data(z, golden_context());
  check_all_close(data.outputs.to_vector(),
                  {-0.09530758784936277, -0.29396534892338677, 1.5336395331379984, -0.6015329870000228,
                   2.2906629838966373, -3.4, -0.45522317289356284, 1.4700492367694227},
                  Tolerance::absolute(kGoldenTol));
  check_all_close(data.logabsdet.to_vector(), {-0.35980614178530324, -0.5209392199344824},
                  Tolerance::absolute(kGoldenTol));
}

TEST_CASE("flows/flow: parameter counts of the talk's model (flow-model.md §5)") {
  FlowSpec spec;  // defaults: D 90, 15 RQS layers, K 5, H 256, 2 blocks
  spec.context_features = 0;
  CHECK(spec.parameters_per_layer() == 437366);
  CHECK(spec.parameter_count() == 6560490);
  Flow flow(spec);
  CHECK(flow.parameter_count() == 6560490);
  CHECK(flow.layer(3).parameter_count() == 437366);
  spec.context_features = -1;
  CHECK(spec.parameters_per_layer() == 436854);
  spec.context_features = 1;
  CHECK(spec.parameters_per_layer() == 438134);
  spec.context_features = 2;
  CHECK(spec.parameters_per_layer() == 438902);
  spec.batch_norm = true;
  CHECK(spec.parameters_per_layer() == 438902 + 2048);
  spec.coupling_layers = 1;
  CHECK(Flow(spec).parameter_count() == 438902 + 2048);
}

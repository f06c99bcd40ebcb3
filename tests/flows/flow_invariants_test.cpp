// Transform invariants for every coupling type and the whole flow: inverse(forward(x)) = x, the
// log-determinants cancel, log|det J| equals the log-determinant of a finite-difference Jacobian,
// and f64 gradient checks of log_prob and of the mass-constraint loss through the inverse.
#include <cmath>
#include <iomanip>

#include <doctest/doctest.h>

#include "engine/autograd/recording.h"
#include "engine/ops/binary/binary.h"
#include "engine/ops/reduce/reduce.h"
#include "flows/coupling/coupling_registry.h"
#include "flows/flow.h"
#include "flows/loss/jet_mass.h"
#include "flows/loss/mass_constraint.h"
#include "flows/loss/nll.h"
#include "tests/support/flow_specs.h"
#include "tests/support/gradcheck_table.h"
#include "tests/support/tolerance.h"

using namespace flowjet;
using namespace flowjet::flows;
using flowjet::test::max_abs_difference;

namespace {

FlowSpec small_spec(CouplingKind coupling, MaskKind mask, int64_t context, bool batch_norm, DType dtype) {
  FlowSpec spec = test::small_flow_spec();
  spec.coupling = coupling;
  spec.tail_bound = 2.5;
  spec.context_features = context;
  spec.batch_norm = batch_norm;
  spec.mask = mask;
  spec.seed = 5;
  spec.dtype = dtype;
  return spec;
}

// Moves the flow away from its near-identity initialisation so the tests see real transforms.
void perturb_parameters(Flow& flow, double scale, uint64_t seed) {
  Generator gen(seed);
  NoGradScope no_grad;
  for (NamedTensor& p : flow.named_parameters()) {
    Tensor noise = random_normal(p.tensor.shape(), gen, p.tensor.dtype(), Device::CPU, 0.0, scale);
    p.tensor.copy_(p.tensor + noise);
  }
}

// A few parameters of each kind (first and last layer's conditioner) so the check stays fast.
NamedTensors selected_parameters(Flow& flow) {
  NamedTensors out;
  for (NamedTensor& p : flow.named_parameters()) {
    const std::string& n = p.name;
    bool wanted = n.find("transforms.0.conditioner.initial_layer.weight") == 0 ||
                  n.find("transforms.0.conditioner.blocks.1.linear_1.bias") == 0 ||
                  n.find("transforms.1.conditioner.final_layer.bias") == 0 ||
                  n.find("transforms.1.conditioner.blocks.0.context_layer.weight") == 0 ||
                  n.find("transforms.1.conditioner.blocks.0.batch_norm_1.weight") == 0;
    if (wanted) out.push_back(p);
  }
  return out;
}

Tensor context_for(const FlowSpec& spec, int64_t batch, Generator& gen) {
  if (spec.context_features <= 0) return Tensor();
  return random_normal(Shape{batch, spec.context_features}, gen, spec.dtype);
}

// Inputs spread over [-4, 4] so some fall in the linear tails (|x| > B = 2.5).
Tensor inputs_for(const FlowSpec& spec, int64_t batch, Generator& gen) {
  return random_uniform(Shape{batch, spec.features}, gen, spec.dtype, Device::CPU, -4.0, 4.0);
}

// log|det| of the numerically differentiated Jacobian of one row (Gaussian elimination, f64).
double numeric_logabsdet(Flow& flow, const Tensor& x_row, const Tensor& c_row) {
  const int64_t D = x_row.size(1);
  const double h = 1e-6;
  std::vector<double> J(static_cast<std::size_t>(D * D));
  for (int64_t j = 0; j < D; ++j) {
    Tensor plus = x_row.clone(), minus = x_row.clone();
    plus.data<double>()[j] += h;
    minus.data<double>()[j] -= h;
    std::vector<double> zp = flow.to_latent(plus, c_row).outputs.to_vector();
    std::vector<double> zm = flow.to_latent(minus, c_row).outputs.to_vector();
    for (int64_t i = 0; i < D; ++i) J[static_cast<std::size_t>(i * D + j)] = (zp[static_cast<std::size_t>(i)] - zm[static_cast<std::size_t>(i)]) / (2 * h);
  }
  double logdet = 0;
  for (int64_t k = 0; k < D; ++k) {
    int64_t pivot = k;
    for (int64_t r = k + 1; r < D; ++r)
      if (std::fabs(J[static_cast<std::size_t>(r * D + k)]) > std::fabs(J[static_cast<std::size_t>(pivot * D + k)])) pivot = r;
    for (int64_t c = 0; c < D; ++c) std::swap(J[static_cast<std::size_t>(k * D + c)], J[static_cast<std::size_t>(pivot * D + c)]);
    double d = J[static_cast<std::size_t>(k * D + k)];
    logdet += std::log(std::fabs(d));
    for (int64_t r = k + 1; r < D; ++r) {
      double f = J[static_cast<std::size_t>(r * D + k)] / d;
      for (int64_t c = k; c < D; ++c) J[static_cast<std::size_t>(r * D + c)] -= f * J[static_cast<std::size_t>(k * D + c)];
    }
  }
  return logdet;
}

}  // namespace

// Every registered coupling: the built-ins and those the tests register (coupling/scale_coupling_test.cpp).
TEST_CASE("flows/flow: inverse(forward(x)) = x and log-dets cancel, every coupling and mask") {
  for (const std::string& coupling_name : coupling_names())
    for (MaskKind mask : {MaskKind::Alternating, MaskKind::Random, MaskKind::WholeParticle})
      for (DType dtype : {DType::F32, DType::F64}) {
        const CouplingKind coupling(coupling_name);
        FlowSpec spec = small_spec(coupling, mask, 2, true, dtype);
        Flow flow(spec);
        perturb_parameters(flow, 0.3, 17);
        flow.eval();
        Generator gen(23);
        Tensor x = inputs_for(spec, 16, gen), c = context_for(spec, 16, gen);
        TransformResult f = flow.to_latent(x, c);
        TransformResult b = flow.to_data(f.outputs, c);
        const double tol = dtype == DType::F64 ? 1e-10 : 1e-4;  // f32: 1e-5 relative on |x| up to 4
        INFO(std::string(coupling_kind_name(coupling)) << " " << std::string(mask_kind_name(mask)) << " "
                                                     << std::string(dtype_name(dtype)));
        CHECK(max_abs_difference(b.outputs, x) < tol);
        // f32 log-dets are sums over layers and features of logs near steep bins: 1e-3 absolute.
        const double logdet_tol = dtype == DType::F64 ? 1e-10 : 1e-3;
        CHECK(max_abs_difference(f.logabsdet + b.logabsdet, Tensor::zeros(Shape{16}, dtype)) < logdet_tol);
        TransformResult g = flow.to_latent(flow.to_data(x, c).outputs, c);
        CHECK(max_abs_difference(g.outputs, x) < tol);
      }
}

TEST_CASE("flows/flow: log|det| equals the log-determinant of the numerical Jacobian, every coupling") {
  for (const std::string& coupling_name : coupling_names()) {
    CAPTURE(coupling_name);
    FlowSpec spec = small_spec(CouplingKind(coupling_name), MaskKind::Random, 1, false, DType::F64);
    Flow flow(spec);
    perturb_parameters(flow, 0.3, 3);
    flow.eval();
    Generator gen(8);
    for (int row = 0; row < 3; ++row) {
      Tensor x = inputs_for(spec, 1, gen), c = context_for(spec, 1, gen);
      double analytic = flow.to_latent(x, c).logabsdet.item();
      CHECK(analytic == doctest::Approx(numeric_logabsdet(flow, x, c)).epsilon(1e-6));
    }
  }
}

TEST_CASE("flows/flow: gradcheck f64 of log_prob with respect to inputs, context and weights") {
  FlowSpec spec = small_spec(CouplingKind::RationalQuadratic, MaskKind::Random, 2, true, DType::F64);
  spec.coupling_layers = 2;
  Flow flow(spec);
  perturb_parameters(flow, 0.3, 4);
  flow.train();  // batch norm with batch statistics, no dropout (p = 0)
  Generator gen(9);
  Tensor x = inputs_for(spec, 5, gen).set_requires_grad();
  Tensor c = context_for(spec, 5, gen).set_requires_grad();
  testing::check_gradients("flow.log_prob", "2 RQS layers, BN train: x, c",
                           [&](const std::vector<Tensor>& in) { return std::vector<Tensor>{flow.log_prob(in[0], in[1])}; },
                           {x, c}, {"x", "context"});
  testing::check_parameter_gradients("flow.log_prob", "2 RQS layers, BN train: weights",
                                     [&] { return std::vector<Tensor>{flow.log_prob(x.detach(), c.detach())}; },
                                     selected_parameters(flow));
}

TEST_CASE("flows/loss: gradcheck f64 of the mass-constraint loss through the inverse") {
  FlowSpec spec = small_spec(CouplingKind::RationalQuadratic, MaskKind::Random, 1, false, DType::F64);
  spec.features = 9;  // three particles (eta, phi, pt)
  spec.coupling_layers = 2;
  Flow flow(spec);
  perturb_parameters(flow, 0.3, 6);
  Generator gen(10);
  Tensor c = context_for(spec, 4, gen);
  Tensor true_mass = random_uniform(Shape{4}, gen, DType::F64, Device::CPU, 0.05, 0.2);
  FeatureScaling scaling{Tensor::full(Shape{9}, 0.05, DType::F64), Tensor::full(Shape{9}, 0.1, DType::F64)};
  auto loss = [&] {
    Generator z_gen(77);  // the same latent draws on every evaluation
    return std::vector<Tensor>{mass_constraint_loss(flow, c, true_mass, scaling, z_gen).loss};
  };
  testing::check_parameter_gradients("mass_constraint", "2 RQS layers via inverse: weights", loss,
                                     selected_parameters(flow));
  Tensor c_leaf = c.clone().set_requires_grad();
  testing::check_gradients("mass_constraint", "2 RQS layers via inverse: context", [&](const std::vector<Tensor>& in) {
    Generator z_gen(77);
    return std::vector<Tensor>{mass_constraint_loss(flow, in[0], true_mass, scaling, z_gen).loss};
  }, {c_leaf}, {"context"});
}

TEST_CASE("flows/loss: jet mass golden values of training-recipe.md §2") {
  Tensor jets = Tensor::zeros(Shape{2, 90}, DType::F64);
  double* p = jets.data<double>();
  const double jet1[3][3] = {{0.1, -0.05, 0.5}, {-0.12, 0.08, 0.3}, {0.02, 0.2, 0.15}};
  const double jet2[3][3] = {{0.0, 0.0, 0.7}, {6.0, 3.0, 40.0}, {-0.3, -0.4, -0.2}};
  for (int k = 0; k < 3; ++k)
    for (int f = 0; f < 3; ++f) {
      p[3 * k + f] = jet1[k][f];
      p[90 + 3 * k + f] = jet2[k][f];
    }
  std::vector<double> m = clamped_jet_mass(jets).to_vector();
  INFO("m0 = " << std::setprecision(17) << m[0] << ", m1 = " << m[1]);
  // m^2 = E^2 - |p|^2 cancels ~2 digits for this light jet, so 1e-11 relative (summation order differs from numpy).
  CHECK(m[0] == doctest::Approx(0.1284321543879827).epsilon(1e-11));
  CHECK(m[1] == doctest::Approx(14.97196596560201).epsilon(1e-13));
}

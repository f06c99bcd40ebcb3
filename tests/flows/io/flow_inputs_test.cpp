// Flow inputs from files: JetNet jets through a jet model's scaler as training-recipe.md §2–§4, §6 prescribe
// (computed here by hand), row ranges, bare-flow input files, and errors that name the file.
#include <cmath>

#include <doctest/doctest.h>

#include "data/jet_kinematics.h"
#include "data/jetnet_hdf5.h"
#include "engine/core/error.h"
#include "flows/io/flow_inputs.h"
#include "tests/support/error_message.h"
#include "tests/support/flow_specs.h"
#include "tests/support/jet_model_fixture.h"
#include "tests/support/temp_dir.h"

using namespace flowjet;
using namespace flowjet::flows;

namespace {

// training-recipe.md §4: particle columns and mass scaled with the model's scaler, then n raw; §6: context [m~, n].
void check_row(const JetModel& model, const data::JetSet& jets, int64_t jet, const FlowInputs& inputs, int64_t row) {
  CAPTURE(jet);
  const std::vector<double> x = inputs.x.to_vector();
  const int64_t D = 90;
  for (int64_t p = 0; p < 30; ++p)
    for (int f = 0; f < 3; ++f) {
      const double expected = (jets.particle(jet, p, f) - model.scaler.mean()[p * 3 + f]) /
                              (model.scaler.std()[p * 3 + f] + 1e-7);
      CHECK(std::fabs(x[row * D + p * 3 + f] - expected) <= 1e-6 * (1 + std::fabs(expected)));  // f32 flow
    }
  const double mass = data::clamped_jet_mass(&jets.particle_features[static_cast<std::size_t>(jet * 30 * 4)], 30, 4);
  const double scaled_mass = (mass - model.scaler.mean()[D]) / (model.scaler.std()[D] + 1e-7);
  const std::vector<double> c = inputs.context.to_vector();
  CHECK(std::fabs(c[row * 2] - scaled_mass) <= 1e-6 * (1 + std::fabs(scaled_mass)));
  CHECK(c[row * 2 + 1] == static_cast<double>(jets.real_particles(jet)));
}

}  // namespace

TEST_CASE("flows/inputs: JetNet jets through a jet model's scaler, context [m~, n], no noise by default") {
  const JetModel model = test::small_jet_model("cnf_mn");
  const data::JetSet jets = test::jetnet_like_jets(6, 77);
  const FlowInputs inputs = jet_model_inputs(model, jets);
  REQUIRE(inputs.x.shape() == Shape{6, 90});
  REQUIRE(inputs.context.shape() == Shape{6, 2});
  for (int64_t i = 0; i < 6; ++i) check_row(model, jets, i, inputs, i);
  JetInputOptions noisy;
  noisy.add_noise = true;
  CHECK(jet_model_inputs(model, jets, noisy).x.to_vector() != inputs.x.to_vector());  // padded slots move
  CHECK(jet_model_inputs(model, jets, noisy).context.to_vector() == inputs.context.to_vector());  // mass before noise
  CHECK_FALSE(jet_model_inputs(test::small_jet_model("vnf"), jets).context.defined());
  CHECK(jet_model_inputs(test::small_jet_model("cnf_m"), jets).context.shape() == Shape{6, 1});
}

TEST_CASE("flows/inputs: a saved jet model reads rows of a JetNet file") {
  test::TempDir dir;
  const JetModel model = test::small_jet_model("cnf_mn");
  save_jet_model(dir.file("model.h5"), model);
  const data::JetSet jets = test::jetnet_like_jets(7, 78);
  data::write_jetnet(dir.file("g.h5"), jets);
  const OpenedModel opened = open_model(dir.file("model.h5"));
  CHECK(opened.is_jet_model);
  const FlowInputs rows = read_flow_inputs(opened, dir.file("g.h5"), 2, 3);
  REQUIRE(rows.rows() == 3);
  for (int64_t r = 0; r < 3; ++r) check_row(model, jets, 2 + r, rows, r);
  CHECK(read_flow_inputs(opened, dir.file("g.h5"), 5).rows() == 2);  // to the end
  CHECK(test::contains(test::error_message<DataError>([&] { read_flow_inputs(opened, dir.file("g.h5"), 7); }),
                       "row 7 requested but the file has 7 rows"));
}

TEST_CASE("flows/inputs: a bare flow reads \"inputs\" and \"context\" of an HDF5 file (here a checkpoint-format one)") {
  test::TempDir dir;
  FlowSpec spec = test::small_flow_spec();
  spec.features = 4;
  spec.context_features = 1;
  spec.dtype = DType::F32;
  save_flow(dir.file("flow.h5"), Flow(spec));
  const OpenedModel opened = open_model(dir.file("flow.h5"));
  CHECK_FALSE(opened.is_jet_model);
  const Tensor x = Tensor::from_vector({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, Shape{3, 4}, DType::F64);
  const Tensor c = Tensor::from_vector({0.5, -0.5, 1.5}, Shape{3, 1}, DType::F64);
  save_checkpoint(dir.file("inputs.h5"), {{"inputs", x}, {"context", c}});
  const FlowInputs rows = read_flow_inputs(opened, dir.file("inputs.h5"), 1, 5);
  CHECK(rows.x.dtype() == DType::F32);  // the flow's dtype
  CHECK(rows.x.to_vector() == std::vector<double>{5, 6, 7, 8, 9, 10, 11, 12});
  CHECK(rows.context.to_vector() == std::vector<double>{-0.5, 1.5});

  save_checkpoint(dir.file("no_context.h5"), {{"inputs", x}});
  CHECK(test::contains(test::error_message<DataError>([&] { read_flow_inputs(opened, dir.file("no_context.h5")); }),
                       "no dataset \"context\", expected float32 or float64 [3, 1]"));
  save_checkpoint(dir.file("wide.h5"), {{"inputs", Tensor::zeros(Shape{2, 5})}});
  CHECK(test::contains(test::error_message<DataError>([&] { read_flow_inputs(opened, dir.file("wide.h5")); }),
                       "dataset \"inputs\" is float32 [2, 5], expected float32 or float64 [N, 4]"));
  data::write_jetnet(dir.file("g.h5"), test::jetnet_like_jets(2, 3));
  CHECK(test::contains(test::error_message<DataError>([&] { read_flow_inputs(opened, dir.file("g.h5")); }),
                       "JetNet files need a jet model"));
  save_checkpoint(dir.file("other.h5"), {{"jets", x}});
  CHECK(test::contains(test::error_message<DataError>([&] { read_flow_inputs(opened, dir.file("other.h5")); }),
                       "no dataset \"inputs\""));
}

TEST_CASE("flows/inputs: missing files and particle counts are named") {
  test::TempDir dir;
  CHECK(test::contains(test::error_message<CheckpointError>([&] { open_model(dir.file("missing.h5")); }),
                       "missing.h5"));
  const JetModel model = test::small_jet_model("vnf");
  CHECK(test::contains(test::error_message<DataError>([&] { jet_model_inputs(model, data::JetSet::zeros(2, 20, data::JetType::G)); }),
                       "the jets have 20 particles but the model was trained on 30"));
  save_jet_model(dir.file("model.h5"), model);
  const OpenedModel opened = open_model(dir.file("model.h5"));
  CHECK(test::contains(test::error_message<DataError>([&] { read_flow_inputs(opened, dir.file("g.h5")); }), "g.h5"));
}

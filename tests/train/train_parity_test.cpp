// Training on CUDA against training on the CPU: a tiny CNF(m, n) and CCNF(m, n) trained a few steps from
// the same seed on both devices (same batches, dropout masks and mass-loss latents, drawn from the same
// Philox streams) give the same losses, weights and optimiser moments; a checkpoint written by the CUDA run
// loads on the CPU with the same log p, and resumes on the device.
#include <doctest/doctest.h>

#include <string>

#include "flows/io/flow_checkpoint.h"
#include "flows/io/jet_model.h"
#include "flows/jet_log_prob.h"
#include "flows/train/trainer.h"
#include "flows/train/training_data.h"
#include "tests/support/parity.h"
#include "tests/support/temp_dir.h"
#include "tests/support/tolerance.h"
#include "tests/train/train_fixture.h"

using namespace flowjet;
using namespace flowjet::flows;

namespace {

// Losses and weights after several steps: the per-op differences of the backends (docs/cuda.md) compound
// over the layers and the steps, so the whole-flow bound of the flow parity cases.
constexpr testing::ParityTolerance kTrainingTolerance{1e-3};
// Scalars (losses): |cuda - cpu| <= rtol |cpu|.
const test::Tolerance kScalarTolerance = test::Tolerance::relative(kTrainingTolerance.rtol);

// The fixture's tiny model as `kind`. Adam's eps is raised to 1e-3 (PyTorch's default is 1e-8): with a tiny
// eps a gradient element near zero moves its weight by +-lr whatever its size, so a rounding difference in
// its sign would move the two runs 2 lr apart; with eps of the order of the gradients the update is a
// smooth function of the gradient and the comparison measures the backends, not that amplification.
TrainOptions options_for(ModelKind kind) {
  TrainOptions o = test::tiny_train_options();
  o.model = kind;
  o.flow.context_features = model_context_features(kind);
  o.optimizer.eps = 1e-3;
  return o;
}

void check_state(const std::string& what, const NamedTensors& cpu, const NamedTensors& cuda) {
  REQUIRE(cpu.size() == cuda.size());
  for (std::size_t i = 0; i < cpu.size(); ++i) {
    REQUIRE(cpu[i].name == cuda[i].name);
    testing::check_close(what + " " + cpu[i].name, cpu[i].tensor, cuda[i].tensor, kTrainingTolerance);
  }
}

}  // namespace

TEST_CASE("cuda/train: CNF(m, n) and CCNF(m, n) trained on CUDA follow the CPU run from the same seed" *
          doctest::skip(testing::cuda_parity_skipped())) {
  for (ModelKind kind : {ModelKind::CNF_MN, ModelKind::CCNF_MN}) {
    CAPTURE(model_kind_name(kind));
    const TrainOptions o = options_for(kind);
    Trainer cpu(o, test::tiny_prepared(o));
    Trainer cuda(o, test::tiny_prepared(o), Device::CUDA);
    REQUIRE(cuda.device() == Device::CUDA);
    for (const NamedTensor& t : flow_state(cuda.flow())) CHECK(t.tensor.device() == Device::CUDA);

    for (int s = 0; s < 6; ++s) {  // the mass loss (CCNF) joins after n_mse_delay = 1 step
      CAPTURE(s);
      const StepReport a = cpu.step(), b = cuda.step();
      REQUIRE(!a.skipped);
      REQUIRE_MESSAGE(!b.skipped, b.bad_reason);
      test::check_close(b.nll, a.nll, kScalarTolerance, "nll");
      REQUIRE(a.mass_loss.has_value() == b.mass_loss.has_value());
      if (a.mass_loss) test::check_close(*b.mass_loss, *a.mass_loss, kScalarTolerance, "mass loss");
      CHECK(a.mass_loss_added == b.mass_loss_added);
    }
    CHECK(cuda.steps_done() == 6);
    CHECK(cuda.flow().dropout_generator().offset() == cpu.flow().dropout_generator().offset());
    check_state("weights and statistics", flow_state(cpu.flow()), flow_state(cuda.flow()));
    const NamedTensors moments_cuda = cuda.optimizer().state();
    for (const NamedTensor& t : moments_cuda)
      if (t.name.find(".exp_avg") != std::string::npos) CHECK(t.tensor.device() == Device::CUDA);
    check_state("optimiser", cpu.optimizer().state(), moments_cuda);
    test::check_close(cuda.validation_loss(), cpu.validation_loss(), kScalarTolerance, "validation loss");
  }
}

TEST_CASE("cuda/train: a checkpoint of a CUDA run loads on the CPU with the same log p and resumes on CUDA" *
          doctest::skip(testing::cuda_parity_skipped())) {
  const TrainOptions o = options_for(ModelKind::CCNF_MN);
  test::TempDir dir;
  const std::string path = dir.file("cuda.h5");
  Trainer cuda(o, test::tiny_prepared(o), Device::CUDA);
  for (int s = 0; s < 3; ++s) REQUIRE(!cuda.step().skipped);
  cuda.save(path);

  JetModel on_cpu = load_jet_model(path);
  for (const NamedTensor& t : flow_state(*on_cpu.flow)) CHECK(t.tensor.device() == Device::CPU);
  const TrainingData data = load_training_data(o.data);
  const data::JetSet jets = select_jets(data.jets, data.prepared.split.test);
  REQUIRE(jets.jets > 0);
  const Tensor log_p_cpu = Tensor::from_vector(jet_log_prob(on_cpu, jets), Shape{jets.jets});
  const Tensor log_p_cuda = Tensor::from_vector(jet_log_prob(cuda.model(), jets), Shape{jets.jets});
  testing::check_close("log p of the test jets", log_p_cpu, log_p_cuda, kTrainingTolerance);

  // Resumed on the device, the run continues as the original one.
  Trainer resumed(o, test::tiny_prepared(o), Device::CUDA);
  resumed.restore(load_checkpoint(path));
  for (const NamedTensor& t : resumed.optimizer().state())
    if (t.name.find(".exp_avg") != std::string::npos) CHECK(t.tensor.device() == Device::CUDA);
  CHECK(resumed.steps_done() == 3);
  const StepReport a = cuda.step(), b = resumed.step();
  test::check_close(b.nll, a.nll, kScalarTolerance, "nll after resuming");
  check_state("weights after resuming", flow_state(cuda.flow()), flow_state(resumed.flow()));
}

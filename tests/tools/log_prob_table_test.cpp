// bin/logprob's computation: batching gives Flow::log_prob's numbers, the whole pipeline (jet model
// checkpoint + JetNet file) matches log_prob of hand-prepared inputs, the nflows fixture's
// log-probabilities come out through it, and the CSV layout.
#include <doctest/doctest.h>

#include "data/jetnet_hdf5.h"
#include "engine/autograd/recording.h"
#include "engine/core/error.h"
#include "tests/support/error_message.h"
#include "tests/support/jet_model_fixture.h"
#include "tests/support/nflows_fixtures.h"
#include "tests/support/temp_dir.h"
#include "tests/support/tolerance.h"
#include "tools/common/log_prob_table.h"

using namespace flowjet;
using flowjet::test::check_all_close;
using flowjet::test::Tolerance;
using namespace flowjet::flows;

TEST_CASE("logprob: a jet model and a JetNet file give Flow::log_prob of the scaled jets, in any batch size") {
  test::TempDir dir;
  JetModel model = test::small_jet_model("cnf_mn");
  save_jet_model(dir.file("model.h5"), model);
  const data::JetSet jets = test::jetnet_like_jets(9, 91);
  data::write_jetnet(dir.file("q.h5"), jets);
  const OpenedModel opened = open_model(dir.file("model.h5"));
  const FlowInputs inputs = read_flow_inputs(opened, dir.file("q.h5"));
  // The expected values: the in-memory model on the in-memory jets, one call.
  const FlowInputs direct = jet_model_inputs(model, jets);
  NoGradScope no_grad;
  const std::vector<double> expected = model.flow->log_prob(direct.x, direct.context).to_vector();
  for (int64_t batch : {1, 4, 9, 100}) {
    CAPTURE(batch);
    check_all_close(tools::batched_log_prob(opened.flow(), inputs, batch), expected,
                    Tolerance::at_least_one(1e-6));  // f32 flow, GEMM blocking
  }
  CHECK(test::contains(test::error_message<ConfigError>([&] { tools::batched_log_prob(opened.flow(), inputs, 0); }),
                       "batch size must be >= 1, got 0"));
}

TEST_CASE("logprob: the imported nflows flow and its inputs file give nflows' log-probabilities") {
  const OpenedModel opened = open_model(test::nflows_fixture("rqs_flow.h5"));
  const FlowInputs rows = read_flow_inputs(opened, test::nflows_fixture("rqs_fixture.h5"), 3, 10);
  const std::vector<double> all = load_checkpoint(test::nflows_fixture("rqs_fixture.h5")).tensor("log_prob").to_vector();
  check_all_close(tools::batched_log_prob(opened.flow(), rows, 4),
                  std::vector<double>(all.begin() + 3, all.begin() + 13), Tolerance::at_least_one(1e-10));
}

TEST_CASE("logprob: CSV layout") {
  const std::string csv = tools::log_prob_csv({-180.0, -9.0}, 5, 90);
  CHECK(csv == "jet,log_prob,log_prob_per_dim\n5,-180,-2\n6,-9,-0.10000000000000001\n");
}

// jet_log_prob: the preprocessing equals training's (prepare() without noise, table columns as
// flow input and context), batches do not change the result, and mismatched jets are refused.
#include <doctest/doctest.h>

#include "data/preprocess.h"
#include "engine/autograd/recording.h"
#include "engine/core/error.h"
#include "flows/jet_log_prob.h"
#include "tests/support/jet_model_fixture.h"

using namespace flowjet;
using namespace flowjet::flows;

TEST_CASE("flows/jet_log_prob: equals the flow's log_prob on training's prepared rows, in any batch size") {
  const data::JetSet jets = test::jetnet_like_jets(60, 12);
  data::PrepareOptions options;
  options.add_noise = false;
  options.fit_on_all_rows = true;
  const data::PreparedData prepared = data::prepare(jets, options);
  for (const char* kind : {"vnf", "cnf_m", "cnf_mn"}) {
    CAPTURE(kind);
    JetModel model = test::small_jet_model(kind);
    model.scaler = prepared.scaler;
    const int64_t C = model.flow->spec().context_features;
    // Columns of prepared.table [rows, 92]: 90 scaled features, m~, n.
    std::vector<double> x, c;
    for (int64_t i = 0; i < prepared.rows; ++i) {
      for (int64_t j = 0; j < 90; ++j) x.push_back(prepared.table[static_cast<size_t>(i * 92 + j)]);
      for (int64_t j = 0; j < C; ++j) c.push_back(prepared.table[static_cast<size_t>(i * 92 + 90 + j)]);
    }
    std::vector<double> expected;
    {
      NoGradScope no_grad;
      const Tensor context = C > 0 ? Tensor::from_vector(c, Shape{prepared.rows, C}) : Tensor();
      expected = model.flow->log_prob(Tensor::from_vector(x, Shape{prepared.rows, 90}), context).to_vector();
    }
    CHECK(jet_log_prob(model, jets) == expected);
    CHECK(jet_log_prob(model, jets, 7) == expected);
  }
}

TEST_CASE("flows/jet_log_prob: jets of another particle count or a bad batch size are refused") {
  JetModel model = test::small_jet_model("cnf_mn");
  const data::JetSet ten = data::JetSet::zeros(3, 10, data::JetType::G);
  CHECK_THROWS_WITH_AS(jet_log_prob(model, ten), doctest::Contains("10 particles per jet but the model expects 30"),
                       ShapeError);
  data::JetSet truncated = test::jetnet_like_jets(3, 1);
  truncated.jet_features.pop_back();
  CHECK_THROWS_WITH_AS(jet_log_prob(model, truncated), doctest::Contains("need 360 particle and 12 jet values"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(jet_log_prob(model, test::jetnet_like_jets(3, 1), 0), doctest::Contains("batch_size"),
                       ConfigError);
}

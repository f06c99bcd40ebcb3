// The summary table: parameter counts per module against flow-model.md §5 (the talk's 437,366 per coupling
// layer and 6,560,490 in total) and against nflows' count of the small fixture flow, symbolic shapes, depth.
#include <string>

#include <doctest/doctest.h>

#include "flows/inspect/model_summary.h"
#include "tests/support/flow_specs.h"

using namespace flowjet;
using namespace flowjet::flows;

namespace {

const SummaryRow& row(const ModelSummary& s, const std::string& path) {
  for (const SummaryRow& r : s.rows)
    if (r.path == path) return r;
  FAIL("no row " << path);
  return s.rows.front();
}

}  // namespace

TEST_CASE("inspect/summary: the talk-sized flow shows 437,366 per coupling layer and 6,560,490 in total") {
  FlowSpec spec;  // 90 features, 15 RQS layers, K = 5, H = 256, 2 blocks
  spec.context_features = 0;  // nflows' C = 0 of the authors' VNF (flow-model.md §5)
  Flow flow(spec);
  const ModelSummary s = summarize_flow(flow);
  CHECK(s.total_parameters == 6560490);
  CHECK(row(s, "").parameters == 6560490);
  for (int l = 0; l < 15; ++l) {
    CAPTURE(l);
    CHECK(row(s, "transforms." + std::to_string(l)).parameters == 437366);
    CHECK(row(s, "transforms." + std::to_string(l)).type == "RqsCoupling");
  }
  // flow-model.md §5 check line: L_in 11,776; blocks 263,680; L_out 161,910.
  CHECK(row(s, "transforms.3.conditioner.initial_layer").parameters == 11776);
  CHECK(row(s, "transforms.3.conditioner.blocks").parameters == 263680);
  CHECK(row(s, "transforms.3.conditioner.final_layer").parameters == 161910);
  CHECK(row(s, "transforms.3.conditioner.blocks.1.context_layer").parameters == 256);
  CHECK(row(s, "transforms.3.conditioner").output_shape == "[B, 630]");
  CHECK(row(s, "transforms.3.conditioner.blocks.0.dropout").output_shape == "[B, 256]");
  CHECK(row(s, "transforms.3").output_shape == "[B, 90]");
  CHECK(s.rows.size() == 2 + 15 * 15);  // flow, list, then per layer: coupling, net, L_in, list, 2 x (block + 4), L_out
  CHECK(s.buffer_elements == 15 * 90);  // the masks
  const std::string table = format_summary(s);
  CHECK(table.find("Total params: 6,560,490") != std::string::npos);
  CHECK(table.find("437,366") != std::string::npos);
  CHECK(format_hyperparameters(spec).find("437,366 (flow-model.md §5 formula)") != std::string::npos);
}

TEST_CASE("inspect/summary: small conditioned flow with batch norm, counts as nflows counts them") {
  FlowSpec spec = test::small_flow_spec();  // D 6, 3 layers, K 4, H 8, 2 blocks, context 2
  spec.dtype = DType::F32;
  Flow flow(spec);
  const ModelSummary s = summarize_flow(flow);
  CHECK(s.total_parameters == 2235);  // nflows' count of the same flow (tools/py/make_nflows_fixtures.py, rqs)
  CHECK(s.total_parameters == spec.parameter_count());
  CHECK(row(s, "transforms.0.conditioner.initial_layer").parameters == (3 + 2) * 8 + 8);
  CHECK(row(s, "transforms.0.conditioner.blocks.1.batch_norm_0").type == "BatchNorm1d");
  CHECK(row(s, "transforms.0.conditioner.blocks.1.batch_norm_0").parameters == 16);
  CHECK(row(s, "transforms.0.conditioner.final_layer").output_shape == "[B, 33]");
  CHECK(s.buffer_elements == 3 * (6 + 2 * 2 * 16));  // masks and running mean/var
  CHECK(s.parameter_bytes == 2235 * 4);
  const std::string shallow = format_summary(s, 1);
  CHECK(shallow.find("ModuleList: transforms") != std::string::npos);
  CHECK(shallow.find("RqsCoupling") == std::string::npos);
  CHECK(format_summary(s, 2).find("├─RqsCoupling: 0") != std::string::npos);
  CHECK(format_summary(s, 2).find("└─RqsCoupling: 2") != std::string::npos);
}

TEST_CASE("inspect/summary: affine coupling rows and digit grouping") {
  FlowSpec spec;
  spec.features = 4;
  spec.coupling_layers = 1;
  spec.coupling = CouplingKind::Affine;
  spec.hidden_features = 5;
  spec.num_blocks = 1;
  Flow flow(spec);
  const ModelSummary s = summarize_flow(flow);
  CHECK(row(s, "transforms.0").type == "AffineCoupling");
  CHECK(row(s, "transforms.0.conditioner").output_shape == "[B, 4]");  // shift and raw scale of 2 features
  CHECK(group_digits(0) == "0");
  CHECK(group_digits(999) == "999");
  CHECK(group_digits(1000) == "1,000");
  CHECK(group_digits(-1234567) == "-1,234,567");
}

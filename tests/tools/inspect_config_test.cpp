// bin/inspect --config: the table of a training configuration (what the tool runs: configuration ->
// FlowSpec -> Flow -> summary) shows the talk's numbers for a VNF with the default model keys.
#include <fstream>

#include <doctest/doctest.h>

#include "engine/core/error.h"
#include "flows/inspect/model_summary.h"
#include "tests/support/error_message.h"
#include "tests/support/temp_dir.h"
#include "tools/common/train_config.h"

using namespace flowjet;

TEST_CASE("inspect/config: a VNF configuration shows 437,366 per coupling layer and 6,560,490 in total") {
  test::TempDir dir;
  std::ofstream(dir.file("vnf.ini")) << "[model]\nkind = vnf\n";
  const flows::Flow flow(tools::flow_spec_from(tools::load_train_config(dir.file("vnf.ini"))));
  const flows::ModelSummary s = flows::summarize_flow(flow);
  CHECK(s.total_parameters == 6560490);
  CHECK(s.rows.at(2).path == "transforms.0");
  CHECK(s.rows.at(2).parameters == 437366);
  // Overrides as on bin/inspect's command line: 3 layers with batch norm conditioned on (m, n).
  const flows::Flow small(tools::flow_spec_from(
      tools::load_train_config(dir.file("vnf.ini"), {"model.kind=cnf_mn", "model.coupling_layers=3", "model.batchnorm=true"})));
  CHECK(flows::summarize_flow(small).total_parameters == 3 * (438902 + 2048));  // flow-model.md §5: C = 2, plus batch norm
  CHECK(test::contains(test::error_message<ConfigError>([&] { tools::load_train_config(dir.file("missing.ini")); }),
                       "missing.ini"));
}

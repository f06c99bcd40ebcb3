// The library calls behind bin/sample, bin/evaluate and bin/inspect (tools/common/sample_file.h,
// tools/common/evaluate_files.h, flows/inspect/inspect_actions.h), called as an embedding program
// would: the same jets, numbers and text as the lower-level functions, and an interrupt that leaves
// no output behind.
#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "data/jetnet_hdf5.h"
#include "engine/core/error.h"
#include "flows/generate.h"
#include "flows/inspect/flow_trace.h"
#include "flows/inspect/inspect_actions.h"
#include "flows/inspect/inspect_page.h"
#include "tests/support/file_text.h"
#include "tests/support/jet_subset.h"
#include "tests/support/jet_model_fixture.h"
#include "tests/support/temp_dir.h"
#include "tools/common/evaluate_files.h"
#include "tools/common/sample_file.h"

using namespace flowjet;

TEST_CASE("tools/sample_file: the jets of in-process generation; an interrupt leaves no file") {
  test::TempDir dir;
  flows::JetModel model = test::small_jet_model("cnf_mn");
  flows::save_jet_model(dir.file("model.h5"), model);
  tools::SampleFileOptions options;
  options.checkpoint = dir.file("model.h5");
  options.output = dir.file("jets.h5");
  options.count = 60;
  options.threads = 1;
  options.generate.seed = 9;
  options.generate.batch_size = 25;
  const tools::SampleFileResult result = tools::sample_file(options);
  CHECK(result.exit_status == 0);
  CHECK(result.jets == 60);
  CHECK(result.particles == 30);
  flows::GenerateOptions expected_options;
  expected_options.seed = 9;
  const data::JetSet expected = flows::generate_jets(model, 60, expected_options);
  data::ReadOptions read;
  read.type = data::JetType::G;
  const data::JetSet written = data::read_jetnet(dir.file("jets.h5"), read);
  CHECK(written.particle_features == expected.particle_features);
  CHECK(written.jet_features == expected.jet_features);

  const std::atomic<int> interrupt{2};  // SIGINT, already received: the run stops after its first batch
  options.output = dir.file("stopped.h5");
  options.interrupt = &interrupt;
  const tools::SampleFileResult stopped = tools::sample_file(options);
  CHECK(stopped.exit_status == 128 + 2);
  CHECK(stopped.jets == 25);
  CHECK(dir.listing().size() == 2);  // model.h5 and jets.h5: nothing of the stopped run

  options.count.reset();
  CHECK_THROWS_AS(tools::sample_file(options), ConfigError);  // neither a count nor conditions
}

TEST_CASE("tools/evaluate_files: scores two files, takes the jet type from the file name, writes the JSON") {
  test::TempDir dir;
  test::write_jet_subset("data/samples/g.h5", dir.file("g.h5"), 200);
  test::write_jet_subset("data/samples/q.h5", dir.file("q.h5"), 150);
  tools::EvaluateFilesOptions options;
  options.real_path = dir.file("g.h5");
  options.generated_path = dir.file("q.h5");
  options.evaluation.preset = metrics::parse_preset("full");
  options.evaluation.metrics = metrics::parse_metric_selection("w1m");
  options.evaluation.threads = 1;
  options.json_path = dir.file("out.json");
  const tools::EvaluateFilesResult result = tools::evaluate_files(options);
  CHECK(result.exit_status == 0);
  CHECK(result.written == std::vector<std::string>{dir.file("out.json")});
  CHECK(result.result.real_jets == 200);
  CHECK(result.result.gen_jets == 150);
  REQUIRE(result.result.w1m.has_value());
  CHECK_FALSE(result.result.w1p.has_value());
  CHECK(result.result.options.jet_type == std::optional<char>('g'));  // from g.h5
  CHECK(test::file_text(dir.file("out.json")) == metrics::to_json(result.result, {options.real_path, options.generated_path}));

  // SIGTERM arrives while the metrics run: the table is still printed, no output is written.
  const std::atomic<int> interrupt{15};
  options.json_path = dir.file("stopped.json");
  options.install_interrupt = [&interrupt] { return &interrupt; };
  const tools::EvaluateFilesResult stopped = tools::evaluate_files(options);
  CHECK(stopped.exit_status == 128 + 15);
  CHECK(stopped.written.empty());
  CHECK_FALSE(std::filesystem::exists(dir.file("stopped.json")));
}

TEST_CASE("inspect/actions: a random jet is fixed by its index, a data row is read, the texts are the library's") {
  test::TempDir dir;
  flows::save_jet_model(dir.file("model.h5"), test::small_jet_model("cnf_mn"));
  data::write_jetnet(dir.file("g.h5"), test::jetnet_like_jets(5, 1));
  const flows::OpenedModel opened = flows::open_model(dir.file("model.h5"));

  std::vector<std::string> notes;
  const flows::InspectNote note = [&notes](const std::string& line) { notes.push_back(line); };
  const flows::InspectJet random{std::nullopt, 3};
  const flows::FlowInputs a = flows::inspect_jet(opened, random, note), b = flows::inspect_jet(opened, random);
  CHECK(a.x.to_vector() == b.x.to_vector());
  CHECK(a.context.to_vector() == b.context.to_vector());
  REQUIRE(notes.size() == 1);
  CHECK(notes[0] == "random jet 3 (z ~ N(0, I) seeded with 3, mapped to data; condition from the model's sampler)");
  CHECK(random.description() == "random jet 3");

  const flows::InspectJet row{dir.file("g.h5"), 2};
  const flows::FlowInputs point = flows::inspect_jet(opened, row, note);
  CHECK(notes.size() == 1);  // no note for a jet of the data file
  CHECK(point.x.to_vector() == flows::read_flow_inputs(opened, dir.file("g.h5"), 2, 1).x.to_vector());
  CHECK(row.description() == "jet 2 of " + dir.file("g.h5"));
  CHECK(flows::inspect_trace(opened, row, 4) ==
        flows::format_trace(flows::trace_flow(opened.flow(), point.x, point.context), 4));

  const std::string model_line = flows::describe_model(dir.file("model.h5"), opened);
  CHECK(model_line.rfind(dir.file("model.h5") + ": jet model \"cnf_mn\" (", 0) == 0);
  const std::string overview = flows::format_overview(opened.flow(), model_line, 1);
  CHECK(overview.rfind(model_line + "\n", 0) == 0);
  CHECK(overview.find("\nHyper-parameters:\n") != std::string::npos);
  flows::InspectPageOptions page;
  page.model_description = model_line;
  page.jet_description = row.description();
  page.scaler = &opened.model.scaler;
  CHECK(flows::inspect_html(dir.file("model.h5"), opened, row) ==
        flows::inspect_page(opened.flow(), point.x, point.context, page));
}

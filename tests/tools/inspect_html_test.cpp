// bin/inspect --html run as a process (the one beside this test binary: build it first, make bin/inspect;
// run from the repository root): the page of an imported nflows flow and of a jet model, its numbers
// against the library's, and the refusals.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <doctest/doctest.h>

#include "engine/autograd/recording.h"
#include "flows/inspect/model_summary.h"
#include "flows/io/flow_inputs.h"
#include "tests/support/error_message.h"
#include "tests/support/file_text.h"
#include "tests/support/jet_model_fixture.h"
#include "tests/support/nflows_fixtures.h"
#include "tests/support/page_text.h"
#include "tests/support/program_run.h"
#include "tests/support/temp_dir.h"

using namespace flowjet;

namespace {

struct Run {
  int status = -1;
  std::string output;  // stdout and stderr
};

// bin/inspect of the same build as this test (bin/ or the sanitizer build's bin/).
Run run_inspect(const std::string& arguments) {
  const std::string program = test::program_path("inspect");
  REQUIRE_MESSAGE(std::ifstream(program).good(), (program + " not found: make bin/inspect, run from the repo root"));
  Run run;
  FILE* pipe = popen((program + " " + arguments + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buffer{};
  std::size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) run.output.append(buffer.data(), n);
  const int raw = pclose(pipe);
  run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return run;
}


}  // namespace

TEST_CASE("inspect/html: an imported nflows flow and row 2 of its inputs file; the numbers are the library's") {
  test::TempDir dir;
  const std::string model = test::nflows_fixture("rqs_flow.h5"), inputs = test::nflows_fixture("rqs_fixture.h5");
  const Run run = run_inspect(model + " --html " + dir.file("page.html") + " --data " + inputs + " --jet 2");
  REQUIRE_MESSAGE(run.status == 0, run.output);
  CHECK(dir.listing() == std::vector<std::string>{"page.html"});  // no temporary file left behind
  const std::string page = test::file_text(dir.file("page.html"));
  CHECK(test::count_of(page, "<svg") == 6);
  CHECK(test::contains(page, "flow checkpoint"));
  CHECK(test::contains(page, "jet 2 of " + inputs));

  const flows::OpenedModel opened = flows::open_model(model);
  const flows::ModelSummary summary = flows::summarize_flow(opened.flow());
  CHECK(test::contains(page, "Total parameters: <b>" + flows::group_digits(summary.total_parameters) + "</b>"));
  CHECK(test::contains(page, "<td>" + flows::group_digits(summary.rows.at(2).parameters) + "</td>"));
  const flows::FlowInputs row = flows::read_flow_inputs(opened, inputs, 2, 1);
  NoGradScope no_grad;
  CHECK(test::data_value(page, "log-prob") == opened.flow().log_prob(row.x, row.context).to_vector().at(0));
}

TEST_CASE("inspect/html: a jet model's page draws the jet in (eta_rel, phi_rel) and the chosen spline") {
  test::TempDir dir;
  const flows::JetModel model = test::small_jet_model("cnf_mn");
  flows::save_jet_model(dir.file("model.h5"), model);
  const int64_t feature = model.flow->layer(1).transform_features().at(1);
  const Run run = run_inspect(dir.file("model.h5") + " --html " + dir.file("page.html") + " --jet 4 --spline 1 " +
                              std::to_string(feature));
  REQUIRE_MESSAGE(run.status == 0, run.output);
  const std::string page = test::file_text(dir.file("page.html"));
  CHECK(test::count_of(page, "<svg") == 6);
  CHECK(test::contains(page, "jet model"));
  CHECK(test::contains(page, "random jet 4"));
  CHECK(test::contains(page, "η_rel"));
  CHECK(test::contains(page, "Spline of layer 1, feature " + std::to_string(feature)));
}

TEST_CASE("inspect/html: refusals name what is wrong and write nothing") {
  test::TempDir dir;
  const std::string model = dir.file("flow.h5");
  {
    std::ifstream in(test::nflows_fixture("rqs_flow.h5"), std::ios::binary);
    std::ofstream(model, std::ios::binary) << in.rdbuf();
  }
  const std::string before = test::file_text(model);
  struct Case {
    std::string arguments, message;
    int status;
  };
  const Case cases[] = {
      {model + " --html " + model, "is the input file", 2},
      {model + " --html " + dir.path() + "/../" + dir.path().substr(dir.path().rfind('/') + 1) + "/flow.h5",
       "is the input file", 2},
      {model + " --html " + dir.path(), "is a directory", 2},
      {model + " --html " + dir.file("p.html") + " --trace 1", "give --trace or --html, not both", 2},
      {"--config configs/quick.ini --html " + dir.file("p.html"), "--html needs a checkpoint", 2},
      {model + " --html", "--html", 2},
      {model + " --html " + dir.file("p.html") + " --spline 7 0", "layer 7 is out of range", 1},
      {model + " --html " + dir.file("missing/p.html"), "missing/p.html\": the folder", 2},
  };
  for (const Case& c : cases) {
    CAPTURE(c.arguments);
    const Run run = run_inspect(c.arguments);
    CHECK(run.status == c.status);
    CHECK_MESSAGE(test::contains(run.output, c.message), run.output);
  }
  CHECK(test::file_text(model) == before);
  CHECK(dir.listing() == std::vector<std::string>{"flow.h5"});
}

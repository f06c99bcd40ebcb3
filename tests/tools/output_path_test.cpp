// Outputs never replace inputs: check_output_path under every spelling of the same file, and the
// programs that write files (bin/sample, bin/logprob, bin/evaluate, bin/inspect) refusing an output
// that is one of their inputs, with exit status 2, before any work and with the input unchanged.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "flows/io/jet_model.h"
#include "tests/support/file_text.h"
#include "tests/support/jet_model_fixture.h"
#include "tests/support/program_run.h"
#include "tests/support/temp_dir.h"
#include "tools/common/cli.h"
#include "tools/common/output_path.h"

using namespace flowjet;
namespace fs = std::filesystem;

TEST_CASE("tools/output_path: the same file under another spelling, a link, a directory or a missing folder") {
  test::TempDir dir;
  const std::string input = dir.file("in.h5");
  std::ofstream(input) << "data";
  fs::create_directory(dir.file("sub"));
  fs::create_symlink(input, dir.file("link.h5"));
  fs::create_hard_link(input, dir.file("hard.h5"));
  const std::string via_dotdot = dir.file("sub/../in.h5");

  CHECK_NOTHROW(tools::check_output_path("-o", dir.file("out.h5"), {input}));
  for (const std::string& same : {input, via_dotdot, dir.file("link.h5"), dir.file("hard.h5")}) {
    CAPTURE(same);
    CHECK_THROWS_WITH_AS(tools::check_output_path("-o", same, {input}),
                         ("-o \"" + same + "\" is the input file \"" + input + "\"; writing it would replace the input").c_str(),
                         tools::UsageError);
  }
  CHECK_THROWS_WITH_AS(tools::check_output_path("--json", dir.path(), {}),
                       ("--json \"" + dir.path() + "\" is a directory").c_str(), tools::UsageError);
  CHECK_THROWS_WITH_AS(tools::check_output_path("-o", dir.file("no/out.h5"), {}),
                       ("-o \"" + dir.file("no/out.h5") + "\": the folder \"" + dir.file("no") + "\" does not exist").c_str(),
                       tools::UsageError);
  CHECK_THROWS_AS(tools::check_output_path("-o", "", {}), tools::UsageError);
  CHECK_THROWS_AS(tools::check_output_path("-o", dir.path() + "/", {}), tools::UsageError);
  // A relative spelling from the working directory of the same file.
  const std::string relative = fs::relative(input).string();
  CHECK_THROWS_AS(tools::check_output_path("-o", relative, {input}), tools::UsageError);
}

TEST_CASE("tools/output_path: bin/sample, bin/logprob, bin/evaluate and bin/inspect refuse to overwrite an input") {
  test::TempDir dir;
  const std::string model = dir.file("model.h5");
  flows::save_jet_model(model, test::small_jet_model("cnf_mn"));
  const std::string data = "data/samples/q.h5";
  const std::string model_bytes = test::file_text(model), data_bytes = test::file_text(data);
  const std::string link = dir.file("data_link.h5");
  fs::create_symlink(fs::absolute(data), link);

  const std::string bin = test::program_path("");
  const std::string cases[] = {
      bin + "sample " + model + " -n 10 -o " + model,
      bin + "logprob " + model + " " + data + " -o " + link,
      bin + "logprob " + model + " " + data + " -o " + model,
      bin + "evaluate --real " + data + " --gen " + data + " --json " + link,
      bin + "evaluate --real " + data + " --gen " + data + " --report " + data,
      bin + "inspect " + model + " --spline 0 0 -o " + model,
      bin + "inspect " + model + " --html " + model,
  };
  for (const std::string& command : cases) {
    CAPTURE(command);
    const test::ProgramRun run = test::run_command(dir, command);
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("writing it would replace the input") != std::string::npos);
  }
  CHECK(test::file_text(model) == model_bytes);
  CHECK(test::file_text(data) == data_bytes);
}

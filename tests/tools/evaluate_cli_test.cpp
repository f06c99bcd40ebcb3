// bin/evaluate run as a process (the one beside this test binary: build it first, make bin/evaluate):
// flag errors and exit codes, and one small end-to-end run writing the table, JSON and report. Run from
// the repository root.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include <doctest/doctest.h>

#include "data/jetnet_hdf5.h"
#include "engine/backend/cuda/runtime.h"
#include "metrics/evaluation/evaluation_table.h"
#include "tests/support/file_text.h"
#include "tests/support/jet_subset.h"
#include "tests/support/program_run.h"
#include "tests/support/temp_dir.h"

using namespace flowjet;

namespace {

struct Run {
  int status = -1;
  std::string output;  // stdout and stderr
};

// bin/evaluate of the same build as this test (bin/ or the sanitizer build's bin/).
std::string evaluate_program() { return test::program_path("evaluate"); }

// A shell command line, its stdout and stderr together.
Run run_evaluate_command(const std::string& command) {
  REQUIRE_MESSAGE(std::ifstream(evaluate_program()).good(),
                  (evaluate_program() + " not found: build it (make bin/evaluate) and run from the repo root"));
  Run run;
  FILE* pipe = popen(("(" + command + ") 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buffer{};
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) run.output.append(buffer.data(), n);
  const int raw = pclose(pipe);
  run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return run;
}

Run run_evaluate(const std::string& arguments) { return run_evaluate_command(evaluate_program() + " " + arguments); }


size_t count_of(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("tools/evaluate: --help lists every metric of the built-in table, and --metrics takes their names") {
  const Run help = run_evaluate("--help");
  REQUIRE(help.status == 0);
  // One line per metric: its name, spaces, its summary.
  for (const metrics::MetricEntry& entry : metrics::builtin_metric_table()) {
    const size_t start = help.output.find("\n  " + entry.name + " ");
    REQUIRE_MESSAGE(start != std::string::npos, entry.name);
    const size_t end = help.output.find('\n', start + 1);
    const std::string rest = help.output.substr(start + 3 + entry.name.size(), end - start - 3 - entry.name.size());
    CHECK(rest.substr(rest.find_first_not_of(' ')) == entry.summary);
  }
  CHECK(help.output.find("comma-separated subset of " + metrics::metric_names(metrics::builtin_metric_table()) +
                         ", all, or preset") != std::string::npos);
  const Run unknown = run_evaluate("--real data/samples/g.h5 --gen data/samples/q.h5 --metrics w1m,mean_pt");
  CHECK(unknown.status == 2);
  CHECK(unknown.output.find("--metrics: unknown metric \"mean_pt\" in \"w1m,mean_pt\" (expected all, preset, or a "
                            "comma-separated list of w1m, w1p, w1efp, cov_mmd, fpnd, fpd, kpd)") != std::string::npos);
}

TEST_CASE("tools/evaluate: --help, and flag errors exit with 2 naming the flag or file") {
  const Run help = run_evaluate("--help");
  CHECK(help.status == 0);
  CHECK(help.output.find("--real REAL.h5") != std::string::npos);
  CHECK(help.output.find("--report OUT.html") != std::string::npos);

  const std::string files = "--real data/samples/g.h5 --gen data/samples/q.h5 ";
  const Run unknown = run_evaluate(files + "--sed 3");
  CHECK(unknown.status == 2);
  CHECK(unknown.output.find("unknown flag --sed (did you mean --seed?)") != std::string::npos);
  const Run missing = run_evaluate("--real data/samples/g.h5 --gen no/such.h5");
  CHECK(missing.status == 2);
  CHECK(missing.output.find("--gen: file 'no/such.h5' does not exist") != std::string::npos);
  const Run no_real = run_evaluate("--gen data/samples/q.h5");
  CHECK(no_real.status == 2);
  CHECK(no_real.output.find("--real is required") != std::string::npos);
  const Run preset = run_evaluate(files + "--preset fast");
  CHECK(preset.status == 2);
  CHECK(preset.output.find("--preset: 'fast' is not one of talk, jetnet, full") != std::string::npos);
  const Run cov_n = run_evaluate(files + "--cov-n 12x");
  CHECK(cov_n.status == 2);
  CHECK(cov_n.output.find("--cov-n: '12x' is not an integer") != std::string::npos);
  const Run jet_type = run_evaluate(files + "--jet-type w");
  CHECK(jet_type.status == 2);
  CHECK(jet_type.output.find("--jet-type: 'w' is not one of g, q, t") != std::string::npos);
  const Run json_dir = run_evaluate(files + "--json no/such/dir/out.json");
  CHECK(json_dir.status == 2);
  CHECK(json_dir.output.find("--json \"no/such/dir/out.json\": the folder \"no/such/dir\" does not exist") != std::string::npos);
  const Run metrics = run_evaluate(files + "--metrics w1m,emd");
  CHECK(metrics.status == 2);
  CHECK(metrics.output.find("unknown metric \"emd\"") != std::string::npos);
}

TEST_CASE("tools/evaluate: a small run prints the table row and writes JSON and the report atomically") {
  test::TempDir dir;
  test::write_jet_subset("data/samples/g.h5", dir.file("g.h5"), 300);
  test::write_jet_subset("data/samples/q.h5", dir.file("q.h5"), 200);
  const Run run = run_evaluate("--real " + dir.file("g.h5") + " --gen " + dir.file("q.h5") +
                               " --preset full --cov-n 25 --metrics w1m,w1p,w1efp,cov_mmd --threads 2 --json " +
                               dir.file("out.json") + " --report " + dir.file("out.html"));
  INFO(run.output);
  REQUIRE(run.status == 0);
  CHECK(run.output.find("W1M ×10⁻³") != std::string::npos);
  CHECK(run.output.find("300 real and 200 generated jets") != std::string::npos);
  CHECK(run.output.find("preset full") != std::string::npos);
  const std::string json = test::file_text(dir.file("out.json"));
  CHECK(json.rfind("{\n  \"w1m\": ", 0) == 0);
  CHECK(json.find("\"fpnd\": null") != std::string::npos);
  CHECK(json.find("\"fpd\": null") != std::string::npos);
  CHECK(json.find("\"jet_type\": \"g\"") != std::string::npos);  // from the --real file name
  CHECK(json.find("\"cov_n\": 25") != std::string::npos);
  const std::string html = test::file_text(dir.file("out.html"));
  CHECK(count_of(html, "<svg") == 31);
  CHECK(count_of(html, "<script") == 0);
  CHECK(dir.listing().size() == 4);  // g.h5, q.h5, out.json, out.html: no temporary files left
}

TEST_CASE("tools/evaluate: --device auto runs where CUDA is usable, --device cuda says why it cannot") {
  test::TempDir dir;
  test::write_jet_subset("data/samples/g.h5", dir.file("g.h5"), 50);
  const std::string common = "--real " + dir.file("g.h5") + " --gen " + dir.file("g.h5") +
                             " --preset full --cov-n 10 --metrics w1m --threads 1 --device ";
  const Run named = run_evaluate(common + "gpu");
  CHECK(named.status == 2);
  CHECK(named.output.find("--device: 'gpu' is not one of cpu, cuda, auto") != std::string::npos);
  const Run automatic = run_evaluate(common + "auto");
  INFO(automatic.output);
  REQUIRE(automatic.status == 0);
  const Run cuda = run_evaluate(common + "cuda");
  if (cuda_available()) {
    CHECK(automatic.output.find("--device = auto: using CUDA (") != std::string::npos);
    CHECK(cuda.status == 0);
  } else {
    CHECK(automatic.output.find("--device = auto: using the CPU (" + cuda_unavailable_reason() + ")") !=
          std::string::npos);
    CHECK(cuda.status == 1);
    CHECK(cuda.output.find("--device = cuda: " + cuda_unavailable_reason()) != std::string::npos);
  }
}

TEST_CASE("tools/evaluate: FPND is on by default, its resources found from another working directory") {
  test::TempDir dir;
  test::write_jet_subset("data/samples/q.h5", dir.file("q.h5"), 100);
  const std::string program = std::filesystem::absolute(evaluate_program()).string();
  const Run run = run_evaluate_command("cd " + dir.path() + " && env -u FLOWJET_FPND_DIR " + program +
                                       " --real q.h5 --gen q.h5 --metrics fpnd --json out.json");
  INFO(run.output);
  REQUIRE(run.status == 0);
  const std::string json = test::file_text(dir.file("out.json"));
  CHECK(json.find("\"fpnd\": null") == std::string::npos);
  // The directory used is the repository's copy, found from bin/evaluate's own location.
  std::smatch fpnd_dir;
  REQUIRE(std::regex_search(json, fpnd_dir, std::regex("\"fpnd_dir\": \"([^\"]+)\"")));
  CHECK(std::filesystem::equivalent(fpnd_dir[1].str(), "metrics/resources/fpnd"));
}

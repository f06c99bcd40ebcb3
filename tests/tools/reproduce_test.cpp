// tools/reproduce.sh end to end in its try-out mode: one row of the talk's table, a few steps on the
// first 3,000 committed light-quark jets, then a second call that finds the results and skips the row.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>

#include "tests/support/file_text.h"
#include "tests/support/program_run.h"
#include "tests/support/temp_dir.h"

using namespace flowjet;

namespace {

bool python3_missing() { return std::system("python3 -c pass > /dev/null 2>&1") != 0; }

}  // namespace

TEST_CASE("tools/reproduce: one row trains, is scored with its truth floor and lands in the table; a rerun skips it" *
          doctest::skip(python3_missing())) {
  test::TempDir dir;
  const std::string results = dir.file("results");
  const std::string command = "tools/reproduce.sh --rows light_vnf --jets 3000 --max-steps 10 --threads 1 --out " +
                              results + " --runs " + dir.file("runs");
  const test::ProgramRun first = test::run_command(dir, command);
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 0);
  for (const char* file : {"light_vnf/evaluation.json", "light_vnf/train_log.csv", "light_vnf/report.html",
                           "light_vnf/config.ini", "light_vnf/run.json", "truth_floor_q.json", "data_checksums.txt",
                           "table.md", "index.html"})
    CHECK_MESSAGE(std::filesystem::exists(results + "/" + file), file);
  CHECK(test::file_text(results + "/light_vnf/config.ini").find("max_jets = 3000") != std::string::npos);
  const std::string run = test::file_text(results + "/light_vnf/run.json");
  CHECK(run.find("\"data\": \"data/samples/q.h5\"") != std::string::npos);
  CHECK(run.find("\"threads\": 1,") != std::string::npos);
  CHECK(run.find("--threads 1\"") != std::string::npos);
  const std::string table = test::file_text(results + "/table.md");
  CHECK(table.find("Rows trained: 1 of 15.") != std::string::npos);
  CHECK(table.find("| VNF | [flowjet](light_vnf/report.html) |") != std::string::npos);
  CHECK(table.find("| truth floor | flowjet | not run yet |") != std::string::npos);  // gluon and top
  CHECK(table.find("(1 thread) |") != std::string::npos);

  const test::ProgramRun second = test::run_command(dir, command);
  CHECK(second.exit_code == 0);
  CHECK(second.out.find("== light_vnf: results exist in " + results + "/light_vnf, skipped") != std::string::npos);

  const test::ProgramRun bad = test::run_command(dir, "tools/reproduce.sh --rows light_nnf --out " + results);
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("no configuration configs/cpu/light_nnf.ini for row 'light_nnf'") != std::string::npos);
  const test::ProgramRun bad_threads = test::run_command(dir, "tools/reproduce.sh --threads 0 --out " + results);
  CHECK(bad_threads.exit_code == 2);
  CHECK(bad_threads.err.find("--threads must be an integer from 1 to 99, not '0'") != std::string::npos);
}

// Ctrl-C (SIGINT) and SIGTERM on bin/evaluate while it scores: one line saying so, exit status
// 128 + the signal, and no output or temporary file. The program runs in its own process (a shell
// starts it); every wait in the script has a deadline, and a run that outlives it is killed.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <utility>

#include "tests/support/file_text.h"
#include "tests/support/program_run.h"
#include "tests/support/temp_dir.h"

using namespace flowjet;

namespace {

size_t count_of(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

struct Interrupted {
  std::string exit_status;  // as the shell's `wait` reports it
  std::string err;          // bin/evaluate's standard error
};

// Scores the committed 20 000-jet samples (about a minute on one thread, FPND most of it) with
// --json and --report into `out`, and sends `signal` once the program has read both files (its
// "... generated jets" line), i.e. while the metrics run. Deadlines: 60 s to start, 60 s to stop.
Interrupted interrupt_evaluate(const test::TempDir& dir, const std::string& out, const std::string& signal) {
  const std::string err = dir.file("stderr.txt"), rc = dir.file("rc.txt");
  const std::string script =
      test::program_path("evaluate") + " --real data/samples/g.h5 --gen data/samples/q.h5 --threads 1 --json " + out +
      "/scores.json --report " + out + "/report.html > /dev/null 2> " + err + " & pid=$!; " +
      "for i in $(seq 1200); do grep -q \"generated jets\" " + err + " && break; sleep 0.05; done; " +
      "kill -" + signal + " $pid; " +
      "for i in $(seq 1200); do kill -0 $pid 2> /dev/null || break; sleep 0.05; done; " +
      "kill -KILL $pid 2> /dev/null; wait $pid; echo $? > " + rc;
  const test::ProgramRun run = test::run_command(dir, "bash -c '" + script + "'");
  REQUIRE(run.exit_code == 0);
  return {test::file_text(rc), test::file_text(err)};
}

}  // namespace

TEST_CASE("reliability/interrupt: bin/evaluate stops at SIGINT or SIGTERM with one line and no output") {
  for (const auto& [signal, status] : {std::pair<std::string, std::string>{"INT", "130\n"}, {"TERM", "143\n"}}) {
    CAPTURE(signal);
    test::TempDir dir;
    const std::string out = dir.file("out");
    std::filesystem::create_directory(out);
    const Interrupted run = interrupt_evaluate(dir, out, signal);
    INFO(run.err);
    REQUIRE(count_of(run.err, "generated jets") == 1);  // it had started scoring
    CHECK(run.exit_status == status);
    CHECK(count_of(run.err, "interrupted") == 1);
    CHECK(count_of(run.err, "evaluate: interrupted; no output written\n") == 1);
    CHECK(count_of(run.err, "wrote ") == 0);
    CHECK(std::filesystem::is_empty(out));  // neither an output nor a temporary file
  }
}

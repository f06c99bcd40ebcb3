// Tests of the tools' progress display (bin/train's steps, bin/sample's jet counts): durations,
// counts, and what each mode prints.
#include "tools/common/progress.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "tests/support/error_message.h"

using namespace flowjet;
using test::contains;

namespace {

/// What `fn` prints through a printer on a memory stream.
std::string printed_on(bool interactive, const std::function<void(const tools::StatusLine&)>& fn) {
  char* buffer = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&buffer, &size);
  fn(tools::StatusLine(out, interactive));
  std::fclose(out);
  std::string text(buffer, size);
  std::free(buffer);
  return text;
}

std::string printed(bool interactive, const std::function<void(tools::ProgressPrinter&)>& fn) {
  return printed_on(interactive, [&fn](const tools::StatusLine& line) {
    tools::ProgressPrinter printer(line);
    fn(printer);
  });
}

flows::StepProgress step(int64_t s) {
  flows::StepProgress p;
  p.step = s;
  p.max_steps = 100;
  p.nll = 0.5;
  p.jets_per_second = 1234.4;
  p.elapsed_seconds = 3725.0 + s;  // far apart, so every step is drawn
  p.eta_seconds = 61.0;
  return p;
}

}  // namespace

TEST_CASE("tools/progress: durations and counts") {
  CHECK(tools::format_duration(0) == "0:00:00");
  CHECK(tools::format_duration(3725.4) == "1:02:05");
  CHECK(tools::format_duration(-1) == "-");
  CHECK(tools::format_count(6560490) == "6,560,490");
  CHECK(tools::format_count(999) == "999");
  CHECK(tools::format_count(-1000) == "-1,000");
}

TEST_CASE("tools/progress: a terminal gets one rewritten line, a log file one line per log row") {
  const std::string tty = printed(true, [](tools::ProgressPrinter& p) {
    p.on_step(step(1));
    p.on_step(step(2));
    p.on_message("step 2: validation");
  });
  CHECK(contains(tty, "\rstep 1/100  nll 0.5000  mass -  1234 jets/s  elapsed 1:02:06  eta 0:01:01\033[K"));
  CHECK(contains(tty, "\rstep 2/100"));
  CHECK(contains(tty, "\033[K\nstep 2: validation\n"));

  const std::string log = printed(false, [](tools::ProgressPrinter& p) {
    p.on_step(step(1));
    p.on_step(step(2));
    flows::LogRow row;
    row.step = 2;
    row.nll = 0.25;
    row.mass_loss = 0.0123;
    row.jets_per_second = 1000;
    row.elapsed_seconds = 10;
    p.on_log(row);
  });
  CHECK(log == "step 2/100  nll 0.2500  mass 0.0123  1000 jets/s  elapsed 0:00:10  eta 0:01:01\n");
}

TEST_CASE("tools/progress: a count goes one line per tenth to a log file, rewrites one line on a terminal") {
  const auto count_to = [](bool interactive, int64_t total) {
    return printed_on(interactive, [total](const tools::StatusLine& line) {
      tools::CountProgress progress(line, "sample", "jets");
      for (int64_t done = 1; done <= total; ++done) progress.update(done, total);
    });
  };
  const std::string log = count_to(false, 20);
  CHECK(std::count(log.begin(), log.end(), '\n') == 10);
  CHECK(log.rfind("sample: 2/20 jets (10.0 %), ", 0) == 0);
  CHECK(contains(log, "\nsample: 20/20 jets (100.0 %), "));
  CHECK(contains(log, " jets/s, ETA 0 s\n"));
  CHECK(!contains(log, "\r"));

  const std::string tty = count_to(true, 3);
  CHECK(tty.rfind("\rsample: 1/3 jets (33.3 %), ", 0) == 0);
  CHECK(contains(tty, "\rsample: 3/3 jets (100.0 %), "));
  CHECK(std::count(tty.begin(), tty.end(), '\n') == 1);
  CHECK(tty.back() == '\n');
}

// Tests of the op profiler: nothing is recorded while it is off, calls and bytes per op name,
// self time of nested scopes, backward rows from the tape, and the report's rows.
#include <chrono>
#include <string>
#include <thread>

#include <doctest/doctest.h>

#include "engine/autograd/tape.h"
#include "engine/ops/binary/binary.h"
#include "engine/ops/reduce/reduce.h"
#include "engine/profile/profiler.h"
#include "engine/tensor/tensor.h"

using namespace flowjet;

namespace {

// Profiling on, with an empty table, for one test; off again afterwards (unless it was on before).
struct Profiling {
  bool before = profiling_enabled();
  Profiling() {
    enable_profiling(false);
    reset_profile();
  }
  ~Profiling() {
    if (!before) disable_profiling();
    reset_profile();
  }
};

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// The report line of `op` in `phase`, or "" when there is none.
std::string row(const std::string& report, const std::string& op, const std::string& phase) {
  std::size_t at = 0;
  while ((at = report.find(op + " ", at)) != std::string::npos) {
    const bool line_start = at == 0 || report[at - 1] == '\n';
    const std::size_t end = report.find('\n', at);
    const std::string line = report.substr(at, end - at);
    if (line_start && line.find(" " + phase + " ") != std::string::npos) return line;
    at = end;
  }
  return "";
}

// Column `index` (0 = op name) of a report row.
std::string column(const std::string& line, int index) {
  std::size_t at = 0;
  std::string word;
  for (int k = 0; k <= index; ++k) {
    at = line.find_first_not_of(' ', at);
    const std::size_t end = line.find(' ', at);
    word = line.substr(at, end - at);
    at = end;
  }
  return word;
}

}  // namespace

TEST_CASE("profile: nothing is recorded while the profiler is off") {
  const bool before = profiling_enabled();
  disable_profiling();
  reset_profile();
  {
    OpProfileScope scope("never_recorded", OpPhase::Forward);
    CHECK_FALSE(scope.active());
    Tensor x = Tensor::ones(Shape{3});
    Tensor y = x + x;
  }
  const std::string report = profile_report();
  CHECK(report.find("never_recorded") == std::string::npos);
  CHECK(row(report, "add", "forward").empty());
  if (before) enable_profiling(false);
}

TEST_CASE("profile: calls and bytes per op name; a nested scope is subtracted from its parent") {
  Profiling on;
  for (int i = 0; i < 3; ++i) {
    OpProfileScope outer("test_outer", OpPhase::Forward);
    outer.add_bytes(100, 40);
    sleep_ms(10);
    {
      OpProfileScope inner("test_inner", OpPhase::Forward);
      sleep_ms(30);
    }
  }
  const std::string report = profile_report();
  INFO(report);
  const std::string outer = row(report, "test_outer", "forward"), inner = row(report, "test_inner", "forward");
  REQUIRE_FALSE(outer.empty());
  REQUIRE_FALSE(inner.empty());
  CHECK(column(outer, 2) == "3");
  CHECK(column(inner, 2) == "3");
  const double outer_ms = std::stod(column(outer, 3)), inner_ms = std::stod(column(inner, 3));
  CHECK(inner_ms >= 90.0);
  CHECK(outer_ms >= 30.0);
  CHECK(outer_ms < 80.0);  // 3 x 10 ms of its own, not the 3 x 40 ms it was open
  CHECK(column(outer, 5) == "0.0");  // 300 bytes are 0.0 MiB
  CHECK(report.find("CPU allocator") != std::string::npos);
  CHECK(report.find("page faults since profiling started") != std::string::npos);
}

TEST_CASE("profile: ops record their forward calls and bytes, the tape their backward") {
  Profiling on;
  Tensor a = Tensor::ones(Shape{512, 1024});  // 2 MiB of f32
  a.set_requires_grad(true);
  Tensor b = Tensor::ones(Shape{512, 1024});
  Tensor loss = sum(a * b);
  backward(loss);
  const std::string report = profile_report();
  INFO(report);
  const std::string mul = row(report, "mul", "forward");
  REQUIRE_FALSE(mul.empty());
  CHECK(column(mul, 2) == "1");
  CHECK(column(mul, 5) == "4.0");  // reads a and b
  CHECK(column(mul, 6) == "2.0");  // writes the product
  CHECK(column(mul, 7) == "-");    // no GFLOP/s for an element-wise op
  CHECK_FALSE(row(report, "sum", "forward").empty());
  const std::string mul_back = row(report, "mul", "backward");
  REQUIRE_FALSE(mul_back.empty());
  CHECK(column(mul_back, 2) == "1");
  CHECK(column(mul_back, 6) == "2.0");  // only a's gradient is written
  CHECK_FALSE(row(report, "sum", "backward").empty());
}

TEST_CASE("profile: flops give a GFLOP/s column; reset_profile empties the table") {
  Profiling on;
  {
    OpProfileScope scope("test_gemm", OpPhase::Forward);
    scope.add_flops(2e9);
    sleep_ms(20);
  }
  const std::string line = row(profile_report(), "test_gemm", "forward");
  REQUIRE_FALSE(line.empty());
  const double gflops = std::stod(column(line, 7));
  CHECK(gflops > 1.0);
  CHECK(gflops <= 100.0);  // 2 GFLOP in at least 20 ms
  reset_profile();
  CHECK(row(profile_report(), "test_gemm", "forward").empty());
}

// Implementation of the gradcheck table shared by every test suite.
#include "tests/support/gradcheck_table.h"

#include <cstdio>

#include <doctest/doctest.h>
#include <fmt/format.h>

namespace flowjet::testing {
namespace {

struct Row {
  std::string op, case_name, input, shape;
  double max_abs, max_rel, atol, rtol;
  bool passed;
};

std::vector<Row>& rows() {
  static std::vector<Row> all;
  return all;
}

// Records the rows of one result and fails the current test case if any input failed.
void report(const std::string& op, const std::string& case_name, const GradcheckResult& result,
            const GradcheckOptions& options) {
  for (const auto& in : result.inputs)
    rows().push_back({op, case_name, in.name, in.shape.str(), in.max_abs_error, in.max_rel_error, options.atol,
                      options.rtol, in.passed});
  INFO(op << " / " << case_name << ":\n" << result.summary());
  CHECK(result.passed);
  CHECK(!result.inputs.empty());
}

}  // namespace

void check_gradients(const std::string& op, const std::string& case_name, const GradcheckFunction& fn,
                     const std::vector<Tensor>& inputs, const std::vector<std::string>& names,
                     const GradcheckOptions& options) {
  report(op, case_name, gradcheck(fn, inputs, names, options), options);
}

void check_parameter_gradients(const std::string& op, const std::string& case_name,
                               const std::function<std::vector<Tensor>()>& fn, const NamedTensors& parameters,
                               const GradcheckOptions& options) {
  report(op, case_name, gradcheck_parameters(fn, parameters, options), options);
}

void print_gradcheck_table() {
  if (rows().empty()) return;
  std::printf("\nGradient checks (float64, central differences, step 1e-6; pass if |a-n| <= atol + rtol*|n|)\n");
  std::printf("%-18s %-34s %-10s %-16s %-11s %-11s %-15s %s\n", "op", "case", "input", "shape", "max abs err",
              "max rel err", "atol / rtol", "result");
  int failed = 0;
  for (const Row& r : rows()) {
    std::printf("%-18s %-34s %-10s %-16s %-11.2e %-11.2e %-15s %s\n", r.op.c_str(), r.case_name.c_str(),
                r.input.c_str(), r.shape.c_str(), r.max_abs, r.max_rel, fmt::format("{:.0e} / {:.0e}", r.atol, r.rtol).c_str(),
                r.passed ? "pass" : "FAIL");
    failed += r.passed ? 0 : 1;
  }
  std::printf("%zu rows, %d failed\n", rows().size(), failed);
}

}  // namespace flowjet::testing

// Test-side wrapper of the engine's gradcheck: runs it, fails the doctest case on a mismatch
// (printing the first mismatches), and records a row for the table `make gradcheck` prints.
#pragma once

#include <string>
#include <vector>

#include "engine/autograd/gradcheck.h"

namespace flowjet::testing {

/// Runs gradcheck(fn, inputs) and CHECKs that it passed; `op` and `case_name` label the table row.
void check_gradients(const std::string& op, const std::string& case_name, const GradcheckFunction& fn,
                     const std::vector<Tensor>& inputs, const std::vector<std::string>& names = {},
                     const GradcheckOptions& options = {});

/// Runs gradcheck_parameters(fn, parameters) and CHECKs that it passed.
void check_parameter_gradients(const std::string& op, const std::string& case_name,
                               const std::function<std::vector<Tensor>()>& fn, const NamedTensors& parameters,
                               const GradcheckOptions& options = {});

/// Prints every recorded row: op, case, shape, max abs error, max rel error, pass/fail.
void print_gradcheck_table();

}  // namespace flowjet::testing

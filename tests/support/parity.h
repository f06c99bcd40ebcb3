// CPU-vs-CUDA parity harness of the *_parity_test.cpp cases (beside the tests of the code they check):
// runs one function on CPU f32 and CUDA f32 copies of the same inputs, feeds the same upstream gradients to
// both backward passes, and compares every output and every input gradient with
// |cuda - cpu| <= atol + rtol * |cpu|, reporting the first mismatches.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/backend/cuda/runtime.h"
#include "engine/random/generator.h"
#include "engine/tensor/tensor.h"

namespace flowjet::testing {

/// Skip decorator argument of every parity case: true when no CUDA device can be used. The first call
/// prints the line "CUDA parity tests skipped: no CUDA device (<reason>)" once for the suite.
bool cuda_parity_skipped();

/// A parity tolerance and its reason. atol is relative to the magnitude of the CPU tensor: the bound is
/// rtol * (|cpu_i| + floor * max_j |cpu_j|), so elements near zero are compared on the tensor's scale.
struct ParityTolerance {
  double rtol;
  double floor = 1e-2;
};
/// Element-wise ops: the same formula, libm vs CUDA math differ by a few ulp.
constexpr ParityTolerance kElementwiseTolerance{1e-5};
/// GEMMs, reductions and the spline's softmax/cumsum: summation orders differ between the backends.
constexpr ParityTolerance kReductionTolerance{1e-4};

/// Compares a CUDA result with the CPU one (any devices; copied to the host); FAIL_CHECKs on a mismatch,
/// printing the first five offending indices with both values and the largest relative error.
void check_close(const std::string& what, const Tensor& cpu, const Tensor& cuda, ParityTolerance tolerance);

/// Same values, bit for bit (masks and random draws that must come from the same Philox words).
void check_identical(const std::string& what, const Tensor& cpu, const Tensor& cuda);

/// CPU f32 tensor of uniform draws in [low, high) (the inputs of the parity cases).
Tensor uniform_f32(const Shape& shape, Generator& gen, double low, double high);
/// CPU f32 tensor with |v| in [0.5, 1.5] and random signs (divisors, values kept away from kinks at 0).
Tensor away_from_zero_f32(const Shape& shape, Generator& gen);

using ParityFunction = std::function<std::vector<Tensor>(const std::vector<Tensor>& inputs)>;

/// Runs `fn` on CPU and on CUDA copies of `inputs` (CPU f32 tensors). Inputs whose `differentiable` flag is
/// set require gradients; every output gets the same random upstream gradient (drawn with `seed`) on both
/// devices. Compares outputs and the gradients of the differentiable inputs.
void check_op_parity(const std::string& op, const ParityFunction& fn, const std::vector<Tensor>& inputs,
                     const std::vector<std::string>& names, const std::vector<bool>& differentiable,
                     ParityTolerance tolerance, uint64_t seed = 1234);

}  // namespace flowjet::testing

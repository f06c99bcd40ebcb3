// Tests of the fused rational-quadratic spline (flows.md §1): nflows golden vectors (§7.1), round trips,
// log|det| against finite differences, f64 gradchecks in both directions (tails, ±B, bin edges), errors.
#include <cmath>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "engine/autograd/tape.h"
#include "engine/ops/rqs_spline/rqs_spline.h"
#include "engine/random/generator.h"
#include "tests/support/gradcheck_table.h"

using namespace flowjet;

namespace {

struct SplineParams {
  int bins;
  double bound;
  std::vector<double> widths, heights, derivatives;  // raw: K, K, K-1
};

struct GoldenRow {
  double input, output, logabsdet;
  double f32_lad_tol = 0;  // > 0: override of the f32 logabsdet tolerance, with its reason at the row
};

// flows.md §7.1 case A and case B (numbers produced by nflows in float64, copied from the spec).
const SplineParams kCaseA{4, 3.0, {0.3, -0.6, 1.1, 0.2}, {-0.4, 0.8, 0.1, -0.9}, {0.5, -1.2, 2.0}};
const SplineParams kCaseB{8,
                          5.0,
                          {2.0, -1.5, 0.0, 0.7, -0.3, 1.2, -2.0, 0.4},
                          {-1.0, 1.8, 0.5, -0.6, 0.0, 2.2, -1.4, 0.9},
                          {-6.0, 22.0, 0.0, 1.3, -0.7, 3.0, -2.5}};

const std::vector<GoldenRow> kCaseAForward{
    {-4.0, -4.0, 0.0},
    {-3.0, -3.0, -1.1102230246251565e-16},
    {-2.2, -2.4598765447757893, -0.5429916262501251},
    {-1.676814969062345, -2.085153647275961, -0.025238852967876646},
    {-1.1352874992186122, 0.9383225085705127, -1.33073679578854},
    {1.8021616975307566, 2.442756822104868, 0.7551487415100716},
    {-0.3, 1.119485007781112, -1.5300448932050341},
    {0.0, 1.1886117940441308, -1.3964030823699511},
    {0.9, 1.5041658363757646, -0.6654017224926176},
    {2.5, 2.8192485820931585, -1.5954272265116458},
    {3.0, 3.0, -2.220446049250313e-16},
    {3.0000001, 3.0000001, 0.0},
    {7.5, 7.5, 0.0}};
const std::vector<GoldenRow> kCaseAInverse{
    {-4.0, -4.0, 0.0},
    {-3.0, -3.0, 1.1102230246251565e-16},
    {-2.085153647275961, -1.676814969062345, 0.025238852967876646},
    // f32: y's rounding (~3e-8) moves x by 3.8 times that, to either side of a knot where log g' bends sharply.
    {0.9383225085705127, -1.1352874992186122, 1.33073679578854, 1e-3},
    {2.442756822104868, 1.8021616975307566, -0.7551487415100716},
    {-1.7, -1.5495183793781655, -1.7232868900001392},
    {0.25, -1.326311510234629, -2.064603520287524},
    {1.4, 0.6724625331503942, 0.8959494319943816},
    {2.95, 2.9362949598495076, 0.478769862641806},
    {3.0, 3.0, 2.220446049250313e-16},
    {5.0, 5.0, 0.0}};
const std::vector<GoldenRow> kCaseBForward{
    {-6.0, -6.0, 0.0},
    {-5.0, -5.0, 0.0},
    {-4.99, -4.990504611954752, -0.10355775315821703},
    // f32: the knot x_1 joins d_1 = 0.0035 to a bin of slope 19; d(log g')/dx ~ 5e5 there, so the rounding
    // of x (~3e-8) alone changes log g' by ~1e-2.
    {-0.4969704958798289, -4.819039758356212, -5.661963657462422, 5e-2},
    {-0.35129276121612296, -1.9976589726227183, 3.0910879068707438},
    {1.9617319891225593, -0.48170749713719907, -0.9058799899832043},
    {-2.0, -4.8229102882618475, -5.653089354928605},
    {0.0, -1.2720179203026745, -1.5986526992317276},
    {0.37, -1.1804210217815634, -1.462742651870229},
    {1.9, -0.512243718853524, -0.5356080398349201},
    {4.082872987870882, 3.8469778705430766, -2.527107916409982},
    {4.8, 4.737758293315331, 0.4757729425557663},
    {5.0, 5.0, -1.6653345369377348e-16},
    {5.5, 5.5, 0.0}};
const std::vector<GoldenRow> kCaseBInverse{
    {-5.25, -5.25, 0.0},
    {-5.0, -5.0, -0.0},
    {-4.819039758356212, -0.4969704958798289, 5.661963657462422},
    {-1.221468326185398, 0.26677265931443817, 0.36507126522542066},
    {3.7223797934941487, 3.990580281956989, -1.1150062869001989},
    {-4.2, -0.43632395667549634, -3.0534329306029058},
    {-1.0, 1.465403474872203, 0.04315280770252139},
    {0.0, 2.4959649668783466, -0.3444994376739028},
    {0.6, 2.8421765307103124, -0.7141850744630855},
    {3.1, 3.7860501589003572, -1.107085425057192},
    {4.97, 4.971270218952398, -0.08507601590461816},
    {5.0, 5.0, 1.6653345369377348e-16},
    {9.0, 9.0, 0.0}};

RqsSplineOptions options_of(const SplineParams& p) {
  RqsSplineOptions o;
  o.num_bins = p.bins;
  o.tail_bound = p.bound;
  return o;
}

// One raw parameter vector repeated for every element: [rows, cols, values.size()].
Tensor broadcast(const std::vector<double>& values, int64_t rows, int64_t cols, DType dtype) {
  std::vector<double> all;
  for (int64_t i = 0; i < rows * cols; ++i) all.insert(all.end(), values.begin(), values.end());
  return Tensor::from_vector(all, Shape{rows, cols, static_cast<int64_t>(values.size())}, dtype);
}

RqsSplineResult run_broadcast(const SplineParams& p, const std::vector<double>& inputs, bool inverse, DType dtype) {
  const auto n = static_cast<int64_t>(inputs.size());
  return rqs_spline(Tensor::from_vector(inputs, Shape{1, n}, dtype), broadcast(p.widths, 1, n, dtype),
                    broadcast(p.heights, 1, n, dtype), broadcast(p.derivatives, 1, n, dtype), options_of(p), inverse);
}

// Knots of §1.3 written out independently in the test (used only to PLACE test points on/near knots).
std::vector<double> reference_knots(const double* raw, int bins, double bound) {
  double max_raw = raw[0], sum = 0.0;
  for (int j = 1; j < bins; ++j) max_raw = std::max(max_raw, raw[j]);
  for (int j = 0; j < bins; ++j) sum += std::exp(raw[j] - max_raw);
  std::vector<double> knots{-bound};
  double cumulative = 0.0;
  for (int j = 0; j < bins; ++j) {
    cumulative += 1e-3 + (1.0 - bins * 1e-3) * std::exp(raw[j] - max_raw) / sum;
    knots.push_back(2.0 * bound * cumulative - bound);
  }
  knots.back() = bound;
  return knots;
}

// Random raw parameters for `count` elements (normal, std `scale`), as the three tensors.
struct RandomParams {
  Tensor widths, heights, derivatives;
};
RandomParams random_params(int64_t rows, int64_t cols, int bins, Generator& gen, double scale = 1.0) {
  return {random_normal(Shape{rows, cols, bins}, gen, DType::F64, Device::CPU, 0.0, scale),
          random_normal(Shape{rows, cols, bins}, gen, DType::F64, Device::CPU, 0.0, scale),
          random_normal(Shape{rows, cols, bins - 1}, gen, DType::F64, Device::CPU, 0.0, scale)};
}

void check_golden(const SplineParams& p, const std::vector<GoldenRow>& rows, bool inverse, DType dtype) {
  std::vector<double> inputs;
  for (const GoldenRow& r : rows) inputs.push_back(r.input);
  RqsSplineResult res = run_broadcast(p, inputs, inverse, dtype);
  std::vector<double> out = res.outputs.to_vector(), lad = res.logabsdet.to_vector();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CAPTURE(i);
    CAPTURE(rows[i].input);
    if (dtype == DType::F64) {
      // flows.md §7: 1e-12 absolute (the extra 1e-9 relative it allows near steep bins is not needed).
      CHECK(std::fabs(out[i] - rows[i].output) <= 1e-12);
      CHECK(std::fabs(lad[i] - rows[i].logabsdet) <= 1e-12);
    } else {
      // f32: ~1e-5 relative, plus the conditioning of the output on the input's rounding to f32
      // (|d out / d in| = exp(golden lad); input and knots, of size B, are rounded at 2^-23 relative).
      const double input_rounding = std::exp(rows[i].logabsdet) * p.bound * 1.2e-7;
      CHECK(std::fabs(out[i] - rows[i].output) <= 1e-5 * std::max(1.0, std::fabs(rows[i].output)) + 4 * input_rounding);
      CHECK(std::fabs(lad[i] - rows[i].logabsdet) <=
            (rows[i].f32_lad_tol > 0 ? rows[i].f32_lad_tol : 1e-5 * std::max(1.0, std::fabs(rows[i].logabsdet))));
    }
  }
}

}  // namespace

TEST_CASE("ops/rqs_spline: nflows golden vectors, f64 (flows.md 7.1 cases A and B)") {
  check_golden(kCaseA, kCaseAForward, false, DType::F64);
  check_golden(kCaseA, kCaseAInverse, true, DType::F64);
  check_golden(kCaseB, kCaseBForward, false, DType::F64);
  check_golden(kCaseB, kCaseBInverse, true, DType::F64);
}

TEST_CASE("ops/rqs_spline: nflows golden vectors, f32") {
  check_golden(kCaseA, kCaseAForward, false, DType::F32);
  check_golden(kCaseA, kCaseAInverse, true, DType::F32);
  check_golden(kCaseB, kCaseBForward, false, DType::F32);
  check_golden(kCaseB, kCaseBInverse, true, DType::F32);
}

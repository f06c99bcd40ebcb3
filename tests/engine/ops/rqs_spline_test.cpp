// Tests of the fused rational-quadratic spline (flow-model.md §1) on packed parameters [N, F (3K-1)]: nflows golden
// vectors (§7.1), round trips, log|det| against finite differences, f64 gradchecks of the inputs and the packed
// parameters in both directions (tails, ±B, bin edges, the width/height logit scale), errors.
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

struct GoldenCase {
  int bins;
  double bound;
  std::vector<double> widths, heights, derivatives;  // raw: K, K, K-1
};

struct GoldenRow {
  double input, output, logabsdet;
  double f32_lad_tol = 0;  // > 0: override of the f32 logabsdet tolerance (kOnKnot, or a reason at the row)
};

// f32 logabsdet tolerance for rows exactly on an interior knot: rounding the input (and the knots) to f32
// puts the point on either side of the knot, where log g' bends sharply (its slope g''/g' jumps and can be
// ~1e2..1e3): errors up to ~2e-4 were seen (case A, y = y_2) against ~1e-6 off the knots.
constexpr double kOnKnot = 1e-3;

// flow-model.md §7.1 case A and case B (numbers produced by nflows in float64, as listed there).
const GoldenCase kCaseA{4, 3.0, {0.3, -0.6, 1.1, 0.2}, {-0.4, 0.8, 0.1, -0.9}, {0.5, -1.2, 2.0}};
const GoldenCase kCaseB{8,
                          5.0,
                          {2.0, -1.5, 0.0, 0.7, -0.3, 1.2, -2.0, 0.4},
                          {-1.0, 1.8, 0.5, -0.6, 0.0, 2.2, -1.4, 0.9},
                          {-6.0, 22.0, 0.0, 1.3, -0.7, 3.0, -2.5}};

const std::vector<GoldenRow> kCaseAForward{
    {-4.0, -4.0, 0.0},
    {-3.0, -3.0, -1.1102230246251565e-16},
    {-2.2, -2.4598765447757893, -0.5429916262501251},
    {-1.676814969062345, -2.085153647275961, -0.025238852967876646, kOnKnot},
    {-1.1352874992186122, 0.9383225085705127, -1.33073679578854, kOnKnot},
    {1.8021616975307566, 2.442756822104868, 0.7551487415100716, kOnKnot},
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
    {-2.085153647275961, -1.676814969062345, 0.025238852967876646, kOnKnot},
    {0.9383225085705127, -1.1352874992186122, 1.33073679578854, kOnKnot},
    {2.442756822104868, 1.8021616975307566, -0.7551487415100716, kOnKnot},
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
    {-0.35129276121612296, -1.9976589726227183, 3.0910879068707438, kOnKnot},
    {1.9617319891225593, -0.48170749713719907, -0.9058799899832043, kOnKnot},
    {-2.0, -4.8229102882618475, -5.653089354928605},
    {0.0, -1.2720179203026745, -1.5986526992317276},
    {0.37, -1.1804210217815634, -1.462742651870229},
    {1.9, -0.512243718853524, -0.5356080398349201},
    {4.082872987870882, 3.8469778705430766, -2.527107916409982, kOnKnot},
    {4.8, 4.737758293315331, 0.4757729425557663},
    {5.0, 5.0, -1.6653345369377348e-16},
    {5.5, 5.5, 0.0}};
const std::vector<GoldenRow> kCaseBInverse{
    {-5.25, -5.25, 0.0},
    {-5.0, -5.0, -0.0},
    {-4.819039758356212, -0.4969704958798289, 5.661963657462422, kOnKnot},
    {-1.221468326185398, 0.26677265931443817, 0.36507126522542066, kOnKnot},
    {3.7223797934941487, 3.990580281956989, -1.1150062869001989, kOnKnot},
    {-4.2, -0.43632395667549634, -3.0534329306029058},
    {-1.0, 1.465403474872203, 0.04315280770252139},
    {0.0, 2.4959649668783466, -0.3444994376739028},
    {0.6, 2.8421765307103124, -0.7141850744630855},
    {3.1, 3.7860501589003572, -1.107085425057192},
    {4.97, 4.971270218952398, -0.08507601590461816},
    {5.0, 5.0, 1.6653345369377348e-16},
    {9.0, 9.0, 0.0}};

RqsSplineOptions options_of(const GoldenCase& p) {
  RqsSplineOptions o;
  o.num_bins = p.bins;
  o.tail_bound = p.bound;
  return o;
}

// The case's packed parameters [widths, heights, derivatives] repeated for `rows` rows of one feature: [rows, 3K-1].
Tensor broadcast(const GoldenCase& p, int64_t rows, DType dtype) {
  std::vector<double> all;
  for (int64_t i = 0; i < rows; ++i) {
    all.insert(all.end(), p.widths.begin(), p.widths.end());
    all.insert(all.end(), p.heights.begin(), p.heights.end());
    all.insert(all.end(), p.derivatives.begin(), p.derivatives.end());
  }
  return Tensor::from_vector(all, Shape{rows, 3 * p.bins - 1}, dtype);
}

// One input per row (F = 1), so the row log|det| is the element's.
RqsSplineResult run_broadcast(const GoldenCase& p, const std::vector<double>& inputs, bool inverse, DType dtype) {
  const auto n = static_cast<int64_t>(inputs.size());
  return rqs_spline(Tensor::from_vector(inputs, Shape{n, 1}, dtype), broadcast(p, n, dtype), options_of(p), inverse);
}

// Knots of §1.3 written out independently in the test (used only to PLACE test points on/near knots), from
// K logits and the op's logit scale.
std::vector<double> reference_knots(const double* logits, int bins, double bound, double logit_scale) {
  std::vector<double> raw(logits, logits + bins);
  for (double& r : raw) r *= logit_scale;
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

// Random packed parameters [rows, cols (3K-1)] (normal, std `scale`), f64, with the shape of the inputs.
struct RandomParams {
  int64_t rows, cols;
  Tensor packed;
};
RandomParams random_params(int64_t rows, int64_t cols, int bins, Generator& gen, double scale = 1.0) {
  return {rows, cols, random_normal(Shape{rows, cols * (3 * bins - 1)}, gen, DType::F64, Device::CPU, 0.0, scale)};
}

void check_golden(const GoldenCase& p, const std::vector<GoldenRow>& rows, bool inverse, DType dtype) {
  std::vector<double> inputs;
  for (const GoldenRow& r : rows) inputs.push_back(r.input);
  RqsSplineResult res = run_broadcast(p, inputs, inverse, dtype);
  std::vector<double> out = res.outputs.to_vector(), lad = res.logabsdet.to_vector();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CAPTURE(i);
    CAPTURE(rows[i].input);
    if (dtype == DType::F64) {
      // flow-model.md §7: 1e-12 absolute (the extra 1e-9 relative it allows near steep bins is not needed).
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

TEST_CASE("ops/rqs_spline: nflows golden vectors, f64 (flow-model.md §7.1 cases A and B)") {
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

namespace {

// Element e's knots on the side the direction searches (x for the forward, y for the inverse).
std::vector<double> element_knots(const RandomParams& p, int64_t e, int bins, double bound, bool inverse,
                                  double logit_scale = 1.0) {
  const double* logits = p.packed.data<double>() + e * (3 * bins - 1) + (inverse ? bins : 0);
  return reference_knots(logits, bins, bound, logit_scale);
}

// Uniform inputs in [-spread*B, spread*B], moved at least `margin` away from every knot of their element
// (including the ends ±B), so a finite-difference step never crosses a bin edge or the tail boundary.
Tensor inputs_away_from_edges(const RandomParams& p, int bins, double bound, bool inverse, double spread,
                              double margin, Generator& gen, double logit_scale = 1.0) {
  Tensor x = random_uniform(Shape{p.rows, p.cols}, gen, DType::F64, Device::CPU, -spread * bound, spread * bound);
  double* v = x.data<double>();
  for (int64_t e = 0; e < x.numel(); ++e)
    for (double knot : element_knots(p, e, bins, bound, inverse, logit_scale))
      if (std::fabs(v[e] - knot) < margin) v[e] = knot + (v[e] < knot ? -margin : margin);
  return x;
}

// Each element placed at one of its interior knots (cycling through them), offset by `offset`.
Tensor inputs_at_knots(const RandomParams& p, int bins, double bound, bool inverse, double offset) {
  Tensor x = Tensor::zeros(Shape{p.rows, p.cols}, DType::F64);
  for (int64_t e = 0; e < x.numel(); ++e)
    x.data<double>()[e] = element_knots(p, e, bins, bound, inverse)[1 + e % (bins - 1)] + offset;
  return x;
}

GradcheckFunction spline_fn(const RqsSplineOptions& o, bool inverse, bool with_logabsdet) {
  return [o, inverse, with_logabsdet](const std::vector<Tensor>& in) {
    RqsSplineResult r = rqs_spline(in[0], in[1], o, inverse);
    return with_logabsdet ? std::vector<Tensor>{r.outputs, r.logabsdet} : std::vector<Tensor>{r.outputs};
  };
}

const std::vector<std::string> kNames{"inputs", "params"};

void gradcheck_spline(const std::string& case_name, const Tensor& x, const RandomParams& p, const RqsSplineOptions& o,
                      bool inverse, bool with_logabsdet, bool input_requires_grad = true,
                      const GradcheckOptions& options = {}) {
  Tensor inputs = x.clone().set_requires_grad(input_requires_grad);
  testing::check_gradients("rqs_spline", case_name + (inverse ? ", inverse" : ", forward"),
                           spline_fn(o, inverse, with_logabsdet),
                           {inputs, p.packed.clone().set_requires_grad()}, kNames, options);
}

RqsSplineOptions make_options(int bins, double bound, double logit_scale = 1.0) {
  RqsSplineOptions o;
  o.num_bins = bins;
  o.tail_bound = bound;
  o.width_height_scale = logit_scale;
  return o;
}

}  // namespace

TEST_CASE("ops/rqs_spline: gradcheck f64, inside and in the tails, both outputs, both directions") {
  const int bins = 5;
  const double bound = 2.5;
  for (bool inverse : {false, true}) {
    Generator gen(inverse ? 31 : 30);
    RandomParams p = random_params(3, 6, bins, gen);
    // spread 1.5: about a third of the points lie in the tails.
    Tensor x = inputs_away_from_edges(p, bins, bound, inverse, 1.5, 1e-4, gen);
    gradcheck_spline("random [3,6] K=5, inside and tails", x, p, make_options(bins, bound), inverse, true);
  }
}

// The coupling layer's shape: logits of std 4 with the width/height logit scale 1/sqrt(16), K = 4 and 5
// (the compile-time bin counts) and K = 7 (the run-time one), several features per row summed in logabsdet.
TEST_CASE("ops/rqs_spline: gradcheck f64, packed parameters with the width/height logit scale") {
  const double bound = 3.0, logit_scale = 0.25;
  for (int bins : {4, 5, 7})
    for (bool inverse : {false, true}) {
      Generator gen(static_cast<uint64_t>(100 + 2 * bins + (inverse ? 1 : 0)));
      RandomParams p = random_params(3, 5, bins, gen, 4.0);
      Tensor x = inputs_away_from_edges(p, bins, bound, inverse, 1.2, 1e-4, gen, logit_scale);
      gradcheck_spline("random [3,5] K=" + std::to_string(bins) + ", logit scale 1/4", x, p,
                       make_options(bins, bound, logit_scale), inverse, true);
    }
}

// Step 1e-7: next to a knot with a small derivative d_k the inverse is steep (dx/dy ~ 1/d_k, ~600 in one
// element here) and strongly curved, and the central difference's h^2 error at the default step exceeds the
// tolerance there (9e-4 against 6e-4 on a gradient of 618).
TEST_CASE("ops/rqs_spline: gradcheck f64, 1e-4 from interior knots, both outputs") {
  const int bins = 4;
  const double bound = 3.0;
  GradcheckOptions small_step;
  small_step.step = 1e-7;
  for (bool inverse : {false, true}) {
    Generator gen(inverse ? 41 : 40);
    RandomParams p = random_params(2, 6, bins, gen);
    for (double offset : {-1e-4, 1e-4})
      gradcheck_spline("random [2,6] K=4, knot " + std::string(offset < 0 ? "- " : "+ ") + "1e-4",
                       inputs_at_knots(p, bins, bound, inverse, offset), p, make_options(bins, bound), inverse, true,
                       true, small_step);
  }
}

// Exactly on an interior knot the map (x, theta) -> outputs is C1 (value and slope agree across the knot),
// so central differences that step across it still match the one-sided analytic gradient, up to
// step/2 * (jump of the second derivative): ~1e-5 at the default step 1e-6 for the inverse, hence step 1e-8.
// logabsdet is only C0 there (g'' jumps), so it is checked 1e-4 off the knots above instead.
TEST_CASE("ops/rqs_spline: gradcheck f64, exactly on interior knots, outputs only") {
  const int bins = 4;
  const double bound = 3.0;
  for (bool inverse : {false, true}) {
    Generator gen(inverse ? 51 : 50);
    RandomParams p = random_params(2, 6, bins, gen, 0.5);
    GradcheckOptions small_step;
    small_step.step = 1e-8;
    gradcheck_spline("random [2,6] K=4, on knots, outputs only", inputs_at_knots(p, bins, bound, inverse, 0.0), p,
                     make_options(bins, bound), inverse, false, true, small_step);
  }
}

// At ±B a step in the input crosses into the tail, so only the parameters are perturbed there (their
// gradient is 0: g(±B) = ±B and log g'(±B) = log d_end for all theta); the inputs are checked 1e-4 inside
// and 1e-4 outside the boundary.
TEST_CASE("ops/rqs_spline: gradcheck f64, at and around the tail bound") {
  const int bins = 6;
  const double bound = 2.0;
  for (bool inverse : {false, true}) {
    Generator gen(inverse ? 61 : 60);
    RandomParams p = random_params(2, 4, bins, gen);
    std::vector<double> at_bound, near_bound;
    for (int e = 0; e < 8; ++e) {
      const double sign = e % 2 ? 1.0 : -1.0;
      at_bound.push_back(sign * bound);
      near_bound.push_back(sign * (bound + (e % 4 < 2 ? -1e-4 : 1e-4)));
    }
    gradcheck_spline("random [2,4] K=6, at +-B, parameters only", Tensor::from_vector(at_bound, Shape{2, 4}, DType::F64),
                     p, make_options(bins, bound), inverse, true, false);
    gradcheck_spline("random [2,4] K=6, +-(B -+ 1e-4)", Tensor::from_vector(near_bound, Shape{2, 4}, DType::F64), p,
                     make_options(bins, bound), inverse, true);
  }
}

namespace {

// Inputs for the invariant tests: random inside and tail points, plus ±B and every interior knot.
Tensor invariant_inputs(const RandomParams& p, int bins, double bound, bool inverse, Generator& gen) {
  Tensor x = inputs_away_from_edges(p, bins, bound, inverse, 1.3, 0.0, gen);
  double* v = x.data<double>();
  const int64_t count = x.numel();
  v[0] = -bound;
  v[1] = bound;
  for (int64_t e = 2; e < count / 2; ++e) v[e] = element_knots(p, e, bins, bound, inverse)[1 + e % (bins - 1)];
  return x;
}

RqsSplineResult run_params(const Tensor& x, const RandomParams& p, const RqsSplineOptions& o, bool inverse, DType dtype) {
  return rqs_spline(x.to(dtype), p.packed.to(dtype), o, inverse);
}

// Elements [2, count/2) sit on knots (see invariant_inputs); there the log-det sum gets `knot_lad_tolerance`.
void check_round_trip(DType dtype, double tolerance, double knot_lad_tolerance) {
  const int bins = 8;
  const double bound = 3.0;
  const RqsSplineOptions o = make_options(bins, bound);
  for (bool inverse_first : {false, true}) {
    Generator gen(inverse_first ? 71 : 70);
    RandomParams p = random_params(128, 1, bins, gen);  // one feature per row: the row log|det| is the element's
    Tensor x = invariant_inputs(p, bins, bound, inverse_first, gen).to(dtype);
    RqsSplineResult there = run_params(x, p, o, inverse_first, dtype);
    RqsSplineResult back = run_params(there.outputs, p, o, !inverse_first, dtype);
    std::vector<double> x0 = x.to_vector(), x1 = back.outputs.to_vector();
    std::vector<double> lad0 = there.logabsdet.to_vector(), lad1 = back.logabsdet.to_vector();
    for (std::size_t e = 0; e < x0.size(); ++e) {
      CAPTURE(e);
      CAPTURE(x0[e]);
      CHECK(std::fabs(x1[e] - x0[e]) <= tolerance * (1.0 + std::fabs(x0[e])));
      const bool on_knot = e >= 2 && e < x0.size() / 2;
      CHECK(std::fabs(lad0[e] + lad1[e]) <= (on_knot ? knot_lad_tolerance : tolerance) * (1.0 + std::fabs(lad0[e])));
    }
  }
}

}  // namespace

TEST_CASE("ops/rqs_spline: round trips and log-dets that sum to zero, f64") {
  check_round_trip(DType::F64, 1e-10, 1e-10);
}

TEST_CASE("ops/rqs_spline: round trips and log-dets that sum to zero, f32") {
  // On a knot, the f32 round trip may come back on the other side of it, where log g' bends sharply
  // (d(log g')/dx up to ~1e3 here, times an x error of ~1e-7): the log-dets then cancel only to ~1e-3.
  check_round_trip(DType::F32, 1e-5, 1e-3);
}

// log|dy/dx| against log of the f64 central difference (g(x+h) - g(x-h)) / 2h, h = 1e-6, away from knots;
// and the inverse's log|dx/dy| against the same for g^-1. Error ~ h^2 g'''/g' + 1e-16 B / (h g') << 1e-6.
TEST_CASE("ops/rqs_spline: log|det| equals the log of a finite-difference derivative") {
  const int bins = 6;
  const double bound = 2.0, h = 1e-6;
  const RqsSplineOptions o = make_options(bins, bound);
  for (bool inverse : {false, true}) {
    Generator gen(inverse ? 81 : 80);
    RandomParams p = random_params(32, 1, bins, gen);  // one feature per row: the row log|det| is the element's
    Tensor x = inputs_away_from_edges(p, bins, bound, inverse, 0.999, 1e-4, gen);
    RqsSplineResult at = run_params(x, p, o, inverse, DType::F64);
    Tensor x_plus = x.clone(), x_minus = x.clone();
    for (int64_t e = 0; e < x.numel(); ++e) {
      x_plus.data<double>()[e] += h;
      x_minus.data<double>()[e] -= h;
    }
    std::vector<double> plus = run_params(x_plus, p, o, inverse, DType::F64).outputs.to_vector();
    std::vector<double> minus = run_params(x_minus, p, o, inverse, DType::F64).outputs.to_vector();
    std::vector<double> lad = at.logabsdet.to_vector();
    for (std::size_t e = 0; e < lad.size(); ++e) {
      CAPTURE(e);
      CHECK(std::fabs(lad[e] - std::log((plus[e] - minus[e]) / (2 * h))) <= 1e-6);
    }
  }
}

// One bin: s = 1 and d_0 = d_1 = 1 (up to rounding), so the spline is the identity (derivable by hand).
TEST_CASE("ops/rqs_spline: one bin is the identity, and an empty batch works") {
  RqsSplineOptions o = make_options(1, 2.0);
  std::vector<double> xs{-3.0, -2.0, -0.7, 0.0, 1.3, 2.0, 2.5};
  Tensor x = Tensor::from_vector(xs, Shape{7, 1}, DType::F64);
  Tensor p = Tensor::full(Shape{7, 2}, 0.4, DType::F64);  // K = 1: one width and one height logit
  for (bool inverse : {false, true}) {
    RqsSplineResult r = rqs_spline(x, p, o, inverse);
    std::vector<double> y = r.outputs.to_vector(), lad = r.logabsdet.to_vector();
    for (std::size_t i = 0; i < xs.size(); ++i) {
      CHECK(std::fabs(y[i] - xs[i]) <= 1e-14);
      CHECK(std::fabs(lad[i]) <= 1e-14);
    }
  }
  RqsSplineOptions o8 = make_options(8, 3.0);
  RqsSplineResult empty = rqs_spline(Tensor::zeros(Shape{0, 3}), Tensor::zeros(Shape{0, 3 * 23}), o8, false);
  CHECK(empty.outputs.shape() == Shape{0, 3});
  CHECK(empty.logabsdet.shape() == Shape{0});
  RqsSplineResult no_features = rqs_spline(Tensor::zeros(Shape{2, 0}), Tensor::zeros(Shape{2, 0}), o8, true);
  CHECK(no_features.logabsdet.to_vector() == std::vector<double>{0.0, 0.0});
}

// In f32, 40 + 1e-6 rounds to 40, so nflows' search would put v = B in bin K (out of range); the op clamps
// it into the last bin, where g(B) = B and log g'(B) = log d_K = 0 up to rounding (without the clamp the
// kernel would read past the knots: the sanitizer build catches that).
TEST_CASE("ops/rqs_spline: f32 with a large tail bound keeps v = +-B in range") {
  Generator gen(99);
  RandomParams p = random_params(2, 1, 4, gen);
  for (bool inverse : {false, true}) {
    RqsSplineResult r = run_params(Tensor::from_vector({-40.0, 40.0}, Shape{2, 1}, DType::F64), p,
                                   make_options(4, 40.0), inverse, DType::F32);
    // f32 round-off of y_{K-1} + (Dy s)/s and of log(s^2 d_K / s^2), values of size B and log(s^2).
    std::vector<double> out = r.outputs.to_vector();
    CHECK(std::fabs(out[0] + 40.0) <= 40.0 * 5e-7);
    CHECK(std::fabs(out[1] - 40.0) <= 40.0 * 5e-7);
    for (double lad : r.logabsdet.to_vector()) CHECK(std::fabs(lad) <= 1e-4);
  }
}

// Tail points: identity, log|det| 0, input gradient = upstream gradient, exactly zero parameter gradients.
TEST_CASE("ops/rqs_spline: tails pass gradients through and give none to the parameters") {
  const RqsSplineOptions o = make_options(4, 1.0, 0.5);
  Generator gen(90);
  RandomParams p = random_params(1, 4, 4, gen);
  for (bool inverse : {false, true}) {
    Tensor x = Tensor::from_vector({-5.0, -1.0000001, 1.0000001, 40.0}, Shape{1, 4}, DType::F64).set_requires_grad();
    Tensor params = p.packed.clone().set_requires_grad();
    RqsSplineResult r = rqs_spline(x, params, o, inverse);
    CHECK(r.outputs.to_vector() == x.to_vector());
    CHECK(r.logabsdet.to_vector() == std::vector<double>{0.0});
    backward({r.outputs, r.logabsdet}, {Tensor::from_vector({1, 2, 3, 4}, Shape{1, 4}, DType::F64),
                                        Tensor::full(Shape{1}, 7.0, DType::F64)});
    CHECK(x.grad().to_vector() == std::vector<double>{1, 2, 3, 4});
    for (double g : params.grad().to_vector()) CHECK(g == 0.0);
  }
}

// The f32 kernels' gradients agree with the f64 ones (moderate parameters, away from knots).
TEST_CASE("ops/rqs_spline: f32 backward agrees with f64 backward") {
  const int bins = 8;
  const RqsSplineOptions o = make_options(bins, 3.0);
  Generator gen(95);
  RandomParams p = random_params(4, 8, bins, gen, 0.5);
  for (bool inverse : {false, true}) {
    Tensor x = inputs_away_from_edges(p, bins, 3.0, inverse, 1.2, 1e-2, gen);
    Tensor g_out = random_normal(x.shape(), gen, DType::F64), g_lad = random_normal(Shape{4}, gen, DType::F64);
    std::vector<std::vector<double>> grads[2];
    for (int precision = 0; precision < 2; ++precision) {
      const DType dtype = precision == 0 ? DType::F64 : DType::F32;
      // clone(): to() may return the very same tensor for the same dtype, whose grad would accumulate.
      std::vector<Tensor> in{x.to(dtype).clone(), p.packed.to(dtype).clone()};
      for (Tensor& t : in) t.set_requires_grad();
      RqsSplineResult r = rqs_spline(in[0], in[1], o, inverse);
      backward({r.outputs, r.logabsdet}, {g_out.to(dtype), g_lad.to(dtype)});
      for (Tensor& t : in) grads[precision].push_back(t.grad().to_vector());
    }
    for (std::size_t t = 0; t < 2; ++t)
      for (std::size_t i = 0; i < grads[0][t].size(); ++i) {
        CAPTURE(t);
        CAPTURE(i);
        CHECK(std::fabs(grads[1][t][i] - grads[0][t][i]) <= 1e-3 * (1.0 + std::fabs(grads[0][t][i])));
      }
  }
}

TEST_CASE("ops/rqs_spline: errors for bad shapes, options and dtypes") {
  const RqsSplineOptions o = make_options(4, 3.0);
  Tensor x = Tensor::zeros(Shape{2, 3});
  Tensor p = Tensor::zeros(Shape{2, 3 * 11});
  auto expect_shape_error = [&](const Tensor& xs, const Tensor& ps) {
    try {
      rqs_spline(xs, ps, o, false);
      FAIL("expected ShapeError");
    } catch (const ShapeError& e) {
      const std::string message = e.what();
      CHECK(message.find("rqs_spline") != std::string::npos);
      CHECK(message.find("num_bins K = 4") != std::string::npos);
      for (const Tensor* t : {&xs, &ps}) CHECK(message.find(t->shape().str()) != std::string::npos);
    }
  };
  expect_shape_error(x, Tensor::zeros(Shape{2, 3 * 14}));     // 3K-1 for K = 5, not 4
  expect_shape_error(x, Tensor::zeros(Shape{2, 3 * 11 + 1}));  // not a multiple of F
  expect_shape_error(x, Tensor::zeros(Shape{2, 3, 11}));      // the old unpacked [N, F, P] layout
  expect_shape_error(Tensor::zeros(Shape{3, 3}), p);          // batch differs
  expect_shape_error(Tensor::zeros(Shape{6}), p);             // inputs not 2-d
  CHECK(rqs_spline(x, p, o, false).outputs.shape() == Shape{2, 3});

  RqsSplineOptions bad = o;
  bad.num_bins = 0;
  CHECK_THROWS_WITH_AS(rqs_spline(x, Tensor::zeros(Shape{2, 0}), bad, false), doctest::Contains("num_bins"),
                       ConfigError);
  bad.num_bins = 65;  // more than the per-element scratch holds
  bad.min_bin_width = bad.min_bin_height = 1e-4;
  CHECK_THROWS_WITH_AS(rqs_spline(x, Tensor::zeros(Shape{2, 3 * 194}), bad, false), doctest::Contains("[1, 64]"),
                       ConfigError);
  bad = o;
  bad.min_bin_width = 0.26;  // 4 * 0.26 > 1 (nflows' check)
  CHECK_THROWS_WITH_AS(rqs_spline(x, p, bad, false), doctest::Contains("min_bin_width"), ConfigError);
  bad = o;
  bad.min_bin_height = 0.3;
  CHECK_THROWS_WITH_AS(rqs_spline(x, p, bad, true), doctest::Contains("min_bin_height"), ConfigError);
  bad = o;
  bad.min_bin_width = 0.25;  // exactly 1 is allowed
  CHECK_NOTHROW(rqs_spline(x, p, bad, false));
  bad = o;
  bad.tail_bound = 0.0;
  CHECK_THROWS_WITH_AS(rqs_spline(x, p, bad, false), doctest::Contains("tail_bound"), ConfigError);
  bad = o;
  bad.width_height_scale = std::nan("");
  CHECK_THROWS_WITH_AS(rqs_spline(x, p, bad, false), doctest::Contains("width_height_scale"), ConfigError);

  CHECK_THROWS_AS(rqs_spline(x.to(DType::F64), p, o, false), TypeError);
  CHECK_THROWS_AS(rqs_spline(x, p.to(DType::F64), o, false), TypeError);
}

// The spline's CPU kernels on every instruction set this CPU has (FLOWJET_ISA's choices: the SIMD kernels
// run the per-element code of rqs_spline_math.h on vectors of consecutive elements) against that same
// header instantiated with plain float / double, one element at a time, as CUDA runs it. Random inputs
// inside, in the tails, exactly at +-B and exactly on knots (bin edges), logits beyond the softplus
// threshold, both directions, K = 4 and 5 (compile-time) and 7 (run-time), partial vector blocks.
// The generic kernel: the same bits. The SIMD kernels: f64 to 1e-12 (the f64 lanes call the scalar libm,
// but FMA contraction differs between the scalar and the vector code), f32 to 1e-4 (libmvec's exp, log,
// log1p are within a few ulp of libm's; the spline's steep parts amplify that, up to 5e-5 here). On a
// knot the two may choose adjacent bins, where only the output and log|det| are continuous, so only
// those are compared there, and with more room (knot_slack): the input is the test's rounding of the
// knot, which the kernel's own rounding of it can put on either side, and beside a nearly empty bin or a
// derivative near d_min log|det| changes fast (|d log|det| / dv| reaches 10^4 to 10^5 in these cases, so
// one f32 ulp of v moves it by 1e-3 or more; which side comes out depends on FMA contraction, so on -O1
// against -O2).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "engine/backend/cpu/cpu_isa.h"
#include "engine/ops/rqs_spline/rqs_spline.h"
#include "engine/ops/rqs_spline/rqs_spline_dispatch.h"
#include "engine/ops/rqs_spline/rqs_spline_math.h"
#include "tests/support/tolerance.h"

using namespace flowjet;
using flowjet::test::check_all_close;
using flowjet::test::Tolerance;

namespace {

constexpr int64_t kRows = 13, kFeatures = 9;  // 117 elements: every kernel ends on a partial block

template <class T>
struct Case {
  RqsSplineOptions options;
  bool inverse = false;
  std::vector<T> inputs, params, grad_outputs, grad_logabsdet;
  std::vector<char> on_knot;  // the input was put exactly on a knot
};

template <class T>
struct Results {
  std::vector<T> outputs, logabsdet, grad_inputs, grad_params;
};

template <class T>
Case<T> make_case(int bins, bool inverse, uint32_t seed) {
  Case<T> k;
  k.options = RqsSplineOptions{bins, 3.0, 1e-3, 1e-3, 1e-3, 0.25};
  k.inverse = inverse;
  const int P = rqs::params_per_element(bins);
  const int64_t E = kRows * kFeatures;
  std::mt19937 gen(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_int_distribution<int> kind(0, 9), knot(0, bins);
  // A few derivative logits beyond the softplus threshold 20. Moderate logits otherwise: nearly empty bins
  // or derivatives near d_min make the spline (or its inverse) so steep that rounding-level differences of
  // the knots grow into visible ones.
  for (int64_t i = 0; i < E * P; ++i)
    k.params.push_back(T(i % P >= 2 * bins && kind(gen) == 0 ? 25.0 : 2.0 * normal(gen)));
  const rqs::Constants<T> c = rqs::make_constants<T>(k.options);
  for (int64_t i = 0; i < E; ++i) {
    const int pick = kind(gen);
    T v = T(1.5 * normal(gen));  // about 5% in the tails
    if (pick == 1) v = T(normal(gen) > 0 ? 3.0 : -3.0);
    if (pick == 2 || pick == 3) {  // a knot of the searched side (x forward, y inverse), ends included
      T prob[rqs::kMaxBins], knots[rqs::kMaxBins + 1];
      rqs::knots_from_logits(k.params.data() + i * P + (inverse ? bins : 0), bins, c.logit_scale,
                             inverse ? c.min_height : c.min_width, c.bound, prob, knots);
      v = knots[knot(gen)];
    }
    k.inputs.push_back(v);
    k.on_knot.push_back(pick == 2 || pick == 3);
    k.grad_outputs.push_back(T(normal(gen)));
  }
  for (int64_t n = 0; n < kRows; ++n) k.grad_logabsdet.push_back(T(normal(gen)));
  return k;
}

// The gradients start from nonzero values: the kernels add into them.
template <class T>
Results<T> initial(const Case<T>& k) {
  Results<T> r;
  r.outputs.assign(k.inputs.size(), T(0));
  r.logabsdet.assign(kRows, T(0));
  for (size_t i = 0; i < k.inputs.size(); ++i) r.grad_inputs.push_back(T(0.5) + T(i % 7));
  for (size_t i = 0; i < k.params.size(); ++i) r.grad_params.push_back(T(0.25) - T(i % 5));
  return r;
}

template <class T>
Results<T> run_kernels(const Case<T>& k) {
  Results<T> r = initial(k);
  rqs_spline_forward_cpu(k.inputs.data(), k.params.data(), kRows, kFeatures, k.options, k.inverse, r.outputs.data(),
                         r.logabsdet.data());
  rqs_spline_backward_cpu(k.inputs.data(), k.params.data(), k.grad_outputs.data(), k.grad_logabsdet.data(), kRows,
                          kFeatures, k.options, k.inverse, r.grad_inputs.data(), r.grad_params.data());
  return r;
}

// The kernels' contract, one scalar element at a time.
template <class T>
Results<T> run_scalar(const Case<T>& k) {
  Results<T> r = initial(k);
  const rqs::Constants<T> c = rqs::make_constants<T>(k.options);
  rqs::dispatch_bins(c.bins, [&](auto bins) {
    constexpr int K = decltype(bins)::value;
    const int P = rqs::params_per_element(c.bins);
    for (int64_t n = 0; n < kRows; ++n) {
      T total = T(0);
      for (int64_t i = n * kFeatures; i < (n + 1) * kFeatures; ++i) {
        T lad, grad_logits[rqs::params_per_element(rqs::kMaxBins)];
        r.outputs[i] = rqs::element_forward<T, K>(k.params.data() + i * P, k.inputs[i], c, k.inverse, &lad);
        total += lad;
        r.grad_inputs[i] += rqs::element_backward<T, K>(k.params.data() + i * P, k.inputs[i], k.grad_outputs[i],
                                                        k.grad_logabsdet[n], c, k.inverse, grad_logits);
        for (int j = 0; j < P; ++j) r.grad_params[i * P + j] += grad_logits[j];
      }
      r.logabsdet[n] = total;
    }
  });
  return r;
}

// How far the output and log|det| of the elements put on a knot can move when the knot's position moves
// by the rounding of its computation: the knot is 2B times a running sum of K rounded terms, so the test's
// and the kernel's values of it may differ by about K ulp of 2B. Measured in f64 as the largest change of
// each function between the knot and the knot -+ that distance (a kink at the knot: both sides count).
// Zero for the other elements; log|det| summed per row, as the kernels report it.
struct KnotSlack {
  std::vector<double> output, row_logabsdet;
};

template <class T>
KnotSlack knot_slack(const Case<T>& k) {
  const rqs::Constants<double> c = rqs::make_constants<double>(k.options);
  const int P = rqs::params_per_element(c.bins);
  const double shift = c.bins * (2 * c.bound) * std::numeric_limits<T>::epsilon();
  KnotSlack slack{std::vector<double>(k.inputs.size(), 0.0), std::vector<double>(kRows, 0.0)};
  for (size_t i = 0; i < k.inputs.size(); ++i) {
    if (!k.on_knot[i]) continue;
    const std::vector<double> logits(k.params.begin() + i * P, k.params.begin() + (i + 1) * P);
    double lad_at, lad;
    const double out_at = rqs::element_forward<double, 0>(logits.data(), k.inputs[i], c, k.inverse, &lad_at);
    double largest_lad_change = 0;
    for (double side : {-shift, shift}) {
      const double out = rqs::element_forward<double, 0>(logits.data(), k.inputs[i] + side, c, k.inverse, &lad);
      slack.output[i] = std::max(slack.output[i], std::fabs(out - out_at));
      largest_lad_change = std::max(largest_lad_change, std::fabs(lad - lad_at));
    }
    slack.row_logabsdet[i / kFeatures] += largest_lad_change;
  }
  return slack;
}

// The values as f64 for test::check_all_close (exact for f32).
template <class T>
std::vector<double> f64(const std::vector<T>& v) {
  return std::vector<double>(v.begin(), v.end());
}

template <class T>
void compare_all_isas(double simd_tolerance) {
  const GemmIsa before = gemm_isa();
  for (int bins : {4, 5, 7}) {
    for (bool inverse : {false, true}) {
      INFO("K = " << bins << (inverse ? ", inverse" : ", forward"));
      const Case<T> k = make_case<T>(bins, inverse, 17u * bins + inverse);
      const Results<T> want = run_scalar(k);
      const KnotSlack slack = knot_slack(k);
      for (GemmIsa isa : {GemmIsa::generic, GemmIsa::avx2, GemmIsa::avx512}) {
        if (!gemm_isa_supported(isa)) {
          MESSAGE("skipped on this CPU: ISA " << gemm_isa_name(isa));
          continue;
        }
        set_gemm_isa(isa);
        INFO("ISA " << std::string(gemm_isa_name(isa)));
        const Results<T> got = run_kernels(k);
        // |got - want| <= tolerance (1 + |want|) entry by entry; tolerance 0 asks for the same values.
        const double tolerance = isa == GemmIsa::generic ? 0.0 : simd_tolerance;
        const Tolerance entry = Tolerance::plus_one(tolerance);
        const bool same_bits = tolerance == 0;
        check_all_close(f64(got.outputs), f64(want.outputs), entry, "output", {},
                        same_bits ? std::vector<double>{} : slack.output);
        check_all_close(f64(got.logabsdet), f64(want.logabsdet), entry, "row log|det|", {},
                        same_bits ? std::vector<double>{} : slack.row_logabsdet);
        // The gradients: off the knots; on them too when the same bin is certain (the same bits).
        const std::vector<char> skip = same_bits ? std::vector<char>{} : k.on_knot;
        check_all_close(f64(got.grad_inputs), f64(want.grad_inputs), entry, "grad input", skip);
        std::vector<char> skip_params;
        for (char s : skip) skip_params.insert(skip_params.end(), rqs::params_per_element(bins), s);
        check_all_close(f64(got.grad_params), f64(want.grad_params), entry, "grad param", skip_params);
      }
    }
  }
  set_gemm_isa(before);
}

}  // namespace

TEST_CASE("ops/rqs_spline: SIMD kernels equal the scalar per-element code, f64") { compare_all_isas<double>(1e-12); }

TEST_CASE("ops/rqs_spline: SIMD kernels equal the scalar per-element code, f32 to libmvec's rounding") {
  compare_all_isas<float>(1e-4);
}

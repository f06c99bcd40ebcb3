// Rational-quadratic spline with linear tails for a coupling layer, as one fused op: from the inputs and
// the conditioner's packed raw parameters to the outputs and the per-row log|det J|, with the backward
// for the inputs and the packed parameters. The per-element formulas live in rqs_spline_math.h.
// Source: Durkan et al., "Neural Spline Flows" (2019); exact semantics of nflows'
// unconstrained_rational_quadratic_spline(tails="linear") as recorded in flow-model.md §1, and of its
// PiecewiseRationalQuadraticCouplingTransform's parameter layout and 1/sqrt(H) scaling (flow-model.md §2.3).
#pragma once

#include <cstdint>

#include "engine/tensor/tensor.h"

namespace flowjet {

/// The spline's constants; names as in nflows.
struct RqsSplineOptions {
  int num_bins = 0;       // K, at most 64
  double tail_bound = 0;  // B: the spline acts on [-B, B], identity outside
  double min_bin_width = 1e-3;
  double min_bin_height = 1e-3;
  double min_derivative = 1e-3;
  /// Multiplies the width and height logits (not the derivative logits) before the softmax: nflows'
  /// coupling layer divides them by sqrt(hidden_features) of its conditioner.
  double width_height_scale = 1.0;
};

struct RqsSplineResult {
  Tensor outputs;    // [N, F]
  Tensor logabsdet;  // [N]: the sum over the F features of each row, in feature order
};

/// Applies the spline g (inverse=false: data -> latent, y = g(x)) or its inverse (inverse=true: latent -> data,
/// x = g^-1(y)) to every element of `inputs` [N, F]. `params` [N, F * (3K-1)] is the conditioner output as is:
/// feature f of row n reads the 3K-1 values from column f (3K-1): K width logits, K height logits and K-1
/// derivative logits. Inputs outside [-B, B] pass through with log|det| 0. logabsdet is the row sum of
/// log|dy/dx| (forward) or log|dx/dy| (inverse).
/// Recorded as one tape node "rqs_spline" whose backward gives the gradients w.r.t. the inputs and the packed
/// parameters from the gradients of both outputs; nothing but the two input tensors is kept.
/// Throws ShapeError (message names both shapes and K) when the shapes disagree, ConfigError when num_bins is
/// not in [1, 64], tail_bound <= 0, width_height_scale is not finite, a minimum is negative, or
/// K * min_bin_width > 1 or K * min_bin_height > 1 (nflows' check), TypeError on mixed dtypes or devices,
/// CudaError for CUDA tensors in a build without CUDA.
RqsSplineResult rqs_spline(const Tensor& inputs, const Tensor& params, const RqsSplineOptions& options, bool inverse);

/// CPU kernels (rqs_spline_cpu.cpp) over `rows` x `features` elements. The forward writes outputs [rows*features]
/// and logabsdet [rows]. The backward ADDS into grad_inputs [rows*features] and grad_params
/// [rows*features*(3K-1)] (either may be null when that input needs no gradient), given the upstream gradients
/// of the outputs [rows*features] and of the row log|det| [rows]. Bitwise the same for any thread count.
template <class T>
void rqs_spline_forward_cpu(const T* inputs, const T* params, int64_t rows, int64_t features,
                            const RqsSplineOptions& options, bool inverse, T* outputs, T* logabsdet);
template <class T>
void rqs_spline_backward_cpu(const T* inputs, const T* params, const T* grad_outputs, const T* grad_logabsdet,
                             int64_t rows, int64_t features, const RqsSplineOptions& options, bool inverse,
                             T* grad_inputs, T* grad_params);

/// CUDA launchers (rqs_spline_cuda.cu), same contract on device pointers. The forward also takes a device
/// workspace of rows*features elements for the per-element log|det| before the row sums.
template <class T>
void rqs_spline_forward_cuda(const T* inputs, const T* params, int64_t rows, int64_t features,
                             const RqsSplineOptions& options, bool inverse, T* outputs, T* logabsdet,
                             T* element_logabsdet);
template <class T>
void rqs_spline_backward_cuda(const T* inputs, const T* params, const T* grad_outputs, const T* grad_logabsdet,
                              int64_t rows, int64_t features, const RqsSplineOptions& options, bool inverse,
                              T* grad_inputs, T* grad_params);

}  // namespace flowjet

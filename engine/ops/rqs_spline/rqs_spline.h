// Rational-quadratic spline with linear tails, element-wise, as one fused op (forward, inverse,
// log|det J| and the backward for the inputs and all three raw parameter sets).
// Source: Durkan et al., "Neural Spline Flows" (2019); exact semantics of nflows'
// unconstrained_rational_quadratic_spline(tails="linear") as recorded in flows.md §1.
#pragma once

#include <cstdint>

#include "engine/tensor/tensor.h"

namespace flowjet {

/// The spline's constants; names as in nflows.
struct RqsSplineOptions {
  int num_bins = 0;       // K
  double tail_bound = 0;  // B: the spline acts on [-B, B], identity outside
  double min_bin_width = 1e-3;
  double min_bin_height = 1e-3;
  double min_derivative = 1e-3;
};

struct RqsSplineResult {
  Tensor outputs;    // [N, F]
  Tensor logabsdet;  // [N, F], per element (the caller sums over features)
};

/// Applies the spline g (inverse=false: data -> latent, y = g(x)) or its inverse (inverse=true: latent -> data,
/// x = g^-1(y)) to every element of `inputs` [N, F], each element with its own raw parameters:
/// unnormalized_widths [N, F, K], unnormalized_heights [N, F, K], unnormalized_derivatives [N, F, K-1]
/// (widths/heights already divided by sqrt(H) where a coupling layer does that). Inputs outside [-B, B] pass
/// through with logabsdet 0. logabsdet is log|dy/dx| (forward) or log|dx/dy| (inverse).
/// Recorded as one tape node "rqs_spline" whose backward gives gradients w.r.t. the inputs and the three raw
/// parameter tensors from the gradients of both outputs.
/// Throws ShapeError (message names every shape) when the shapes disagree with each other or with num_bins,
/// ConfigError when num_bins < 1, tail_bound <= 0, a minimum is negative, or K * min_bin_width > 1 or
/// K * min_bin_height > 1 (nflows' check), TypeError on mixed dtypes or devices, CudaError for CUDA tensors in a build without CUDA.
RqsSplineResult rqs_spline(const Tensor& inputs, const Tensor& unnormalized_widths, const Tensor& unnormalized_heights,
                           const Tensor& unnormalized_derivatives, const RqsSplineOptions& options, bool inverse);

/// CPU kernels (rqs_spline_cpu.cpp), over `count` = N*F elements; element i reads the parameter slices
/// [i*K, (i+1)*K) of widths/heights and [i*(K-1), (i+1)*(K-1)) of derivatives.
template <class T>
void rqs_spline_forward_cpu(const T* inputs, const T* unnormalized_widths, const T* unnormalized_heights,
                            const T* unnormalized_derivatives, int64_t count, const RqsSplineOptions& options,
                            bool inverse, T* outputs, T* logabsdet);

/// Backward: ADDS into grad_inputs [count], grad_widths/grad_heights [count*K], grad_derivatives [count*(K-1)]
/// (each may be null when that input needs no gradient), given the upstream gradients of both outputs.
/// Recomputes knots, bin and position in the bin from the inputs (nothing is saved by the forward).
template <class T>
void rqs_spline_backward_cpu(const T* inputs, const T* unnormalized_widths, const T* unnormalized_heights,
                             const T* unnormalized_derivatives, const T* grad_outputs, const T* grad_logabsdet,
                             int64_t count, const RqsSplineOptions& options, bool inverse, T* grad_inputs,
                             T* grad_widths, T* grad_heights, T* grad_derivatives);

/// CUDA launchers (rqs_spline_cuda.cu), same contract on device pointers; ConfigError for num_bins > 64.
template <class T>
void rqs_spline_forward_cuda(const T* inputs, const T* unnormalized_widths, const T* unnormalized_heights,
                             const T* unnormalized_derivatives, int64_t count, const RqsSplineOptions& options,
                             bool inverse, T* outputs, T* logabsdet);
template <class T>
void rqs_spline_backward_cuda(const T* inputs, const T* unnormalized_widths, const T* unnormalized_heights,
                              const T* unnormalized_derivatives, const T* grad_outputs, const T* grad_logabsdet,
                              int64_t count, const RqsSplineOptions& options, bool inverse, T* grad_inputs,
                              T* grad_widths, T* grad_heights, T* grad_derivatives);

}  // namespace flowjet

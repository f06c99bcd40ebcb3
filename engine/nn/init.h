// Parameter initialisation drawn from a seeded flowjet::Generator, so one seed gives one model
// (flow-model.md §3.5; PyTorch's nn.Linear.reset_parameters for the default).
#pragma once

#include <cstdint>

#include "engine/random/generator.h"

namespace flowjet {

/// Overwrites `tensor` with draws from U(low, high) in its own dtype and device. The tensor keeps its
/// identity (optimisers and modules holding it see the new values); not recorded on the tape.
void init_uniform_(Tensor& tensor, double low, double high, Generator& gen);
/// Overwrites `tensor` with draws from N(mean, stddev^2).
void init_normal_(Tensor& tensor, double mean, double stddev, Generator& gen);
/// Overwrites every element of `tensor` with `value`.
void init_constant_(Tensor& tensor, double value);

/// PyTorch's default bound of a Linear layer with `fan_in` inputs: 1/sqrt(fan_in), and 0 for fan_in = 0.
/// (kaiming_uniform_ with a = sqrt(5) gives gain sqrt(2 / (1 + 5)) and bound gain * sqrt(3 / fan_in) = 1/sqrt(fan_in).)
double linear_init_bound(int64_t fan_in);

/// PyTorch's default Linear initialisation: weight [out, in] and then bias [out] (if defined) from
/// U(-b, b) with b = linear_init_bound(in). Draws the weight first, then the bias.
///
/// nflows' "zero initialisation" of a residual block's last layer (flow-model.md §3.5) is done by the
/// caller after construction: init_uniform_(layer.weight(), -1e-3, 1e-3, gen) and
/// init_uniform_(layer.bias(), -1e-3, 1e-3, gen).
void init_linear_default_(Tensor& weight, Tensor& bias, Generator& gen);

}  // namespace flowjet

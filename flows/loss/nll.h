// Negative log-likelihood per dimension (training-recipe.md §7.1): L = -mean_batch(log p(x | c)) / D.
#pragma once

#include "flows/flow.h"

namespace flowjet::flows {

/// Scalar loss; recorded when grad mode is on.
Tensor nll_loss(Flow& flow, const Tensor& x, const Tensor& context);

}  // namespace flowjet::flows

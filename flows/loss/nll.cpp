// training-recipe.md §7.1.
#include "flows/loss/nll.h"

#include "engine/ops/binary/binary.h"
#include "engine/ops/reduce/reduce.h"

namespace flowjet::flows {

Tensor nll_loss(Flow& flow, const Tensor& x, const Tensor& context) {
  return mean(flow.log_prob(x, context)) * (-1.0 / static_cast<double>(flow.spec().features));
}

}  // namespace flowjet::flows

// A tensor with its stable dotted name ("transforms.3.conditioner.blocks.1.linear_0.weight"):
// the unit that modules list, optimisers update and checkpoints store.
#pragma once

#include <string>
#include <vector>

#include "engine/tensor/tensor.h"

namespace flowjet {

struct NamedTensor {
  std::string name;
  Tensor tensor;
};

using NamedTensors = std::vector<NamedTensor>;

}  // namespace flowjet

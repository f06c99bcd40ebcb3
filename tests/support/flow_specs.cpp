// The small test flows of flow_specs.h.
#include "tests/support/flow_specs.h"

namespace flowjet::test {

flows::FlowSpec small_flow_spec() {
  flows::FlowSpec spec;
  spec.features = 6;
  spec.coupling_layers = 3;
  spec.bins = 4;
  spec.tail_bound = 3.0;
  spec.hidden_features = 8;
  spec.num_blocks = 2;
  spec.context_features = 2;
  spec.batch_norm = true;
  spec.dtype = DType::F64;
  return spec;
}

flows::FlowSpec small_jet_flow_spec(int64_t context_features) {
  flows::FlowSpec spec;
  spec.features = 90;
  spec.coupling_layers = 2;
  spec.bins = 4;
  spec.hidden_features = 16;
  spec.num_blocks = 1;
  spec.context_features = context_features;
  spec.dtype = DType::F32;
  return spec;
}

}  // namespace flowjet::test

// Test flow of inspect_fixture.h.
#include "tests/flows/inspect/inspect_fixture.h"

#include "engine/autograd/recording.h"
#include "engine/ops/binary/binary.h"
#include "tests/support/flow_specs.h"

namespace flowjet::test {

std::unique_ptr<flows::Flow> non_trivial_flow(flows::CouplingKind coupling, uint64_t seed) {
  flows::FlowSpec spec = small_flow_spec();
  spec.coupling = coupling;
  spec.seed = seed;
  auto flow = std::make_unique<flows::Flow>(spec);
  Generator gen(seed + 1);
  NoGradScope no_grad;
  for (NamedTensor& p : flow->named_parameters())
    p.tensor.copy_(p.tensor + random_normal(p.tensor.shape(), gen, DType::F64, Device::CPU, 0.0, 0.3));
  flow->train();
  flow->log_prob(random_normal(Shape{32, 6}, gen, DType::F64), random_normal(Shape{32, 2}, gen, DType::F64));
  flow->eval();
  return flow;
}

Tensor trace_row() { return Tensor::from_vector({0.4, -1.3, 3.7, 0.05, -5.0, 2.2}, Shape{1, 6}, DType::F64); }
Tensor trace_context() { return Tensor::from_vector({0.3, -0.8}, Shape{1, 2}, DType::F64); }

}  // namespace flowjet::test

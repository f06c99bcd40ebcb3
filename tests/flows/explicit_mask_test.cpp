// MaskKind::Explicit (flows/masks.h, flows/flow_spec.h): any 0/1 mask per coupling layer, sizing each
// conditioner from its own count of transformed features, kept through a checkpoint as the layers'
// mask tensors (flows/io/flow_checkpoint.cpp), and refused with a clear message when malformed.
#include <doctest/doctest.h>

#include <cmath>

#include "engine/autograd/recording.h"
#include "engine/core/error.h"
#include "engine/io/checkpoint.h"
#include "flows/inspect/model_summary.h"
#include "flows/io/flow_checkpoint.h"
#include "tests/support/error_message.h"
#include "tests/support/flow_specs.h"
#include "tests/support/temp_dir.h"

using namespace flowjet;
using namespace flowjet::flows;

namespace {

FlowSpec explicit_spec() {
  FlowSpec spec = test::small_flow_spec();  // D = 6, 3 layers
  spec.mask = MaskKind::Explicit;
  spec.explicit_masks = {{1, 0, 0, 0, 0, 0}, {0, 1, 1, 1, 1, 0}, {1, 1, 0, 1, 1, 1}};
  return spec;
}

}  // namespace

TEST_CASE("flows/explicit masks: each layer uses its own mask; the parameter count follows each") {
  const FlowSpec spec = explicit_spec();
  Flow flow(spec);
  for (int64_t l = 0; l < spec.coupling_layers; ++l) CHECK(flow.layer(l).mask() == spec.explicit_masks[static_cast<std::size_t>(l)]);
  CHECK(spec.transformed_features(0) == 1);
  CHECK(spec.transformed_features(2) == 5);
  CHECK(spec.parameter_count() == flow.parameter_count());
  CHECK(spec.parameters_per_layer(0) != spec.parameters_per_layer(2));
  // bin/inspect lists every layer's count, since they differ.
  const std::string listed = group_digits(spec.parameters_per_layer(0)) + ", " + group_digits(spec.parameters_per_layer(1)) +
                             ", " + group_digits(spec.parameters_per_layer(2)) + " (flow-model.md §5 formula, layer by layer)";
  CHECK(test::contains(format_hyperparameters(spec), listed));
}

TEST_CASE("flows/explicit masks: a saved flow loads with the same masks and log_prob") {
  const test::TempDir dir;
  Flow flow(explicit_spec());
  flow.eval();
  save_flow(dir.file("flow.h5"), flow);
  const Checkpoint file = load_checkpoint(dir.file("flow.h5"));
  CHECK(file.string_attribute("flow.mask") == "explicit");
  std::unique_ptr<Flow> loaded = restore_flow(file);
  CHECK(loaded->spec().explicit_masks == explicit_spec().explicit_masks);
  NoGradScope no_grad;
  Generator gen(7);
  const Tensor x = random_normal(Shape{5, 6}, gen, DType::F64);
  const Tensor c = random_normal(Shape{5, 2}, gen, DType::F64);
  CHECK(loaded->log_prob(x, c).to_vector() == flow.log_prob(x, c).to_vector());

  // A file whose explicit mask tensor is missing or not 0/1 names the file and the tensor.
  Checkpoint broken = file;
  for (NamedTensor& t : broken.tensors)
    if (t.name == "transforms.1.mask") t.name = "transforms.1.mask_gone";
  CHECK(test::contains(test::error_message<CheckpointError>([&] { read_flow_spec(broken); }),
                       "flow.h5: attribute flow.mask is \"explicit\" but the tensor \"transforms.1.mask\" is missing"));
  broken = file;
  for (NamedTensor& t : broken.tensors)
    if (t.name == "transforms.2.mask") t.tensor = Tensor::from_vector({1, 1, 0, 1, 1, 0.5}, Shape{6}, DType::F64);
  CHECK(test::contains(test::error_message<CheckpointError>([&] { read_flow_spec(broken); }),
                       "mask \"transforms.2.mask\" holds the value 0.5"));
  broken = file;
  for (NamedTensor& t : broken.tensors)
    if (t.name == "transforms.0.mask") t.tensor = Tensor::from_vector({0, 0, 0, 0, 0, 0}, Shape{6}, DType::F64);
  CHECK(test::contains(test::error_message<CheckpointError>([&] { read_flow_spec(broken); }),
                       "the explicit mask of coupling layer 0 transforms 0 of 6 features"));
}

TEST_CASE("flows/explicit masks: malformed specs are refused naming the layer") {
  FlowSpec spec = explicit_spec();
  spec.explicit_masks.pop_back();
  CHECK(test::contains(test::error_message<ConfigError>([&] { spec.validate(); }),
                       "mask = explicit needs one mask per coupling layer (3), got 2"));
  spec = explicit_spec();
  spec.explicit_masks[1] = {0, 1, 1};
  CHECK(test::contains(test::error_message<ConfigError>([&] { spec.validate(); }),
                       "the explicit mask of coupling layer 1 has 3 entries, the flow has 6 features"));
  spec = explicit_spec();
  spec.explicit_masks[2][0] = 2;
  CHECK(test::contains(test::error_message<ConfigError>([&] { spec.validate(); }), "holds 2 at index 0"));
  spec = explicit_spec();
  spec.mask = MaskKind::Random;
  CHECK(test::contains(test::error_message<ConfigError>([&] { spec.validate(); }),
                       "explicit masks are given but the mask kind is random"));
  CHECK(parse_mask_kind("explicit") == MaskKind::Explicit);
  CHECK(std::string(mask_kind_name(MaskKind::Explicit)) == "explicit");
}

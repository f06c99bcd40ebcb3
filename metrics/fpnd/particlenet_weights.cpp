// Loading pnet_state_dict.pt into ParticleNet (metric-definitions.md §9.5, 10.3): the expected table of
// names, dtypes and shapes is derived from the network itself, checked in full, then copied.
#include "metrics/fpnd/particlenet_weights.h"

#include <set>

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet::metrics {

namespace {

/// One tensor the file must hold.
struct ExpectedTensor {
  std::string name;
  std::vector<int64_t> shape;
  StoredDtype dtype;
  Tensor target;        // where the values go; undefined for tensors only checked
  std::string twin_of;  // for an alias: the name whose values it must repeat
};

std::string shape_text(const std::vector<int64_t>& shape) { return Shape(shape).str(); }

/// "edge_nets.<i>.<rest>" -> "edge_convs.<i>.nn.<rest>" (the same storage under EdgeConv's own name);
/// "" for other names.
std::string edge_conv_alias(const std::string& name) {
  const std::string prefix = "edge_nets.";
  if (name.compare(0, prefix.size(), prefix) != 0) return "";
  const std::size_t dot = name.find('.', prefix.size());
  if (dot == std::string::npos) return "";
  return "edge_convs." + name.substr(prefix.size(), dot - prefix.size()) + ".nn" + name.substr(dot);
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// The full table of metric-definitions.md §10.3 for `net`: its parameters and buffers, each batch norm's
/// num_batches_tracked, and the edge_convs aliases of all edge_nets tensors.
std::vector<ExpectedTensor> expected_tensors(ParticleNet& net) {
  NamedTensors named = net.named_parameters();
  for (NamedTensor& buffer : net.named_buffers()) named.push_back(buffer);
  std::vector<ExpectedTensor> expected;
  for (const NamedTensor& t : named) {
    expected.push_back({t.name, t.tensor.shape().dims(), StoredDtype::Float32, t.tensor, ""});
    const std::string running_mean = ".running_mean";
    if (ends_with(t.name, running_mean))
      expected.push_back({t.name.substr(0, t.name.size() - running_mean.size()) + ".num_batches_tracked", {},
                          StoredDtype::Int64, Tensor(), ""});
  }
  const std::size_t own = expected.size();
  for (std::size_t n = 0; n < own; ++n) {
    const std::string alias = edge_conv_alias(expected[n].name);
    if (!alias.empty())
      expected.push_back({alias, expected[n].shape, expected[n].dtype, Tensor(), expected[n].name});
  }
  return expected;
}

}  // namespace

void load_particlenet_weights(ParticleNet& net, const TorchStateDict& state) {
  const std::vector<ExpectedTensor> expected = expected_tensors(net);
  std::set<std::string> names;
  for (const ExpectedTensor& e : expected) {
    names.insert(e.name);
    if (!state.contains(e.name))
      throw DataError(fmt::format("{}: tensor \"{}\" is missing (ParticleNet needs {} {})", state.path, e.name,
                                  stored_dtype_name(e.dtype), shape_text(e.shape)));
    const StoredTensor& stored = state.at(e.name);
    if (stored.dtype != e.dtype || stored.shape != e.shape)
      throw DataError(fmt::format("{}: tensor \"{}\" is {} {}, ParticleNet needs {} {}", state.path, e.name,
                                  stored_dtype_name(stored.dtype), shape_text(stored.shape), stored_dtype_name(e.dtype),
                                  shape_text(e.shape)));
    if (!e.twin_of.empty() && stored.f32 != state.at(e.twin_of).f32)
      throw DataError(fmt::format("{}: tensor \"{}\" should repeat the values of \"{}\" (the same storage) but "
                                  "differs", state.path, e.name, e.twin_of));
  }
  for (const StoredTensor& stored : state.tensors)
    if (names.count(stored.name) == 0)
      throw DataError(fmt::format("{}: unexpected tensor \"{}\" ({} {}); not part of jetnet's ParticleNet", state.path,
                                  stored.name, stored_dtype_name(stored.dtype), shape_text(stored.shape)));
  for (const ExpectedTensor& e : expected) {
    if (!e.target.defined()) continue;
    const std::vector<float>& values = state.at(e.name).f32;
    Tensor target = e.target;
    target.copy_(Tensor::from_data<float>(values.data(), Shape(e.shape)));
  }
}

std::unique_ptr<ParticleNet> load_particlenet(const std::string& path) {
  const TorchStateDict state = read_torch_legacy_state_dict(path);
  auto net = std::make_unique<ParticleNet>();
  load_particlenet_weights(*net, state);
  return net;
}

}  // namespace flowjet::metrics

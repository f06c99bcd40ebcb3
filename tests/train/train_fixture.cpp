#include "tests/train/train_fixture.h"

#include <cstring>
#include <map>

#include "flows/flow_spec.h"
#include "tests/support/flow_specs.h"

namespace flowjet::test {

flows::TrainOptions tiny_train_options() {
  flows::TrainOptions o;
  o.model = flows::ModelKind::CCNF_MN;
  o.flow = small_jet_flow_spec(flows::model_context_features(o.model));
  o.flow.dropout = 0.1;
  o.flow.batch_norm = true;
  o.data.path = "data/samples/q.h5";
  o.data.jet_type = "q";
  o.data.max_jets = 300;
  o.batch_size = 64;
  o.max_steps = 8;
  o.lambda = 1.0;
  o.n_mse_delay = 1;
  o.validate_every = 4;
  o.validation_batch_size = 50;
  o.log_every = 2;
  o.checkpoint_every = 4;
  o.optimizer.lr = 1e-3;
  return o;
}

data::PreparedData tiny_prepared(const flows::TrainOptions& options) {
  static std::map<std::string, data::PreparedData> cache;
  const std::string key =
      options.data.path + "/" + std::to_string(options.data.max_jets) + "/" + std::to_string(options.data.prepare.seed);
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, flows::load_training_data(options.data).prepared).first;
  return it->second;
}

std::vector<std::string> bitwise_differences(const NamedTensors& a, const NamedTensors& b) {
  std::vector<std::string> different;
  if (a.size() != b.size()) return {"(different tensor counts)"};
  for (size_t i = 0; i < a.size(); ++i) {
    const Tensor &x = a[i].tensor, &y = b[i].tensor;
    const size_t bytes = static_cast<size_t>(x.numel()) * dtype_size(x.dtype());
    if (a[i].name != b[i].name || x.shape() != y.shape() || x.dtype() != y.dtype() ||
        std::memcmp(x.raw_data(), y.raw_data(), bytes) != 0)
      different.push_back(a[i].name);
  }
  return different;
}

}  // namespace flowjet::test

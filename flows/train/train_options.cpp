// Model kinds and the consistency checks of TrainOptions.
#include "flows/train/train_options.h"

#include <fmt/format.h>

#include "engine/core/error.h"
#include "engine/dist/communicator.h"

namespace flowjet::flows {
namespace {

struct KindName {
  ModelKind kind;
  const char* name;
};
constexpr KindName kKindNames[] = {{ModelKind::VNF, "vnf"},
                                   {ModelKind::CNF_M, "cnf_m"},
                                   {ModelKind::CNF_MN, "cnf_mn"},
                                   {ModelKind::CCNF_M, "ccnf_m"},
                                   {ModelKind::CCNF_MN, "ccnf_mn"}};

}  // namespace

ModelKind parse_model_kind(const std::string& name) {
  for (const KindName& k : kKindNames)
    if (name == k.name) return k.kind;
  throw ConfigError(fmt::format("unknown model kind \"{}\" (expected vnf, cnf_m, cnf_mn, ccnf_m or ccnf_mn)", name));
}

const char* model_kind_name(ModelKind kind) {
  for (const KindName& k : kKindNames)
    if (kind == k.kind) return k.name;
  return "?";
}

int64_t model_context_features(ModelKind kind) {
  switch (kind) {
    case ModelKind::VNF: return 0;
    case ModelKind::CNF_M:
    case ModelKind::CCNF_M: return 1;
    case ModelKind::CNF_MN:
    case ModelKind::CCNF_MN: return 2;
  }
  return 0;
}

bool model_uses_mass_loss(ModelKind kind) { return kind == ModelKind::CCNF_M || kind == ModelKind::CCNF_MN; }

bool TrainOptions::mass_loss_active(int64_t step) const {
  return model_uses_mass_loss(model) && n_mse_delay < step && (n_mse_turnoff < 0 || step < n_mse_turnoff);
}

void TrainOptions::validate() const {
  auto fail = [](const std::string& what) { throw ConfigError("training options: " + what); };
  flow.validate();
  if (flow.context_features != model_context_features(model))
    fail(fmt::format("model {} needs {} context features, the flow spec has {}", model_kind_name(model),
                     model_context_features(model), flow.context_features));
  if (flow.features != 3 * data.particles)
    fail(fmt::format("the flow has {} features but {} particles give {}", flow.features, data.particles,
                     3 * data.particles));
  if (data.particles < 1) fail(fmt::format("particles must be >= 1, got {}", data.particles));
  if (data.max_jets < 0) fail(fmt::format("max_jets must be >= 0, got {}", data.max_jets));
  if (batch_size < 1) fail(fmt::format("batch_size must be >= 1, got {}", batch_size));
  if (max_steps < 0) fail(fmt::format("max_steps must be >= 0, got {}", max_steps));
  if (!(lambda >= 0.0)) fail(fmt::format("lambda must be >= 0, got {}", lambda));
  if (max_bad_steps < 1) fail(fmt::format("max_bad_steps must be >= 1, got {}", max_bad_steps));
  if (!(clip_value >= 0.0)) fail(fmt::format("clip_value must be >= 0, got {}", clip_value));
  if (validate_every < 0 || log_every < 1 || checkpoint_every < 0 || validation_batch_size < 1)
    fail(
        fmt::format("intervals must be validate_every >= 0, log_every >= 1, checkpoint_every >= 0, "
                    "validation batch >= 1 (got {}, {}, {}, {})",
                    validate_every, log_every, checkpoint_every, validation_batch_size));
  if (threads < 0) fail(fmt::format("threads must be >= 0, got {}", threads));
  if (device != "cpu" && device != "cuda" && device != "auto")
    fail(fmt::format("device must be cpu, cuda or auto, got \"{}\"", device));
  if (!dist::is_distributed_kind(distributed))
    fail(fmt::format("distributed must be none, mpi or nccl, got \"{}\"", distributed));
  if (distributed == "nccl" && device != "cuda")
    fail(fmt::format("distributed = nccl all-reduces on the GPU: it needs device = cuda (one GPU per rank), got "
                     "\"{}\"",
                     device));
  if (sync_batchnorm && distributed == "nccl")
    fail("sync_batchnorm = true is implemented for distributed = mpi (CPU ranks) only, not nccl");
  if (!(distributed_timeout > 0.0))
    fail(fmt::format("distributed_timeout must be > 0 seconds, got {}", distributed_timeout));
}

}  // namespace flowjet::flows

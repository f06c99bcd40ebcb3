// The keys of a training configuration, their defaults and meanings (training-recipe.md §11 names where
// they exist), and their conversion into FlowSpec and TrainOptions.
#include "tools/common/train_config.h"

#include <cstdlib>
#include <limits>

#include <fmt/format.h>

#include <filesystem>

#include "engine/core/error.h"
#include "flows/coupling/coupling_registry.h"
#include "flows/masks.h"

namespace flowjet::tools {
namespace {

Schema build_schema() {
  Schema s;
  using V = ValueType;
  // [data]
  s.add({"data",
         "path",
         V::String,
         "",
         "JetNet HDF5 file (relative to the working directory); empty: the committed stand-in "
         "`data/samples/<jet_type>.h5`",
         {}});
  s.add({"data", "jet_type", V::String, "q", "jet type: g (gluon), q (light quark), t (top)", {"g", "q", "t"}});
  s.add({"data",
         "particles",
         V::Int,
         "30",
         "particles per jet P (the first P of each jet; the flow has 3P features)",
         {}});
  s.add({"data", "max_jets", V::Int, "0", "use only the first N jets of the file; 0: all", {}});
  s.add({"data",
         "noise",
         V::Bool,
         "on",
         "half-normal noise of scale `noise_scale` on zero-padded particles (training-recipe.md §3)",
         {}});
  s.add({"data", "noise_scale", V::Float, "1e-7", "scale of the padding noise", {}});
  s.add({"data",
         "split",
         V::String,
         "70_30",
         "70_30: train/test, the test part doubles as validation set (training-recipe.md §5); 70_15_15: the jetnet "
         "package's train/valid/test",
         {"70_30", "70_15_15"}});
  s.add({"data",
         "fit_on_all_rows",
         V::Bool,
         "false",
         "fit the scaler and conditional sampler on all jets, test part included (the reference's leak, "
         "training-recipe.md §12.5); false: training part only",
         {}});
  s.add({"data",
         "shuffle",
         V::Bool,
         "true",
         "reshuffle the training rows every epoch; false: fixed consecutive batches as the reference",
         {}});
  // [model]
  s.add({"model",
         "kind",
         V::String,
         std::nullopt,
         "vnf (no condition), cnf_m (mass), cnf_mn (mass, n), ccnf_m / ccnf_mn (plus the mass-constraint loss)",
         {"vnf", "cnf_m", "cnf_mn", "ccnf_m", "ccnf_mn"}});
  s.add({"model",
         "coupling",
         V::String,
         "rqs",
         "coupling transform: rqs (rational-quadratic spline) or affine; adding one: docs/architecture.md",
         flows::coupling_names()});
  s.add({"model", "coupling_layers", V::Int, "15", "number of coupling layers L", {}});
  s.add({"model", "network_layers", V::Int, "2", "residual blocks per conditioner (num_blocks)", {}});
  s.add({"model", "network_nodes", V::Int, "256", "hidden width H of the conditioner", {}});
  s.add({"model", "bins", V::Int, "5", "spline bins K", {}});
  s.add({"model", "tail_bound", V::Float, "6", "spline interval [-B, B] with linear tails outside", {}});
  s.add({"model", "dropout", V::Float, "0", "dropout probability in the residual blocks (training mode only)", {}});
  s.add({"model", "batchnorm", V::Bool, "false", "batch norm in the residual blocks", {}});
  s.add({"model",
         "mask",
         V::String,
         "random",
         "coupling masks: independent random halves, alternating, or whole particles",
         {"random", "alternating", "particle"}});
  // [train]
  s.add({"train", "batch_size", V::Int, "10000", "jets per optimiser step", {}});
  s.add({"train", "lr", V::Float, "1e-3", "learning rate (of the first step, with a schedule)", {}});
  s.add({"train",
         "lr_schedule",
         V::String,
         "constant",
         "learning rate per step: constant (the talk's runs), cosine (lr down to lr_min at max_steps), "
         "exponential (lr * lr_gamma^step)",
         {"constant", "cosine", "exponential"}});
  s.add({"train", "lr_min", V::Float, "0", "cosine schedule: the learning rate reached at max_steps", {}});
  s.add({"train", "lr_gamma", V::Float, "1", "exponential schedule: factor per step", {}});
  s.add(
      {"train", "optimizer", V::String, "adamw", "AdamW (talk-era code) or Adam (April 2022 code)", {"adamw", "adam"}});
  s.add({"train",
         "weight_decay",
         V::Float,
         "0.01",
         "AdamW: decoupled decay; adam: L2 term added to the gradient (PyTorch's Adam default is 0)",
         {}});
  s.add({"train", "max_steps", V::Int, "50000", "optimiser steps of the run", {}});
  s.add({"train", "lambda", V::Float, "10", "weight of the mass-constraint loss (ccnf models)", {}});
  s.add(
      {"train", "n_mse_delay", V::Int, "5", "the mass loss is added when n_mse_delay < step (steps already done)", {}});
  s.add({"train", "n_mse_turnoff", V::Int, "-1", "... and step < n_mse_turnoff; negative: never switched off", {}});
  s.add({"train",
         "max_bad_steps",
         V::Int,
         "5",
         "consecutive steps with a non-finite loss or gradient (each skipped) after which the run stops",
         {}});
  s.add({"train", "clip_value", V::Float, "0", "clamp gradients to [-clip_value, clip_value]; 0: off", {}});
  s.add({"train",
         "seed",
         V::Int,
         "42",
         "seed of everything random: weights, masks, split, noise, shuffles, dropout, latent draws",
         {}});
  s.add({"train",
         "device",
         V::String,
         "cpu",
         "cpu, cuda, or auto (cuda when usable, else cpu)",
         {"cpu", "cuda", "auto"}});
  s.add({"train", "threads", V::Int, "0", "CPU threads; 0: FLOWJET_THREADS or every core", {}});
  s.add({"train",
         "distributed",
         V::String,
         "none",
         "data-parallel training over the ranks of `mpirun -np N bin/train ...`: none, mpi (CPU), nccl (one GPU per "
         "rank); docs/distributed.md",
         {"none", "mpi", "nccl"}});
  s.add({"train",
         "distributed_timeout",
         V::Float,
         "300",
         "seconds a collective (the step's gradient all-reduce) may wait for the other ranks before the job is "
         "aborted, naming the rank and step",
         {}});
  s.add({"train",
         "sync_batchnorm",
         V::Bool,
         "false",
         "with train.distributed = mpi: batch norm normalises with the statistics of the global batch (all ranks' "
         "rows) instead of each rank's shard; docs/distributed.md",
         {}});
  // [eval]
  s.add(
      {"eval", "validate_every", V::Int, "1000", "optimiser steps between validation losses; 0: only at the end", {}});
  s.add({"eval", "batch_size", V::Int, "10000", "jets per validation forward pass (bounds memory)", {}});
  s.add({"eval", "report", V::Bool, "false", "with the metrics, write report.html (plots of generated vs test jets)", {}});
  s.add({"eval",
         "truth_floor",
         V::Bool,
         "false",
         "with the metrics, also score the first training jets (as many as the test split) against the test jets: "
         "the values two real samples reach (truth_floor.json)",
         {}});
  s.add({"eval",
         "generate",
         V::Bool,
         "true",
         "at the end, generate as many jets as the test split into the run directory",
         {}});
  s.add({"eval",
         "metrics",
         V::String,
         "talk",
         "evaluation preset of the end-of-run metrics, or none",
         {"talk", "jetnet", "full", "none"}});
  s.add({"eval",
         "fpnd_dir",
         V::String,
         "",
         "directory of the FPND resources (jetnet's pnet_state_dict.pt and {g,q,t}_{mu,sigma}.txt); empty: "
         "$FLOWJET_FPND_DIR, else the copy in metrics/resources/fpnd (found from the program's location)",
         {}});
  // [output]
  s.add({"output", "dir", V::String, "", "run directory; empty: runs/<configuration file name without .ini>", {}});
  s.add({"output", "log_every", V::Int, "50", "optimiser steps between progress lines and CSV rows", {}});
  s.add({"output", "checkpoint_every", V::Int, "1000", "optimiser steps between periodic checkpoints; 0: none", {}});
  return s;
}

constexpr double kHuge = 1e300;  // "no upper bound" for float_in

/// An integer key in [min, max] (max: no upper bound when left out).
int64_t int_in(const IniConfig& config, const std::string& section, const std::string& key, int64_t min,
               int64_t max = std::numeric_limits<int64_t>::max()) {
  const int64_t value = config.get_int(section, key);
  if (value < min)
    throw ConfigError(fmt::format("{}: [{}] {} = {} must be >= {}", config.name(), section, key, value, min));
  if (value > max)
    throw ConfigError(fmt::format("{}: [{}] {} = {} is above the limit of {}", config.name(), section, key, value, max));
  return value;
}

/// Upper limits of the sizes that set memory: far beyond any JetNet model, low enough that a typo
/// (network_nodes = 1e8) is a clear error instead of an allocation failure.
constexpr int64_t kMaxParticles = 1000, kMaxLayers = 1000, kMaxWidth = 65536, kMaxBins = 1000,
                  kMaxBatch = 10'000'000;

/// A number key in [min, max) (max_open) or [min, max].
double float_in(const IniConfig& config, const std::string& section, const std::string& key, double min, double max,
                bool max_open) {
  const double value = config.get_float(section, key);
  if (value < min || value > max || (max_open && value == max))
    throw ConfigError(fmt::format("{}: [{}] {} = {} must be in [{}, {}{}", config.name(), section, key, value, min, max,
                                  max_open ? ")" : "]"));
  return value;
}

/// Runs a consistency check, putting the configuration's name before a ConfigError's message.
template <class Check>
void naming_config(const IniConfig& config, Check check) {
  try {
    check();
  } catch (const ConfigError& e) {
    throw ConfigError(fmt::format("{}: {}", config.name(), e.what()));
  }
}

}  // namespace

const Schema& train_schema() {
  static const Schema schema = build_schema();
  return schema;
}

IniConfig load_train_config(const std::string& path, const std::vector<std::string>& overrides) {
  IniConfig config = IniConfig::load(path, train_schema());
  for (const std::string& o : overrides) config.apply_override(o);
  config.require_complete();
  return config;
}

flows::FlowSpec flow_spec_from(const IniConfig& config) {
  flows::FlowSpec spec;
  spec.features = 3 * int_in(config, "data", "particles", 1, kMaxParticles);
  spec.coupling = flows::parse_coupling_kind(config.get_string("model", "coupling"));
  spec.coupling_layers = int_in(config, "model", "coupling_layers", 1, kMaxLayers);
  spec.num_blocks = int_in(config, "model", "network_layers", 0, kMaxLayers);
  spec.hidden_features = int_in(config, "model", "network_nodes", 1, kMaxWidth);
  spec.bins = int_in(config, "model", "bins", 1, kMaxBins);
  spec.tail_bound = float_in(config, "model", "tail_bound", 1e-6, kHuge, false);
  spec.dropout = float_in(config, "model", "dropout", 0.0, 1.0, true);
  spec.batch_norm = config.get_bool("model", "batchnorm");
  spec.mask = flows::parse_mask_kind(config.get_string("model", "mask"));
  spec.context_features = flows::model_context_features(flows::parse_model_kind(config.get_string("model", "kind")));
  spec.seed = static_cast<uint64_t>(int_in(config, "train", "seed", 0));
  naming_config(config, [&] { spec.validate(); });
  return spec;
}

flows::TrainOptions train_options_from(const IniConfig& config) {
  flows::TrainOptions o;
  o.model = flows::parse_model_kind(config.get_string("model", "kind"));
  o.flow = flow_spec_from(config);

  o.data.jet_type = config.get_string("data", "jet_type");
  o.data.path = config.get_string("data", "path");
  if (o.data.path.empty()) o.data.path = fmt::format("data/samples/{}.h5", o.data.jet_type);
  o.data.particles = int_in(config, "data", "particles", 1, kMaxParticles);
  o.data.max_jets = int_in(config, "data", "max_jets", 0);
  o.data.prepare.add_noise = config.get_bool("data", "noise");
  o.data.prepare.noise_scale = float_in(config, "data", "noise_scale", 0.0, 1.0, false);
  o.data.prepare.split = config.get_string("data", "split") == "70_15_15" ? data::SplitScheme::JetNet70_15_15
                                                                          : data::SplitScheme::TrainTest70_30;
  o.data.prepare.fit_on_all_rows = config.get_bool("data", "fit_on_all_rows");
  o.data.shuffle = config.get_bool("data", "shuffle");

  const double lr = float_in(config, "train", "lr", 0.0, kHuge, false);
  const double weight_decay = float_in(config, "train", "weight_decay", 0.0, kHuge, false);
  o.optimizer = AdamOptions{};  // PyTorch's betas and eps
  o.optimizer.lr = lr;
  o.optimizer.weight_decay = weight_decay;
  o.lr_schedule = config.get_string("train", "lr_schedule");
  o.lr_min = float_in(config, "train", "lr_min", 0.0, lr, false);
  o.lr_gamma = float_in(config, "train", "lr_gamma", 0.0, kHuge, false);
  o.optimizer.decoupled = config.get_string("train", "optimizer") == "adamw";
  o.clip_value = float_in(config, "train", "clip_value", 0.0, kHuge, false);
  o.batch_size = int_in(config, "train", "batch_size", 1, kMaxBatch);
  o.max_steps = int_in(config, "train", "max_steps", 1);  // 0 would write an untrained final.h5
  o.lambda = float_in(config, "train", "lambda", 0.0, kHuge, false);
  o.n_mse_delay = config.get_int("train", "n_mse_delay");
  o.n_mse_turnoff = config.get_int("train", "n_mse_turnoff");
  o.max_bad_steps = int_in(config, "train", "max_bad_steps", 1);
  o.seed = static_cast<uint64_t>(int_in(config, "train", "seed", 0));
  o.data.prepare.seed = o.seed;
  o.device = config.get_string("train", "device");
  o.threads = int_in(config, "train", "threads", 0);
  o.distributed = config.get_string("train", "distributed");
  o.distributed_timeout = float_in(config, "train", "distributed_timeout", 1e-3, kHuge, false);
  o.sync_batchnorm = config.get_bool("train", "sync_batchnorm");

  o.validate_every = int_in(config, "eval", "validate_every", 0);
  o.validation_batch_size = int_in(config, "eval", "batch_size", 1, kMaxBatch);
  o.generate = config.get_bool("eval", "generate");
  o.report = config.get_bool("eval", "report");
  o.truth_floor = config.get_bool("eval", "truth_floor");
  o.metrics = config.get_string("eval", "metrics");
  o.fpnd_dir = config.get_string("eval", "fpnd_dir");

  o.run_dir = config.get_string("output", "dir");
  if (o.run_dir.empty()) o.run_dir = "runs/" + std::filesystem::path(config.name()).stem().string();
  o.log_every = int_in(config, "output", "log_every", 1);
  o.checkpoint_every = int_in(config, "output", "checkpoint_every", 0);
  naming_config(config, [&] { o.validate(); });
  return o;
}

std::string effective_ini(const IniConfig& config) {
  std::string out =
      fmt::format("# Effective configuration of this run (from {}, defaults and overrides applied).\n", config.name());
  std::string section;
  for (const KeySpec& k : train_schema().keys()) {
    if (k.section != section) {
      section = k.section;
      out += fmt::format("\n[{}]\n", section);
    }
    out += fmt::format("{} = {}\n", k.key, config.get_string(k.section, k.key));
  }
  return out;
}

}  // namespace flowjet::tools

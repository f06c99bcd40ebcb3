// Everything a training run needs to know, as plain values: the model kind (training-recipe.md §6), the
// flow's shape, the data pipeline, the optimiser, the mass-constraint window (§7.2), and the
// intervals of validation, logging and checkpoints. tools/common/train_config fills it from INI.
#pragma once

#include <cstdint>
#include <string>

#include "data/preprocess.h"
#include "engine/optim/adam.h"
#include "flows/flow_spec.h"

namespace flowjet::flows {

/// The five models of the talk (training-recipe.md §6).
enum class ModelKind { VNF, CNF_M, CNF_MN, CCNF_M, CCNF_MN };

/// "vnf" | "cnf_m" | "cnf_mn" | "ccnf_m" | "ccnf_mn"; throws ConfigError otherwise.
ModelKind parse_model_kind(const std::string& name);
const char* model_kind_name(ModelKind kind);
/// Context features of the model's flow (training-recipe.md §6): VNF 0 (nflows' C = 0 conditioner, which
/// the authors' code builds and the talk's parameter count includes; no context is passed),
/// (m) models 1, (m, n) models 2.
int64_t model_context_features(ModelKind kind);
/// True for the CCNF models, trained with the mass-constraint loss (training-recipe.md §7.2).
bool model_uses_mass_loss(ModelKind kind);

struct DataOptions {
  std::string path;            // a JetNet HDF5 file
  std::string jet_type = "q";  // "g" | "q" | "t"
  int64_t particles = 30;      // P: the first P particles of each jet are used
  int64_t max_jets = 0;        // 0: every jet of the file, else the first max_jets
  data::PrepareOptions prepare;
  bool shuffle = true;  // reshuffle the training rows every epoch (the reference does not, §5)
};

struct TrainOptions {
  ModelKind model = ModelKind::CNF_MN;
  FlowSpec flow;  // context_features must agree with `model`
  DataOptions data;
  AdamOptions optimizer = AdamOptions::adamw();
  // Learning rate per step (engine/optim/schedule.h): "constant" (the talk's runs), "cosine" (from
  // optimizer.lr down to lr_min over max_steps) or "exponential" (lr * lr_gamma^step).
  std::string lr_schedule = "constant";
  double lr_min = 0.0;
  double lr_gamma = 1.0;
  double clip_value = 0.0;  // > 0: gradients clamped to [-clip_value, clip_value] before the step

  int64_t batch_size = 10000;
  int64_t max_steps = 50000;  // optimiser steps
  // Mass-constraint loss (CCNF): L = L_nll + lambda * L_mass while n_mse_delay < step < n_mse_turnoff,
  // step = optimiser steps already done (training-recipe.md §7.2); n_mse_turnoff < 0: never switched off.
  double lambda = 10.0;
  int64_t n_mse_delay = 5;
  int64_t n_mse_turnoff = -1;
  int64_t max_bad_steps = 5;  // consecutive non-finite steps before the run stops

  int64_t validate_every = 1000;          // optimiser steps; 0: only at the end
  int64_t validation_batch_size = 10000;  // rows per validation forward pass (bounds memory)
  int64_t log_every = 50;                 // optimiser steps between log rows
  int64_t checkpoint_every = 1000;        // optimiser steps; 0: only best and final
  uint64_t seed = 42;                     // weights, masks, data split and noise, shuffles, dropout, latents

  std::string device = "cpu";  // cpu | cuda | auto
  int64_t threads = 0;         // 0: the engine's default
  // Data-parallel training (docs/distributed.md): "none", "mpi" (CPU ranks) or "nccl" (one GPU per
  // rank), launched by mpirun; a collective not done after distributed_timeout seconds ends the job.
  std::string distributed = "none";
  double distributed_timeout = 300.0;
  // Synchronised batch norm: training-mode statistics over the global batch (distributed = mpi).
  bool sync_batchnorm = false;
  std::string run_dir = "runs/run";
  bool report = false;           // with the metrics: an HTML report of generated vs test jets
  bool truth_floor = false;      // with the metrics: score a disjoint real sample against the test jets too
  bool generate = true;          // generate as many jets as the test split at the end
  std::string metrics = "talk";  // evaluation preset of the end-of-run metrics, or "none"
  std::string fpnd_dir;          // FPND resources (pnet_state_dict.pt, statistics); empty: the default ones

  /// True when the mass loss is added at `step` (optimiser steps already done).
  bool mass_loss_active(int64_t step) const;
  /// Throws ConfigError naming the first inconsistent value.
  void validate() const;
};

}  // namespace flowjet::flows

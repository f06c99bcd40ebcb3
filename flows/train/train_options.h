// Everything a training run needs to know, as plain values (the INI reader in tools/ fills it).
#pragma once

#include <cstdint>
#include <string>

#include "flows/flow_spec.h"

namespace flowjet::flows {

/// The five models of the talk (training.md §6).
enum class ModelKind { VNF, CNF_M, CNF_MN, CCNF_M, CCNF_MN };

/// "vnf" | "cnf_m" | "cnf_mn" | "ccnf_m" | "ccnf_mn"; throws ConfigError otherwise.
ModelKind parse_model_kind(const std::string& name);
const char* model_kind_name(ModelKind kind);
/// Context features of the model: -1 (VNF without context) or 0 (VNF with nflows' C = 0 layers), 1 (m), 2 (m, n).
int64_t model_context_features(ModelKind kind, bool vnf_zero_context_layers);
bool model_uses_mass_loss(ModelKind kind);
bool model_conditions_on_n(ModelKind kind);

struct DataOptions {
  std::string path;
  std::string jet_type = "q";     // g | q | t: which FPND reference statistics apply
  int64_t max_jets = 0;           // 0: all jets of the file
  bool strict = true;             // strict validation of the file (data.md §4)
  bool noise = true;              // half-normal noise on padded slots (training.md §3)
  double noise_scale = 1e-7;
  std::string split = "70/30";    // or "70/15/15" (JetNet's convention)
  bool fit_on_all = false;        // the reference's leak: scaler and sampler fitted on all jets
  bool shuffle_every_epoch = true;
  uint64_t seed = 42;
};

struct OptimOptions {
  std::string optimizer = "adamw";  // adamw | adam
  double learning_rate = 1e-3;
  double weight_decay = 0.01;       // AdamW default; Adam's default is 0
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  std::string lr_schedule = "constant";  // constant | exponential | cosine
  double lr_gamma = 0.999;               // exponential: lr0 * gamma^step
  double lr_min = 0.0;                   // cosine: eta_min
  double clip_grad_norm = 0.0;           // 0: off
  double clip_grad_value = 0.0;          // 0: off
};

struct TrainOptions {
  ModelKind model = ModelKind::CNF_MN;
  FlowSpec flow;
  DataOptions data;
  OptimOptions optim;
  int64_t max_steps = 50000;
  int64_t batch_size = 10000;
  double mass_lambda = 10.0;        // λ of the mass-constraint loss
  int64_t mass_loss_start = 5;      // loss added when start < step < stop (training.md §7.2)
  int64_t mass_loss_stop = -1;      // -1: never switched off
  int64_t max_bad_steps = 5;        // consecutive non-finite steps before stopping
  int64_t validate_every = 1000;    // steps; 0: only at the end
  int64_t log_every = 50;           // steps between CSV log rows
  int64_t checkpoint_every = 1000;  // steps; 0: only best and final
  int64_t validation_max_jets = 0;  // 0: the whole validation split
  uint64_t seed = 42;               // training randomness (shuffles, dropout, latent draws)
  std::string device = "cpu";       // cpu | cuda | auto
  int64_t threads = 0;              // 0: every core
  std::string run_dir = "runs/run";
  bool progress = true;
  // End of run
  bool generate = true;
  bool evaluate = true;
  std::string eval_preset = "talk";
  std::string fpnd_dir;             // empty: FPND skipped
  bool clamp_sampled_mass = true;   // training.md §8.2 step 4
};

}  // namespace flowjet::flows

// The training step of the talk's flows (training-recipe.md §7): per optimiser step the mass-constraint
// sampling pass (CCNF) BEFORE the density pass, the NaN/Inf guard, the AdamW update; validation
// loss in eval mode; and the complete state (weights, batch-norm statistics, optimiser moments,
// every generator, batch position, counters) for checkpoints from which a resumed run continues
// bit-identically on the CPU.
//
// NaN/Inf policy (a deliberate deviation from the reference, training-recipe.md §7.4): when the loss or
// any gradient is non-finite the step is skipped entirely: parameters, batch-norm running
// statistics and optimiser state keep their values from before the step (the reference instead
// runs AdamW on zeroed gradients, so weight decay and momentum still move the weights). The batch
// is consumed and the generators advance, the optimiser step count does not. After
// max_bad_steps consecutive bad steps should_stop() turns true.
//
// Device: the model, the optimiser's moments and the mass loss's scaling live on the device given
// to the constructor. Each batch is assembled on the host and copied there once per step; the
// losses are read back (one synchronisation) only after the backward pass has been queued, and
// the gradients are checked on the device (all_grads_finite), so a step waits for the GPU once.
// Checkpoints are written from host copies and restored onto the device.
//
// Data parallel (docs/distributed.md): with a communicator of N > 1 ranks every rank holds the whole
// model and takes its shard (dist::shard_of) of each global batch of options.batch_size rows; the
// gradients and losses are summed over the ranks with one all-reduce per step, weighted by each
// rank's share of the batch, so every rank applies the same update. The decisions that follow (skip,
// clip, AdamW) see the same numbers on every rank. With options.sync_batchnorm every batch-norm layer
// also sums its training-mode statistics over the ranks (dist::CommunicatorStatsReducer), so it
// normalises with the global batch's, as one process would.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "data/batcher.h"
#include "engine/dist/communicator.h"
#include "engine/dist/stats_reducer.h"
#include "engine/io/checkpoint.h"
#include "engine/optim/adam.h"
#include "engine/optim/schedule.h"
#include "flows/io/jet_model.h"
#include "flows/loss/mass_constraint.h"
#include "flows/train/batch.h"
#include "flows/train/train_options.h"

namespace flowjet::flows {

/// What one call of Trainer::step() did.
struct StepReport {
  bool skipped = false;             // non-finite loss or gradient: nothing was updated
  std::string bad_reason;           // why it was skipped ("NLL is nan", "gradient of <name> is not finite")
  double nll = 0.0;                 // L_nll of the batch
  std::optional<double> mass_loss;  // L_mass when computed (CCNF models)
  bool mass_loss_added = false;     // inside the n_mse_delay/n_mse_turnoff window
  int64_t jets = 0;                 // rows of the batch
};

class Trainer {
 public:
  /// Builds the model (flow of options.flow, scaler, conditional sampler fitted like the scaler),
  /// moves its flow to `device` (resolved from options.device by the caller, e.g. with
  /// choose_device), then the optimiser and the batcher over the training rows. Throws ConfigError
  /// for inconsistent options, ShapeError when `prepared` does not match them.
  /// `communicator` (kept, not owned; nullptr: a single process) makes this one rank of a
  /// data-parallel job: the parameters and buffers of rank 0 are broadcast to the others here.
  Trainer(const TrainOptions& options, data::PreparedData prepared, Device device = Device::CPU,
          dist::Communicator* communicator = nullptr);

  /// One step on the next batch; see the NaN/Inf policy above.
  StepReport step();
  /// -mean log p / D over the validation rows (eval mode, no gradients, batches of
  /// options.validation_batch_size); the model is left in training mode.
  double validation_loss();
  /// True once max_bad_steps consecutive steps were skipped.
  bool should_stop() const { return consecutive_bad_steps_ >= options_.max_bad_steps; }

  /// This process's rank and the job's number of ranks (0 and 1 without a communicator).
  int rank() const { return comm_->rank(); }
  int world_size() const { return comm_->size(); }
  /// Where the model trains.
  Device device() const { return model_.flow->device(); }
  int64_t steps_done() const { return steps_done_; }
  int64_t batches_seen() const { return batches_seen_; }
  int64_t epoch() const { return batches_seen_ / batcher_.batches_per_epoch(); }
  int64_t batches_per_epoch() const { return batcher_.batches_per_epoch(); }
  int64_t consecutive_bad_steps() const { return consecutive_bad_steps_; }
  int64_t bad_steps_total() const { return bad_steps_total_; }
  double lr() const { return optimizer_.lr(); }

  const TrainOptions& options() const { return options_; }
  const data::PreparedData& prepared() const { return prepared_; }
  JetModel& model() { return model_; }
  const JetModel& model() const { return model_; }
  Flow& flow() { return *model_.flow; }
  const Adam& optimizer() const { return optimizer_; }

  /// Writes the model and the training state ("optim/..." tensors, "train.*" attributes, plus
  /// `extra`) atomically to `path` (a jet-model checkpoint that bin/sample reads as it is).
  void save(const std::string& path, const Attributes& extra = {}) const;
  /// Restores a save()d state into this trainer, built with the same options and data. Everything
  /// is checked before anything changes; throws CheckpointError naming the file and the mismatch.
  void restore(const Checkpoint& checkpoint);

  /// Test hook run after back-propagation, before the finite check (e.g. to inject a NaN gradient);
  /// in a distributed run before the gradient all-reduce.
  void set_gradient_hook(std::function<void(const NamedTensors& params)> hook) { gradient_hook_ = std::move(hook); }

 private:
  const std::vector<int64_t>& next_batch_rows();
  std::string batcher_description() const;
  void skip(StepReport& report, std::string reason, const NamedTensors& buffers_before);
  bool distributed() const { return comm_->size() > 1; }
  /// This rank's generators for the batch about to be drawn (distributed runs).
  void reseed_rank_generators();

  TrainOptions options_;
  data::PreparedData prepared_;
  JetModel model_;
  Adam optimizer_;
  LrSchedule lr_schedule_;  // the optimiser's learning rate as a function of steps_done_
  data::EpochBatcher batcher_;
  FeatureScaling scaling_;     // the first 3P scaler columns, for the mass loss
  Generator mass_latent_gen_;  // z draws of the mass-constraint sampling pass
  std::string data_fingerprint_;
  dist::Communicator* comm_;  // dist::single_process() without a communicator
  // Synchronised batch norm's reducer, set on every batch-norm layer (distributed runs with
  // options.sync_batchnorm; null otherwise).
  std::unique_ptr<dist::CommunicatorStatsReducer> stats_reducer_;

  int64_t steps_done_ = 0;
  int64_t batches_seen_ = 0;
  int64_t consecutive_bad_steps_ = 0;
  int64_t bad_steps_total_ = 0;
  int64_t cached_epoch_ = -1;
  std::vector<std::vector<int64_t>> epoch_batches_;
  std::function<void(const NamedTensors&)> gradient_hook_;
};

/// FNV-1a 64 of the prepared table and split, as 16 hex digits: a resumed run checks that it sees
/// the same data.
std::string prepared_fingerprint(const data::PreparedData& prepared);

}  // namespace flowjet::flows

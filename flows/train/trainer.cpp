// Trainer: the step of training-recipe.md §7.3 with the skip-on-non-finite policy, validation, and the
// training state in checkpoints.
#include "flows/train/trainer.h"

#include <fmt/format.h>

#include <cmath>
#include <utility>

#include "engine/autograd/recording.h"
#include "engine/autograd/tape.h"
#include "engine/core/error.h"
#include "engine/dist/tensor_collectives.h"
#include "engine/nn/batchnorm1d.h"
#include "engine/ops/binary/binary.h"
#include "engine/optim/clip.h"
#include "engine/random/derive_seed.h"
#include "flows/loss/nll.h"

namespace flowjet::flows {
namespace {

// Stream tag of the mass-constraint latent draws, mixed into the run seed with derive_seed so they
// are unrelated to the flow's own (init, mask, dropout) streams.
constexpr uint64_t kMassLatentStream = 0x4d617373ull;
// The same for the per-rank dropout streams of a distributed run.
constexpr uint64_t kRankDropoutStream = 0x44726f70ull;

JetModel build_model(const TrainOptions& options, const data::PreparedData& prepared, Device device) {
  options.validate();
  if (prepared.particles != options.data.particles || prepared.rows < 1)
    throw ShapeError(
        fmt::format("Trainer: the prepared data has {} particles and {} rows, the options ask for {} particles",
                    prepared.particles, prepared.rows, options.data.particles));
  JetModel model;
  model.flow = std::make_unique<Flow>(options.flow);  // initialised on the host from options.flow.seed
  model.flow->to(device);
  model.scaler = prepared.scaler;
  // Fitted on the same rows as the scaler (the training part, or all rows with the leak option).
  model.sampler = ConditionalSampler::fit(prepared, options.seed);
  model.kind = model_kind_name(options.model);
  model.particles = prepared.particles;
  model.scaled_zero_mass = prepared.scaled_zero_mass;
  model.jet_type = options.data.jet_type;
  return model;
}

NamedTensors clone_all(const NamedTensors& tensors) {
  NamedTensors copies;
  for (const NamedTensor& t : tensors) copies.push_back({t.name, t.tensor.clone()});
  return copies;
}

void fnv1a(uint64_t& hash, const void* bytes, size_t size) {
  const auto* p = static_cast<const unsigned char*>(bytes);
  for (size_t i = 0; i < size; ++i) hash = (hash ^ p[i]) * 0x100000001b3ull;  // FNV-1a 64 prime
}

std::string non_finite_name(double value) { return std::isnan(value) ? "nan" : "infinite"; }

// The training.* attribute names.
constexpr const char* kStep = "train.step";
constexpr const char* kBatchesSeen = "train.batches_seen";
constexpr const char* kEpoch = "train.epoch";
constexpr const char* kConsecutiveBad = "train.consecutive_bad_steps";
constexpr const char* kBadTotal = "train.bad_steps_total";
constexpr const char* kFingerprint = "train.data_fingerprint";
constexpr const char* kDropoutGen = "train.generator.dropout";
constexpr const char* kMassLatentGen = "train.generator.mass_latent";
constexpr const char* kWorldSize = "train.world_size";  // ranks of the run (absent in older checkpoints: 1)
constexpr const char* kBatcher = "train.batcher";  // "<batch size>/<shuffle>/<seed>": decides every batch
constexpr const char* kOptimPrefix = "optim/";

}  // namespace

std::string prepared_fingerprint(const data::PreparedData& prepared) {
  uint64_t hash = 0xcbf29ce484222325ull;  // FNV-1a 64 offset basis
  fnv1a(hash, prepared.table.data(), prepared.table.size() * sizeof(float));
  for (const auto* part : {&prepared.split.train, &prepared.split.valid, &prepared.split.test})
    fnv1a(hash, part->data(), part->size() * sizeof(int64_t));
  return fmt::format("{:016x}", hash);
}

Trainer::Trainer(const TrainOptions& options, data::PreparedData prepared, Device device,
                 dist::Communicator* communicator)
    : options_(options),
      prepared_(std::move(prepared)),
      model_(build_model(options_, prepared_, device)),
      optimizer_(model_.flow->named_parameters(), options_.optimizer),  // moments on the parameters' device
      lr_schedule_(LrSchedule::from_name(options_.lr_schedule, options_.optimizer.lr, options_.lr_gamma,
                                         std::max<int64_t>(options_.max_steps, 1), options_.lr_min)),
      batcher_(prepared_.split.train, options_.batch_size, options_.data.shuffle, options_.seed),
      scaling_(feature_scaling(prepared_.scaler, options_.flow.features, device)),
      mass_latent_gen_(derive_seed(options_.seed, kMassLatentStream)),
      data_fingerprint_(prepared_fingerprint(prepared_)),
      comm_(communicator ? communicator : &dist::single_process()) {
  if (!distributed()) return;
  // Every batch, the epoch's last (partial) one included, must give each rank at least one row.
  const int64_t train_rows = static_cast<int64_t>(prepared_.split.train.size());
  const int64_t smallest = train_rows % options_.batch_size == 0 ? std::min(train_rows, options_.batch_size)
                                                                 : train_rows % options_.batch_size;
  if (smallest < world_size())
    throw ConfigError(fmt::format(
        "train.batch_size = {}: the {} training jets leave a batch of {} jet(s), fewer than the {} ranks (each "
        "rank needs at least one jet of every batch); choose a batch size without such a remainder",
        options_.batch_size, train_rows, smallest, world_size()));
  if (options_.sync_batchnorm) {
    if (model_.flow->device() != Device::CPU)
      throw ConfigError(fmt::format("train.sync_batchnorm = true runs on the CPU only (the model is on {}): the CUDA "
                                    "batch-norm kernels have no reducer hook; use train.device = cpu",
                                    device_name(model_.flow->device())));
    stats_reducer_ = std::make_unique<dist::CommunicatorStatsReducer>(*comm_);
    set_batchnorm_stats_reducer(*model_.flow, stats_reducer_.get());
  }
  // The seed makes the weights equal already; the broadcast guarantees it.
  dist::broadcast_tensors(*comm_, flow_state(*model_.flow), 0, "the broadcast of the initial model");
}

std::string Trainer::batcher_description() const {
  return fmt::format("{}/{}/{}", options_.batch_size, options_.data.shuffle ? "shuffle" : "fixed", options_.seed);
}

const std::vector<int64_t>& Trainer::next_batch_rows() {
  const int64_t epoch_now = epoch();
  if (epoch_now != cached_epoch_) {
    epoch_batches_ = batcher_.epoch_batches(epoch_now);
    cached_epoch_ = epoch_now;
  }
  const int64_t index = batches_seen_ % batcher_.batches_per_epoch();
  ++batches_seen_;
  return epoch_batches_[static_cast<size_t>(index)];
}

void Trainer::reseed_rank_generators() {
  // Each rank draws its own dropout masks and mass-constraint latents. Their streams are derived
  // afresh for every batch from (seed, batch number, rank), so a resumed run continues them without
  // storing every rank's generator state (checkpoints hold rank 0's).
  const uint64_t batch = static_cast<uint64_t>(batches_seen_), rank_index = static_cast<uint64_t>(rank());
  const auto stream_seed = [&](uint64_t stream) {
    return derive_seed(derive_seed(derive_seed(options_.seed, stream), batch), rank_index);
  };
  model_.flow->dropout_generator() = Generator(stream_seed(kRankDropoutStream));
  mass_latent_gen_ = Generator(stream_seed(kMassLatentStream));
}

StepReport Trainer::step() {
  Flow& flow = *model_.flow;
  const NamedTensors& params = optimizer_.params();
  const NamedTensors buffers_before = clone_all(flow.named_buffers());
  flow.train();
  optimizer_.zero_grad();
  if (distributed()) reseed_rank_generators();
  if (stats_reducer_) stats_reducer_->set_what(fmt::format("the batch-norm statistics of step {}", steps_done_ + 1));
  const std::vector<int64_t>& global_rows = next_batch_rows();
  const int64_t global_batch = static_cast<int64_t>(global_rows.size());
  const dist::Shard shard = dist::shard_of(global_batch, rank(), world_size());
  const std::vector<int64_t> rows(global_rows.begin() + shard.begin, global_rows.begin() + shard.end);
  const Batch batch = gather_batch(prepared_, rows, options_.flow.context_features).to(device());
  StepReport report;
  report.jets = global_batch;

  // training-recipe.md §7.3: the sampling pass of the mass loss runs BEFORE the density pass (it updates
  // batch-norm statistics and draws dropout masks first). Outside the λ window it is still run, as
  // the reference does, but not recorded.
  Tensor mass_term;
  report.mass_loss_added = options_.mass_loss_active(steps_done_);
  if (model_uses_mass_loss(options_.model)) {
    std::optional<NoGradScope> not_recorded;
    if (!report.mass_loss_added) not_recorded.emplace();
    mass_term = mass_constraint_loss(flow, batch.context, batch.mass, scaling_, mass_latent_gen_).loss;
  }
  const Tensor nll = nll_loss(flow, batch.x, batch.context);
  // The backward pass is queued before the losses are read, so that on a GPU the passes run without a
  // host round trip in between; a non-finite loss still skips the step and is named before the gradients.
  backward(report.mass_loss_added ? nll + mass_term * options_.lambda : nll);
  if (distributed()) {
    // The losses are means over this rank's rows: weighted by rows / batch, their sums over the
    // ranks are the means over the global batch, and so are the gradients' sums. A non-finite value
    // on any rank makes the sums non-finite on every rank, so all ranks skip together.
    if (gradient_hook_) gradient_hook_(params);
    std::vector<Tensor> values{nll};
    if (mass_term.defined()) values.push_back(mass_term);
    const std::vector<double> sums = dist::all_reduce_gradients(
        *comm_, params, static_cast<double>(shard.rows()) / static_cast<double>(global_batch), values,
        fmt::format("the gradient all-reduce of step {}", steps_done_ + 1));
    report.nll = sums[0];
    if (mass_term.defined()) report.mass_loss = sums[1];
  } else {
    report.nll = nll.item();
    if (mass_term.defined()) report.mass_loss = mass_term.item();
  }
  if (!std::isfinite(report.nll)) {
    skip(report, "NLL is " + non_finite_name(report.nll), buffers_before);
    return report;
  }
  if (report.mass_loss && !std::isfinite(*report.mass_loss)) {
    skip(report, "mass loss is " + non_finite_name(*report.mass_loss), buffers_before);
    return report;
  }
  if (gradient_hook_ && !distributed()) gradient_hook_(params);
  if (!all_grads_finite(params)) {
    std::string name = "?";
    for (const NamedTensor& p : params)
      if (!all_grads_finite({p})) {
        name = p.name;
        break;
      }
    skip(report, fmt::format("gradient of {} is not finite", name), buffers_before);
    return report;
  }
  if (options_.clip_value > 0.0) clip_grad_value(params, options_.clip_value);
  // A closed form of the step count, so a resumed run continues the same schedule.
  optimizer_.set_lr(lr_schedule_.lr_at(steps_done_));
  optimizer_.step();
  ++steps_done_;
  consecutive_bad_steps_ = 0;
  return report;
}

void Trainer::skip(StepReport& report, std::string reason, const NamedTensors& buffers_before) {
  tape().clear();
  optimizer_.zero_grad();
  // Undo the batch-norm running statistics the bad passes may have poisoned.
  NamedTensors buffers = model_.flow->named_buffers();
  for (size_t i = 0; i < buffers.size(); ++i) buffers[i].tensor.copy_(buffers_before[i].tensor);
  report.skipped = true;
  report.bad_reason = std::move(reason);
  ++consecutive_bad_steps_;
  ++bad_steps_total_;
}

double Trainer::validation_loss() {
  Flow& flow = *model_.flow;
  const std::vector<int64_t>& rows = prepared_.split.validation_rows();
  if (rows.empty()) return std::nan("");
  flow.eval();
  NoGradScope no_grad;
  double sum = 0.0;
  const int64_t chunk = options_.validation_batch_size, total = static_cast<int64_t>(rows.size());
  for (int64_t begin = 0; begin < total; begin += chunk) {
    const std::vector<int64_t> part(rows.begin() + begin, rows.begin() + std::min(begin + chunk, total));
    const Batch batch = gather_batch(prepared_, part, options_.flow.context_features).to(device());
    for (double log_p : flow.log_prob(batch.x, batch.context).to_vector()) sum += log_p;
  }
  flow.train();
  return -sum / (static_cast<double>(total) * static_cast<double>(options_.flow.features));  // §7.1 per dimension
}

void Trainer::save(const std::string& path, const Attributes& extra) const {
  Attributes a = extra;
  a[kStep] = steps_done_;
  a[kBatchesSeen] = batches_seen_;
  a[kEpoch] = epoch();
  a[kConsecutiveBad] = consecutive_bad_steps_;
  a[kBadTotal] = bad_steps_total_;
  a[kFingerprint] = data_fingerprint_;
  a[kBatcher] = batcher_description();
  a[kWorldSize] = static_cast<int64_t>(world_size());
  put_generator_state(a, kDropoutGen, model_.flow->dropout_generator());
  put_generator_state(a, kMassLatentGen, mass_latent_gen_);
  save_jet_model(path, model_, a, with_prefix(kOptimPrefix, optimizer_.state()));
}

void Trainer::restore(const Checkpoint& checkpoint) {
  auto fail = [&](const std::string& what) {
    throw CheckpointError(fmt::format("{}: cannot resume from this checkpoint: {}", checkpoint.path, what));
  };
  // Everything is read and checked first; nothing changes until all checks passed.
  Attributes expected_spec, found_spec;
  put_flow_spec(expected_spec, options_.flow);
  put_flow_spec(found_spec, read_flow_spec(checkpoint));
  if (expected_spec != found_spec) fail("it was written by a run with another model configuration");
  if (checkpoint.string_attribute(kBatcher) != batcher_description())
    fail(fmt::format("its batches were drawn as {} (batch size/shuffle/seed), this run draws them as {}",
                     checkpoint.string_attribute(kBatcher), batcher_description()));
  const int64_t ranks = checkpoint.attributes.count(kWorldSize) ? checkpoint.int_attribute(kWorldSize) : 1;
  if (ranks != world_size())
    fail(fmt::format("it was written by a run of {} rank(s), this run has {}; resume with the same number of "
                     "ranks (mpirun -np {})",
                     ranks, world_size(), ranks));
  if (checkpoint.string_attribute(kFingerprint) != data_fingerprint_)
    fail("the training data differ (another file, max_jets, particles, split, noise or seed)");
  if (checkpoint.string_attribute("model.kind") != model_.kind)
    fail(
        fmt::format("it holds a {} model, this run trains {}", checkpoint.string_attribute("model.kind"), model_.kind));
  const int64_t steps = checkpoint.int_attribute(kStep), batches = checkpoint.int_attribute(kBatchesSeen);
  const int64_t consecutive = checkpoint.int_attribute(kConsecutiveBad), total = checkpoint.int_attribute(kBadTotal);
  if (steps < 0 || batches < steps || consecutive < 0 || total < consecutive)
    fail(fmt::format("inconsistent counters (step {}, batches {}, bad steps {} / {})", steps, batches, consecutive,
                     total));
  Generator dropout_gen = model_.flow->dropout_generator(), mass_gen = mass_latent_gen_;
  restore_generator_state(checkpoint, kDropoutGen, dropout_gen);
  restore_generator_state(checkpoint, kMassLatentGen, mass_gen);
  const NamedTensors state = flow_state(*model_.flow);
  check_compatible(checkpoint, state);
  optimizer_.load_state(checkpoint.tensors_under(kOptimPrefix));  // checks everything before copying

  copy_into(checkpoint, state);
  model_.flow->dropout_generator() = dropout_gen;
  mass_latent_gen_ = mass_gen;
  steps_done_ = steps;
  batches_seen_ = batches;
  consecutive_bad_steps_ = consecutive;
  bad_steps_total_ = total;
  cached_epoch_ = -1;
}

}  // namespace flowjet::flows

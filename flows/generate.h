// Generating JetNet jets from a trained jet model (training-recipe.md §9): conditions from the model's
// sampler (or given), latent draws, the inverse flow in batches, inverse scaling and the
// post-processing that turns flow outputs into jets in the JetNet layout (jet-samples.md §1.3–1.4).
//
// What a generated jet holds (see docs/sampling.md):
//  * particle slots: a slot is a real particle when its pt_rel is > 0 after negative values are
//    clipped to 0 (training-recipe.md §9.6) and, for (m, n) models, its slot index is < the condition's n
//    (§9.5). Real particles come first, ordered by decreasing pt_rel (the JetNet layout; every
//    metric is invariant under this reordering), mask 1; the other slots are all zero, mask 0.
//    VNF and (m) models have no n, so every slot with pt_rel > options.min_pt_rel (default 0: as
//    jetnet, whose metrics count every non-zero particle) is real, padding noise included.
//  * jet features: pt = options.jet_pt (GeV; pt_rel is relative to the jet pt, which the model
//    does not know), eta = 0 (the relative frame's axis), mass = relative mass of the real
//    particles (jet-samples.md §1.5) times jet_pt, num_particles = the number of real particles.
//  * rows are in random order (the sampler groups its draws by n; they are shuffled).
// Reproducibility: the same model, count, conditions and seed give the same jets, bit for bit on
// the CPU, whatever batch_size is: jet i's latent vector is elements [i·D, (i+1)·D) of one
// standard-normal Philox stream, and jet i's condition is row i of the drawn conditions, which do
// not depend on the batching either.
// Memory: generate_jet_batches hands each batch to a sink (e.g. a data::JetNetStreamWriter), so
// only one batch of jets is alive; generate_jets collects them all. Drawn conditions (models
// conditioned on m or (m, n)) are made in blocks of options.condition_block jets (2^20): the
// sampler groups its draws by n and the shuffle that mixes them needs a whole block, so one block
// is alive at a time (12 bytes per jet, about 32 while drawing: 34 MB at most), whatever the
// count. Block 0 comes from the generation seed, block b from a seed derived from it and b; up to
// one block of jets the conditions are one draw of `count` rows. Given conditions are cycled, not
// copied.
// Device: the flow runs where its parameters are (model.flow->to(Device::CUDA) moves it); conditions
// and latent rows are drawn on the host and copied to that device once per batch, and each batch's
// output comes back to the host for the post-processing. A CUDA run draws the same latent vectors
// as a CPU run, so its jets differ only by the backends' rounding.
#pragma once

#include <cstdint>
#include <functional>

#include "data/jet_set.h"
#include "flows/conditional_sampler.h"
#include "flows/io/jet_model.h"

namespace flowjet::flows {

struct GenerateOptions {
  /// Jets per pass through the flow; bounds the memory of the flow's tensors.
  int64_t batch_size = 10000;
  uint64_t seed = 42;
  /// The jet pt written to jet_features (GeV), also the scale of the written mass.
  double jet_pt = 1000.0;
  /// Slots whose pt_rel (after clipping) is not above this are padding; raise it (e.g. 1e-5) to
  /// drop the near-zero slots that VNF and (m) models produce where the data had padding.
  double min_pt_rel = 0.0;
  /// Drawn conditions are made this many jets at a time (see "Memory" above); a different value
  /// gives other conditions for counts above it.
  int64_t condition_block = int64_t{1} << 20;
  /// Called after each batch with (jets done, jets in total); may be empty.
  std::function<void(int64_t done, int64_t total)> progress;
};

/// Receives the jets of one batch: `batch` holds output rows [first, first + batch.jets).
using JetBatchSink = std::function<void(const data::JetSet& batch, int64_t first)>;

/// Generates `count` jets: conditions drawn from the model's sampler (m~ clamped from below at
/// model.scaled_zero_mass), none for an unconditioned flow. The flow is put in eval mode for the
/// call and returned to its previous mode. Throws flowjet::ConfigError for count < 1 or
/// batch_size < 1 and flowjet::NumericError when the flow produces a non-finite value (naming
/// the jet).
data::JetSet generate_jets(JetModel& model, int64_t count, const GenerateOptions& options);

/// Generates one jet per row of `conditions` (m~ scaled as the model's scaler does, n raw), e.g.
/// from read_conditions_file. Throws flowjet::ConfigError when the flow is unconditioned, when
/// conditions is empty, or when an n lies outside 1..P for an (m, n) model.
data::JetSet generate_jets(JetModel& model, const SampledConditions& conditions, const GenerateOptions& options);

/// The jets of generate_jets(model, count, options), handed to `sink` batch by batch in row order
/// (batches of options.batch_size jets, the last one possibly smaller). Throws as generate_jets,
/// and whatever `sink` throws (which stops the generation).
void generate_jet_batches(JetModel& model, int64_t count, const GenerateOptions& options, const JetBatchSink& sink);

/// `count` jets from given conditions, batch by batch into `sink`: jet i uses conditions[i mod
/// size], so count must be a positive multiple of the number of conditions (k jets per condition,
/// the talk's oversampling). The same jets as generate_jets(model, repeat_conditions(conditions,
/// count), options) without the repeated copy. Throws as generate_jets with conditions, and
/// flowjet::ConfigError when count is not such a multiple.
void generate_jet_batches(JetModel& model, const SampledConditions& conditions, int64_t count,
                          const GenerateOptions& options, const JetBatchSink& sink);

/// A sink that copies each batch into its rows of `jets`, which must already hold every row (e.g.
/// data::JetSet::zeros(count, model.particles, generated_jet_type(model))).
JetBatchSink collect_into(data::JetSet& jets);

/// The jet type written for a model's jets: the checkpoint's, or g when it names none.
data::JetType generated_jet_type(const JetModel& model);

/// The conditions generate_jets(model, count, options) uses, in row order (exposed for tests and
/// for writing them next to the jets): the blocks of options.condition_block rows one after the
/// other. Throws flowjet::ConfigError for an unconditioned flow.
SampledConditions draw_generation_conditions(const JetModel& model, int64_t count, const GenerateOptions& options);

/// Latent rows [first, first + rows) of the standard-normal stream of `seed`: row i is elements
/// [i·features, (i+1)·features) of one draw over all rows, independent of how rows are batched.
Tensor latent_rows(uint64_t seed, int64_t first, int64_t rows, int64_t features, DType dtype);

}  // namespace flowjet::flows

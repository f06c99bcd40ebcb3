// Jet generation (training-recipe.md §9): conditions, batched inverse flow, inverse scaling, and the
// post-processing into the JetNet layout described in generate.h.
#include "flows/generate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "data/jet_kinematics.h"
#include "engine/core/error.h"
#include "engine/random/derive_seed.h"
#include "engine/random/sequential_rng.h"
#include "flows/eval_scope.h"

namespace flowjet::flows {

namespace {

// Stream tags mixed into the generation seed: conditions, their shuffle, latent vectors.
constexpr uint64_t kConditionStream = 101;
constexpr uint64_t kShuffleStream = 102;
constexpr uint64_t kLatentStream = 103;
constexpr uint64_t kConditionBlockStream = 104;  // the seeds of condition blocks 1, 2, ...

bool is_conditioned(const JetModel& model) { return model.flow->spec().context_features > 0; }

// One jet from its unscaled flow row x [3P] (eta, phi, pt per slot): clip negative pt_rel, keep
// slots < limit with pt_rel > min_pt_rel as real particles, order them by decreasing pt_rel, zero
// the rest.
void fill_jet(const double* x, int64_t limit, const GenerateOptions& options, data::JetSet& jets, int64_t row) {
  struct Particle {
    double eta, phi, pt;
  };
  std::vector<Particle> real;
  real.reserve(static_cast<size_t>(limit));
  for (int64_t k = 0; k < limit; ++k) {
    const double pt = std::max(x[3 * k + 2], 0.0);  // training-recipe.md §9.6
    if (pt > options.min_pt_rel) real.push_back({x[3 * k], x[3 * k + 1], pt});
  }
  std::stable_sort(real.begin(), real.end(), [](const Particle& a, const Particle& b) { return a.pt > b.pt; });
  for (int64_t k = 0; k < static_cast<int64_t>(real.size()); ++k) {
    const Particle& p = real[static_cast<size_t>(k)];
    jets.particle(row, k, data::kEtaRel) = static_cast<float>(p.eta);
    jets.particle(row, k, data::kPhiRel) = static_cast<float>(p.phi);
    jets.particle(row, k, data::kPtRel) = static_cast<float>(p.pt);
    jets.particle(row, k, data::kMask) = 1.0f;
  }
  jets.jet(row, data::kJetPt) = static_cast<float>(options.jet_pt);
  jets.jet(row, data::kJetEta) = 0.0f;
  jets.jet(row, data::kJetMass) = static_cast<float>(data::relative_jet_mass(jets, row) * options.jet_pt);
  jets.jet(row, data::kJetNumParticles) = static_cast<float>(real.size());
}

void check_options(int64_t count, const GenerateOptions& options) {
  if (count < 1) throw ConfigError(fmt::format("generate_jets: the number of jets must be >= 1, got {}", count));
  if (options.batch_size < 1)
    throw ConfigError(fmt::format("generate_jets: batch_size must be >= 1, got {}", options.batch_size));
  if (!(options.jet_pt > 0.0) || !std::isfinite(options.jet_pt))
    throw ConfigError(fmt::format("generate_jets: jet_pt must be a positive number of GeV, got {}", options.jet_pt));
  if (!(options.min_pt_rel >= 0.0))
    throw ConfigError(fmt::format("generate_jets: min_pt_rel must be >= 0, got {}", options.min_pt_rel));
  if (options.condition_block < 1)
    throw ConfigError(fmt::format("generate_jets: condition_block must be >= 1, got {}", options.condition_block));
}

// One drawn block of conditions: `rows` rows from the sampler, shuffled (the sampler groups rows by
// n; the shuffle makes any prefix a fair sample).
SampledConditions draw_condition_block(const JetModel& model, int64_t rows, uint64_t seed) {
  SequentialRng rng(derive_seed(seed, kConditionStream));
  SampledConditions grouped = model.sampler->draw(rows, rng, model.scaled_zero_mass);
  std::vector<int64_t> order(static_cast<size_t>(rows));
  std::iota(order.begin(), order.end(), int64_t{0});
  SequentialRng(derive_seed(seed, kShuffleStream)).shuffle(order);
  SampledConditions out;
  out.mass.reserve(order.size());
  out.n.reserve(order.size());
  for (int64_t i : order) {
    out.mass.push_back(grouped.mass[static_cast<size_t>(i)]);
    out.n.push_back(grouped.n[static_cast<size_t>(i)]);
  }
  return out;
}

// Condition rows of generated jets: drawn block by block (one block kept), or given and cycled.
class ConditionRows {
 public:
  // Drawn: `count` jets in blocks of options.condition_block.
  ConditionRows(const JetModel& model, int64_t count, const GenerateOptions& options)
      : model_(&model), count_(count), block_rows_(options.condition_block), seed_(options.seed) {}
  // Given: row i is conditions[i mod size].
  explicit ConditionRows(const SampledConditions& given) : given_(&given) {}

  /// The conditions of jets [first, first + rows).
  SampledConditions rows(int64_t first, int64_t rows) {
    SampledConditions out;
    out.mass.reserve(static_cast<size_t>(rows));
    out.n.reserve(static_cast<size_t>(rows));
    for (int64_t i = first; i < first + rows; ++i) {
      const SampledConditions& source = given_ ? *given_ : block_holding(i);
      const size_t row = static_cast<size_t>(given_ ? i % given_->size() : i % block_rows_);
      out.mass.push_back(source.mass[row]);
      out.n.push_back(source.n[row]);
    }
    return out;
  }

 private:
  const SampledConditions& block_holding(int64_t jet) {
    const int64_t b = jet / block_rows_;
    if (b != cached_block_) {
      // Block 0 uses the generation seed itself, so up to one block nothing depends on the blocking.
      const uint64_t seed =
          b == 0 ? seed_ : derive_seed(derive_seed(seed_, kConditionBlockStream), static_cast<uint64_t>(b));
      block_ = SampledConditions();  // freed before the next draw: one block alive at a time
      block_ = draw_condition_block(*model_, std::min(block_rows_, count_ - b * block_rows_), seed);
      cached_block_ = b;
    }
    return block_;
  }

  const SampledConditions* given_ = nullptr;
  const JetModel* model_ = nullptr;
  int64_t count_ = 0, block_rows_ = 1;
  uint64_t seed_ = 0;
  int64_t cached_block_ = -1;
  SampledConditions block_;
};

// The shared loop: `conditions` is null for an unconditioned flow.
void generate(JetModel& model, int64_t count, ConditionRows* conditions, const GenerateOptions& options,
              const JetBatchSink& sink) {
  check_options(count, options);
  model.check("generate_jets");
  Flow& flow = *model.flow;
  EvalScope eval(flow);
  const FlowSpec& spec = flow.spec();
  const Device device = flow.device();
  const int64_t P = model.particles, D = spec.features, C = spec.context_features;
  const bool zero_beyond_n = C == 2;  // training-recipe.md §9.5: (m, n) models only
  const uint64_t latent_seed = derive_seed(options.seed, kLatentStream);
  const data::JetType type = generated_jet_type(model);

  for (int64_t first = 0; first < count; first += options.batch_size) {
    const int64_t rows = std::min(options.batch_size, count - first);
    SampledConditions batch_conditions;
    Tensor context;
    if (conditions) {
      // context: [rows, C], the batch's condition rows (as float, like every context row)
      batch_conditions = conditions->rows(first, rows);
      const std::vector<float> context_rows = batch_conditions.context(static_cast<int>(C));
      context = Tensor::from_vector(std::vector<double>(context_rows.begin(), context_rows.end()), Shape{rows, C},
                                    spec.dtype)
                    .to(device);
    }
    // x: [rows, 3P], flow output mapped back to physical units (training-recipe.md §9.3–§9.4); the latent rows are
    // drawn on the host (batch-independent) and copied to the flow's device
    const Tensor z = latent_rows(latent_seed, first, rows, D, spec.dtype).to(device);
    std::vector<double> x = flow.sample(z, context).to_vector();
    model.scaler.inverse(x.data(), rows, D, 0);
    data::JetSet jets = data::JetSet::zeros(rows, P, type);
    for (int64_t r = 0; r < rows; ++r) {
      const double* row = x.data() + r * D;
      const auto bad = std::find_if(row, row + D, [](double v) { return !std::isfinite(v); });
      if (bad != row + D) {
        throw NumericError(fmt::format("generate_jets: the flow produced a non-finite value ({}) for jet {}, feature {}",
                                       *bad, first + r, bad - row));
      }
      const int64_t limit = zero_beyond_n ? batch_conditions.n[static_cast<size_t>(r)] : P;
      fill_jet(row, limit, options, jets, r);
    }
    sink(jets, first);
    if (options.progress) options.progress(first + rows, count);
  }
}

// Checks given conditions against the model; count is the number of jets cycled over them.
void check_given_conditions(const JetModel& model, const SampledConditions& conditions, int64_t count) {
  if (!is_conditioned(model))
    throw ConfigError("generate_jets: conditions were given but the model is unconditioned (VNF)");
  if (conditions.size() == 0) throw ConfigError("generate_jets: no conditions given");
  if (conditions.mass.size() != conditions.n.size())
    throw ConfigError(fmt::format("generate_jets: {} masses but {} multiplicities", conditions.mass.size(),
                                  conditions.n.size()));
  if (count < 1 || count % conditions.size() != 0)
    throw ConfigError(fmt::format("{} jets cannot be spread evenly over {} conditions (use a multiple of {})", count,
                                  conditions.size(), conditions.size()));
  if (model.flow->spec().context_features == 2) {
    for (int64_t i = 0; i < conditions.size(); ++i) {
      const int32_t n = conditions.n[static_cast<size_t>(i)];
      if (n < 1 || n > model.particles)
        throw ConfigError(fmt::format("generate_jets: condition {} has n = {}, expected 1..{}", i, n, model.particles));
    }
  }
}

// All rows in memory, through collect_into.
data::JetSet collect(const JetModel& model, int64_t count, const std::function<void(const JetBatchSink&)>& run) {
  data::JetSet jets = data::JetSet::zeros(count, model.particles, generated_jet_type(model));
  run(collect_into(jets));
  return jets;
}

}  // namespace

Tensor latent_rows(uint64_t seed, int64_t first, int64_t rows, int64_t features, DType dtype) {
  // A Philox block holds 4 words: 4 f32 or 2 f64 elements (both even, so Box-Muller pairs stay
  // aligned). Start at the block holding element first·features and drop the leading elements.
  const int64_t per_block = dtype == DType::F32 ? 4 : 2;
  const int64_t start = first * features;
  const int64_t aligned = start - start % per_block;
  Generator gen(seed, static_cast<uint64_t>(aligned / per_block));
  Tensor drawn = random_normal(Shape{start - aligned + rows * features}, gen, dtype);
  Tensor z = Tensor::empty(Shape{rows, features}, dtype);
  const size_t element = dtype_size(dtype);
  std::memcpy(z.raw_data(), static_cast<const char*>(drawn.raw_data()) + (start - aligned) * element,
              static_cast<size_t>(rows * features) * element);
  return z;
}

SampledConditions draw_generation_conditions(const JetModel& model, int64_t count, const GenerateOptions& options) {
  check_options(count, options);
  if (!is_conditioned(model) || !model.sampler)
    throw ConfigError("generate_jets: the model is unconditioned (VNF), it has no conditions to draw");
  return ConditionRows(model, count, options).rows(0, count);
}

data::JetType generated_jet_type(const JetModel& model) {
  return data::parse_jet_type(model.jet_type).value_or(data::JetType::G);
}

JetBatchSink collect_into(data::JetSet& jets) {
  return [&jets](const data::JetSet& batch, int64_t first) {
    if (batch.particles != jets.particles || first < 0 || first + batch.jets > jets.jets)
      throw ShapeError(fmt::format("collect_into: a batch of {} jets x {} particles at row {} does not fit {} x {}",
                                   batch.jets, batch.particles, first, jets.jets, jets.particles));
    std::copy(batch.particle_features.begin(), batch.particle_features.end(),
              jets.particle_features.begin() + first * jets.particles * data::kParticleFeatureCount);
    std::copy(batch.jet_features.begin(), batch.jet_features.end(),
              jets.jet_features.begin() + first * data::kJetFeatureCount);
  };
}

void generate_jet_batches(JetModel& model, int64_t count, const GenerateOptions& options, const JetBatchSink& sink) {
  check_options(count, options);
  if (!is_conditioned(model)) return generate(model, count, nullptr, options, sink);
  if (!model.sampler) throw ConfigError("generate_jets: the model has no conditional sampler to draw conditions from");
  ConditionRows drawn(model, count, options);
  generate(model, count, &drawn, options, sink);
}

void generate_jet_batches(JetModel& model, const SampledConditions& conditions, int64_t count,
                          const GenerateOptions& options, const JetBatchSink& sink) {
  check_given_conditions(model, conditions, count);
  ConditionRows cycled(conditions);
  generate(model, count, &cycled, options, sink);
}

data::JetSet generate_jets(JetModel& model, int64_t count, const GenerateOptions& options) {
  check_options(count, options);
  return collect(model, count, [&](const JetBatchSink& sink) { generate_jet_batches(model, count, options, sink); });
}

data::JetSet generate_jets(JetModel& model, const SampledConditions& conditions, const GenerateOptions& options) {
  check_given_conditions(model, conditions, conditions.size());
  return collect(model, conditions.size(),
                 [&](const JetBatchSink& sink) { generate_jet_batches(model, conditions, conditions.size(), options, sink); });
}

}  // namespace flowjet::flows

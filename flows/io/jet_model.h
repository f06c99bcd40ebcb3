// A trained jet model as one file: the flow, the standard scaler that maps jets to the flow's
// space and back, the conditional sampler that draws (m~, n) for generation, and what the
// pipeline needs to turn flow outputs into JetNet jets (training-recipe.md §9). bin/sample, bin/inspect,
// the trainer and the embedding API all read and write this bundle.
//
// Checkpoint layout beside the flow's own tensors and "flow.*" attributes:
//   aux/scaler/{mean,std}                          f64 [3P + 1]
//   aux/sampler/{multiplicities,counts,masses}     f64 (absent for an unconditioned flow
//                                                  trained without a sampler)
//   attributes model.kind (e.g. "cnf_mn"), model.particles (P), model.scaled_zero_mass (m~_min),
//              model.jet_type ("g", "q", "t" or "")
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "data/standard_scaler.h"
#include "flows/conditional_sampler.h"
#include "flows/io/flow_checkpoint.h"

namespace flowjet::flows {

struct JetModel {
  std::unique_ptr<Flow> flow;
  data::StandardScaler scaler;
  std::optional<ConditionalSampler> sampler;
  std::string kind;          // "vnf", "cnf_m", "cnf_mn", "ccnf_m", "ccnf_mn" (or "" when imported)
  int64_t particles = 30;    // P: the flow has 3P features
  double scaled_zero_mass = 0.0;
  std::string jet_type;      // "g", "q", "t" or "" when unknown

  /// Attributes and aux tensors of this bundle (without the flow's own), for save_flow.
  Attributes attributes() const;
  NamedTensors aux_tensors() const;
  /// Checks the parts agree (3P features, scaler columns 3P + 1, sampler present when the flow is
  /// conditioned); throws CheckpointError naming `origin`.
  void check(const std::string& origin) const;
};

/// Writes the bundle atomically; `extra_attributes`/`extra_tensors` (e.g. training state) go with it.
void save_jet_model(const std::string& path, const JetModel& model, const Attributes& extra_attributes = {},
                    const NamedTensors& extra_tensors = {});
/// Rebuilds the bundle from a checkpoint (flow in eval mode); throws CheckpointError naming the file
/// and the missing or malformed part: an attribute of another type, an unknown model.kind or
/// model.jet_type (listing the allowed ones), model.particles outside 1..1000, a non-finite weight,
/// scaler mean or sampler mass, a scaler std that is not positive and finite, a mask that is not
/// 0/1, or a tensor that belongs to no part (restore_flow).
JetModel restore_jet_model(const Checkpoint& checkpoint);
JetModel load_jet_model(const std::string& path);

/// NamedArrays <-> f64 tensors under `prefix` (the serialisation hooks of the scaler and sampler).
NamedTensors arrays_to_tensors(const std::string& prefix, const data::NamedArrays& arrays);
data::NamedArrays arrays_from_checkpoint(const Checkpoint& checkpoint, const std::string& prefix);

}  // namespace flowjet::flows

// jet_log_prob: training's preprocessing without noise, then the flow's log density, in batches.
#include "flows/jet_log_prob.h"

#include <fmt/format.h>

#include <algorithm>

#include "data/jet_kinematics.h"
#include "engine/autograd/recording.h"
#include "engine/core/error.h"
#include "flows/eval_scope.h"

namespace flowjet::flows {

std::vector<double> jet_log_prob(JetModel& model, const data::JetSet& jets, int64_t batch_size) {
  model.check("jet_log_prob");
  if (jets.particles != model.particles)
    throw ShapeError(fmt::format("jet_log_prob: the jets have {} particles per jet but the model expects {}",
                                 jets.particles, model.particles));
  if (jets.particle_features.size() != static_cast<size_t>(jets.jets * jets.particles * 4) ||
      jets.jet_features.size() != static_cast<size_t>(jets.jets * 4))
    throw ShapeError(fmt::format("jet_log_prob: {} jets x {} particles need {} particle and {} jet values, got {} and {}",
                                 jets.jets, jets.particles, jets.jets * jets.particles * 4, jets.jets * 4,
                                 jets.particle_features.size(), jets.jet_features.size()));
  if (batch_size < 1) throw ConfigError(fmt::format("jet_log_prob: batch_size must be >= 1, got {}", batch_size));

  Flow& flow = *model.flow;
  EvalScope eval(flow);
  NoGradScope no_grad;
  const FlowSpec& spec = flow.spec();
  const int64_t P = model.particles, D = 3 * P, C = spec.context_features;
  std::vector<double> out;
  out.reserve(static_cast<size_t>(jets.jets));
  for (int64_t first = 0; first < jets.jets; first += batch_size) {
    const int64_t rows = std::min(batch_size, jets.jets - first);
    // x: [rows, 3P] scaled particle columns; context: [rows, C] = [m~] or [m~, n]
    std::vector<double> x(static_cast<size_t>(rows * D));
    std::vector<double> context(static_cast<size_t>(rows * std::max<int64_t>(C, 0)));
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t jet = first + r;
      for (int64_t k = 0; k < P; ++k)
        for (int f = 0; f < 3; ++f) x[static_cast<size_t>(r * D + 3 * k + f)] = jets.particle(jet, k, f);
      if (C > 0) {
        const double mass = data::clamped_jet_mass(&jets.particle_features[static_cast<size_t>(jet * P * 4)], P, 4);
        context[static_cast<size_t>(r * C)] = model.scaler.transform(mass, D);
        if (C == 2) context[static_cast<size_t>(r * C + 1)] = static_cast<double>(jets.real_particles(jet));
      }
    }
    model.scaler.transform(x.data(), rows, D, 0);
    // assembled on the host, copied once to the flow's device
    const Tensor context_tensor =
        C > 0 ? Tensor::from_vector(context, Shape{rows, C}, spec.dtype).to(flow.device()) : Tensor();
    const std::vector<double> log_p =
        flow.log_prob(Tensor::from_vector(x, Shape{rows, D}, spec.dtype).to(flow.device()), context_tensor).to_vector();
    out.insert(out.end(), log_p.begin(), log_p.end());
  }
  return out;
}

}  // namespace flowjet::flows

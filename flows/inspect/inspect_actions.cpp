// bin/inspect's actions (inspect_actions.h).
#include "flows/inspect/inspect_actions.h"

#include <vector>

#include <fmt/format.h>

#include "engine/random/generator.h"
#include "engine/random/sequential_rng.h"
#include "flows/inspect/flow_trace.h"
#include "flows/inspect/inspect_page.h"
#include "flows/inspect/model_summary.h"
#include "flows/inspect/spline_curve.h"

namespace flowjet::flows {

std::string InspectJet::description() const {
  return data ? fmt::format("jet {} of {}", index, *data) : fmt::format("random jet {}", index);
}

FlowInputs inspect_jet(const OpenedModel& opened, const InspectJet& jet, const InspectNote& note) {
  if (jet.data) return read_flow_inputs(opened, *jet.data, jet.index, 1);
  Flow& flow = opened.flow();
  const FlowSpec& spec = flow.spec();
  const auto seed = static_cast<uint64_t>(jet.index);
  FlowInputs point;
  if (spec.context_features > 0) {
    std::vector<double> c(static_cast<std::size_t>(spec.context_features), 0.0);
    if (opened.model.sampler) {
      SequentialRng rng(seed);
      const std::vector<float> drawn = opened.model.sampler->draw(1, rng, opened.model.scaled_zero_mass)
                                           .context(static_cast<int>(spec.context_features));
      c.assign(drawn.begin(), drawn.end());
    }
    point.context = Tensor::from_vector(c, Shape{1, spec.context_features}, spec.dtype);
  }
  Generator gen(seed);
  point.x = flow.sample(1, point.context, gen);
  if (note)
    note(fmt::format("random jet {} (z ~ N(0, I) seeded with {}, mapped to data{})", jet.index, jet.index,
                     spec.context_features <= 0 ? ""
                     : opened.model.sampler     ? "; condition from the model's sampler"
                                                : "; context zero, the file has no sampler"));
  return point;
}

std::string describe_model(const std::string& path, const OpenedModel& opened) {
  if (!opened.is_jet_model) return fmt::format("{}: flow checkpoint", path);
  const JetModel& m = opened.model;
  return fmt::format("{}: jet model \"{}\" ({} jets, {} particles, {})", path, m.kind,
                     m.jet_type.empty() ? "?" : m.jet_type, m.particles,
                     m.sampler ? "with conditional sampler" : "no sampler");
}

std::string format_overview(const Flow& flow, const std::string& title, int depth) {
  return fmt::format("{}\n{}\nHyper-parameters:\n{}", title, format_summary(summarize_flow(flow), depth),
                     format_hyperparameters(flow.spec()));
}

std::string inspect_trace(const OpenedModel& opened, const InspectJet& jet, int values_shown,
                          const InspectNote& note) {
  const FlowInputs point = inspect_jet(opened, jet, note);
  return format_trace(trace_flow(opened.flow(), point.x, point.context), values_shown);
}

std::string inspect_spline_csv(const OpenedModel& opened, const InspectJet& jet, int64_t layer, int64_t feature,
                               int64_t grid_points, const InspectNote& note) {
  const FlowInputs point = inspect_jet(opened, jet, note);
  return spline_csv(spline_curve(opened.flow(), layer, feature, point.x, point.context, grid_points));
}

std::string inspect_html(const std::string& path, const OpenedModel& opened, const InspectJet& jet, int depth,
                         const std::optional<std::pair<int64_t, int64_t>>& spline, const InspectNote& note) {
  const FlowInputs point = inspect_jet(opened, jet, note);
  InspectPageOptions options;
  options.model_description = describe_model(path, opened);
  options.jet_description = jet.description();
  options.depth = depth;
  options.spline = spline;
  if (opened.is_jet_model) options.scaler = &opened.model.scaler;
  return inspect_page(opened.flow(), point.x, point.context, options);
}

}  // namespace flowjet::flows

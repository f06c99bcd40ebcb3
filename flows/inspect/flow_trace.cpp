// trace_flow: Flow::trace in both directions plus the running log-probability (flow-model.md §4.2).
#include "flows/inspect/flow_trace.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/core/error.h"
#include "flows/coupling/coupling_transform.h"

namespace flowjet::flows {

namespace {

double base_log_prob(const Tensor& h) { return standard_normal_log_prob(h).to_vector().at(0); }

// One step per layer trace (backward traces run from the last layer to the first). Forward:
// log p = log N(h) + sum log|det|; backward from z with base = log N(z): log p = base - sum inverse log|det|.
std::vector<TraceStep> steps_of(Flow& flow, const std::vector<LayerTrace>& traces, bool backward, double base) {
  std::vector<TraceStep> steps;
  double sum = 0.0;
  const int64_t L = flow.num_layers();
  for (std::size_t i = 0; i < traces.size(); ++i) {
    TraceStep s;
    s.layer = backward ? L - 1 - static_cast<int64_t>(i) : static_cast<int64_t>(i);
    CouplingTransform& layer = flow.layer(s.layer);
    s.held = layer.identity_features();
    s.transformed = layer.transform_features();
    s.before = traces[i].inputs.to_vector();
    s.after = traces[i].outputs.to_vector();
    s.logabsdet = traces[i].logabsdet.to_vector().at(0);
    sum += s.logabsdet;
    s.running_log_prob = backward ? base - sum : base_log_prob(traces[i].outputs) + sum;
    steps.push_back(std::move(s));
  }
  return steps;
}

std::string index_list(const std::vector<int64_t>& indices, std::size_t shown = 12) {
  std::vector<int64_t> head(indices.begin(), indices.begin() + static_cast<std::ptrdiff_t>(std::min(shown, indices.size())));
  return fmt::format("[{}{}]", fmt::join(head, ", "), indices.size() > shown ? ", ..." : "");
}

std::string format_steps(const std::vector<TraceStep>& steps, int values_shown) {
  std::string out;
  for (const TraceStep& s : steps) {
    out += fmt::format("layer {:>3}: {} held {}, {} transformed {}\n", s.layer, s.held.size(), index_list(s.held),
                       s.transformed.size(), index_list(s.transformed));
    const std::size_t shown = std::min<std::size_t>(static_cast<std::size_t>(std::max(values_shown, 0)), s.transformed.size());
    for (std::size_t k = 0; k < shown; ++k) {
      const auto f = static_cast<std::size_t>(s.transformed[k]);
      out += fmt::format("    feature {:>4}: {:>14.8f} -> {:>14.8f}\n", f, s.before[f], s.after[f]);
    }
    out += fmt::format("    log|det| = {:.10g}   running log p = {:.10g}\n", s.logabsdet, s.running_log_prob);
  }
  return out;
}

std::string values(const std::vector<double>& v, std::size_t shown = 6) {
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < std::min(shown, v.size()); ++i) parts.push_back(fmt::format("{:.6g}", v[i]));
  return fmt::format("[{}{}]", fmt::join(parts, ", "), v.size() > shown ? ", ..." : "");
}

}  // namespace

FlowTraceReport trace_flow(Flow& flow, const Tensor& x, const Tensor& context) {
  if (x.ndim() != 2 || x.size(0) != 1)
    throw ShapeError(fmt::format("trace_flow: traces one row, got input {}", x.shape().str()));
  NoGradScope no_grad;
  FlowTraceReport report;
  report.input = x.to_vector();
  if (context.defined()) report.context = context.to_vector();
  report.input_base_log_prob = base_log_prob(x);
  const std::vector<LayerTrace> forward = flow.trace(x, context, false);
  report.forward = steps_of(flow, forward, false, 0.0);
  const Tensor z = forward.back().outputs;
  report.latent = z.to_vector();
  const std::vector<LayerTrace> backward = flow.trace(z, context, true);
  report.backward = steps_of(flow, backward, true, base_log_prob(z));
  report.reconstructed = backward.back().outputs.to_vector();
  report.log_prob = flow.log_prob(x, context).to_vector().at(0);
  return report;
}

std::string format_trace(const FlowTraceReport& r, int values_shown) {
  std::string out = fmt::format("input x ({} features): {}\n", r.input.size(), values(r.input));
  if (!r.context.empty()) out += fmt::format("context c: {}\n", values(r.context, r.context.size()));
  out += "\nforward, data -> latent (running log p = log N(h; 0, I) + sum of log|det| so far)\n";
  out += format_steps(r.forward, values_shown);
  out += fmt::format("latent z: {}\nlog p(x | c) = {:.10g}\n", values(r.latent), r.log_prob);
  out += "\nbackward, latent -> data (running log p = log N(z; 0, I) - sum of inverse log|det| so far)\n";
  out += format_steps(r.backward, values_shown);
  double error = 0.0;
  for (std::size_t i = 0; i < r.input.size(); ++i) error = std::max(error, std::fabs(r.reconstructed[i] - r.input[i]));
  out += fmt::format("reconstructed x: {}\nmax |f^-1(f(x)) - x| = {:.3g}\n", values(r.reconstructed), error);
  return out;
}

}  // namespace flowjet::flows

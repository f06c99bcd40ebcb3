// Metric table entries of W1M, W1P and W1EFP (w1_metrics.h): the talk's columns as mean ± std in
// scaled units, the JSON's per-component arrays and per-batch values.
#include <algorithm>
#include <functional>

#include <fmt/format.h>

#include "metrics/jets/efp.h"
#include "metrics/evaluation/evaluation.h"
#include "metrics/report/json_writer.h"
#include "metrics/w1/w1_metrics.h"

namespace flowjet::metrics {

namespace {

using W1Field = std::optional<BatchedMetric> EvaluationResult::*;

// The five n = 4, d = 4 EFPs (W1EFP's) out of the 36 with d <= 4: [rows, 5].
std::vector<double> n4d4_columns(const FeatureMatrix& efps) {
  std::vector<double> out(static_cast<size_t>(efps.rows * kNumEfpN4D4));
  for (int64_t r = 0; r < efps.rows; ++r)
    for (int k = 0; k < kNumEfpN4D4; ++k)
      out[static_cast<size_t>(r * kNumEfpN4D4 + k)] = efps.values[static_cast<size_t>(r * efps.cols + kEfpN4D4InD4[k])];
  return out;
}

// Batches larger than the samples they are drawn from: indices repeat (not under the full preset,
// which uses every jet once).
std::optional<std::string> w1_size_warning(const EvaluationResult& result) {
  const EvalSettings& s = result.settings;
  if (s.preset == Preset::Full || std::min(result.real_jets, result.gen_jets) >= s.w1_batch_size) return std::nullopt;
  return fmt::format("preset {}: W1 batches of {} jets are drawn with replacement from samples of {} real and {} "
                     "generated jets, so jets repeat within a batch",
                     preset_name(s.preset), s.w1_batch_size, result.real_jets, result.gen_jets);
}

void write_components(JsonWriter& json, const std::optional<BatchedMetric>& metric) {
  if (!metric) {
    json.null();
    return;
  }
  json.begin_object();
  json.key("names").value(metric->component_names);
  json.key("mean").value(metric->mean);
  json.key("std").value(metric->std);
  json.end_object();
}

void write_batches(JsonWriter& json, const std::optional<BatchedMetric>& metric) {
  if (!metric) {
    json.null();
    return;
  }
  json.begin_array();
  for (const auto& values : metric->batch_values) json.value(values);
  json.end_array();
}

// The parts every W1 entry shares: `label` and `key` name it ("W1P", "w1p"); `scale` and `note`
// give the talk's unit (1e3, "×10⁻³"); `components_key` names its per-component JSON array, if any.
MetricEntry w1_entry(const std::string& key, const std::string& summary, const std::string& label, double scale,
                     const std::string& note, W1Field field, const std::string& components_key) {
  MetricEntry entry;
  entry.name = key;
  entry.summary = summary;
  entry.size_warning = w1_size_warning;
  entry.warnings = [field](const EvaluationResult& r) {
    return r.*field ? (r.*field)->warnings : std::vector<std::string>{};
  };
  MetricColumn column;
  column.label = label;
  column.scale_note = note;
  column.json_key = key;
  column.has_error = true;
  column.value = [field](const EvaluationResult& r) -> std::optional<ValueWithError> {
    if (!(r.*field)) return std::nullopt;
    return quoted(*(r.*field));
  };
  column.cell = [scale](const ValueWithError& q) {
    return fmt::format("{:.2f} ± {:.2f}", q.value * scale, q.error * scale);
  };
  entry.columns = {column};
  using Write = std::function<void(JsonWriter&, const EvaluationResult&)>;
  const Write components = [field](JsonWriter& json, const EvaluationResult& r) { write_components(json, r.*field); };
  const Write batches = [field](JsonWriter& json, const EvaluationResult& r) { write_batches(json, r.*field); };
  if (!components_key.empty()) entry.json_fields.push_back({components_key, JsonBlock::Components, components});
  entry.json_fields.push_back({key + "_batches", JsonBlock::Details, batches});
  return entry;
}

}  // namespace

MetricEntry w1m_metric() {
  MetricEntry entry = w1_entry("w1m", "W1 distance of the jet mass", "W1M", 1e3, "×10⁻³", &EvaluationResult::w1m, "");
  entry.compute = [](const MetricInputs& in, EvaluationResult& r) { r.w1m = w1m(in.real, in.gen, in.settings); };
  entry.report_position = 10;
  return entry;
}

MetricEntry w1p_metric() {
  MetricEntry entry = w1_entry("w1p", "W1 distances of the particle eta_rel, phi_rel, pt_rel", "W1P", 1e3, "×10⁻³",
                               &EvaluationResult::w1p, "w1p_per_feature");
  entry.compute = [](const MetricInputs& in, EvaluationResult& r) { r.w1p = w1p(in.real, in.gen, in.settings); };
  entry.report_position = 20;
  return entry;
}

MetricEntry w1efp_metric() {
  MetricEntry entry = w1_entry("w1efp", "W1 distances of the five n = 4, d = 4 EFPs", "W1EFP", 1e5, "×10⁻⁵",
                               &EvaluationResult::w1efp, "w1efp_per_efp");
  entry.input = MetricInput::Efps;
  entry.compute = [](const MetricInputs& in, EvaluationResult& r) {
    r.w1efp = w1efp_from_efps(n4d4_columns(*in.real_efps), n4d4_columns(*in.gen_efps), in.settings);
  };
  entry.report_position = 30;
  return entry;
}

}  // namespace flowjet::metrics

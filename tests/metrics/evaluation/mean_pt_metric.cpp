// The test-only metric's own file: how it is computed, its column and its JSON field.
#include "tests/metrics/evaluation/mean_pt_metric.h"

#include <any>

#include <fmt/format.h>

#include "metrics/evaluation/evaluation.h"
#include "metrics/report/json_writer.h"

namespace flowjet::metrics::testing {

namespace {

const MeanPtResult* stored(const EvaluationResult& r) {
  const auto found = r.extra.find("mean_pt");
  return found == r.extra.end() ? nullptr : std::any_cast<MeanPtResult>(&found->second);
}

}  // namespace

double mean_particle_pt(const JetArray& jets) {
  double sum = 0;
  int64_t count = 0;
  for (int64_t j = 0; j < jets.jets; ++j)
    for (int64_t p = 0; p < jets.particles; ++p) {
      const double* particle = jets.jet(j) + p * 3;
      if (particle[0] == 0 && particle[1] == 0 && particle[2] == 0) continue;
      sum += particle[2];
      ++count;
    }
  return count == 0 ? 0 : sum / static_cast<double>(count);
}

MetricEntry mean_pt_metric() {
  MetricEntry entry;
  entry.name = "mean_pt";
  entry.summary = "mean particle pt_rel, generated minus real (test only)";
  entry.compute = [](const MetricInputs& in, EvaluationResult& r) {
    r.extra["mean_pt"] = MeanPtResult{mean_particle_pt(in.real), mean_particle_pt(in.gen)};
  };
  MetricColumn column;
  column.label = "ΔpT";
  column.scale_note = "×10⁻³";
  column.json_key = "mean_pt";
  column.value = [](const EvaluationResult& r) -> std::optional<ValueWithError> {
    const MeanPtResult* means = stored(r);
    if (!means) return std::nullopt;
    return ValueWithError{means->gen - means->real, 0};
  };
  column.cell = [](const ValueWithError& q) { return fmt::format("{:.3f}", q.value * 1e3); };
  entry.columns = {column};
  entry.json_fields = {{"mean_pt_samples", JsonBlock::Details, [](JsonWriter& json, const EvaluationResult& r) {
                          const MeanPtResult* means = stored(r);
                          if (means) json.value(std::vector<double>{means->real, means->gen});
                          else json.null();
                        }}};
  entry.presets = {Preset::Full};
  return entry;
}

}  // namespace flowjet::metrics::testing

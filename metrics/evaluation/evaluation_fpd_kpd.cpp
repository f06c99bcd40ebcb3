// Metric table entries of FPD and KPD (fpd_kpd.h) on the shared EFPs: value ± error columns, FPD's
// fit points and exact least-squares intercept, KPD's per-batch values in the JSON.
#include <fmt/format.h>

#include "metrics/frechet/bounded_line_fit.h"
#include "metrics/evaluation/evaluation.h"
#include "metrics/report/json_writer.h"

namespace flowjet::metrics {

namespace {

// `label` ("FPD") as value ± error in scientific notation, from the result's `field`.
template <typename Result>
MetricColumn value_error_column(const std::string& label, const std::string& key,
                                std::optional<Result> EvaluationResult::*field) {
  MetricColumn column;
  column.label = label;
  column.json_key = key;
  column.has_error = true;
  column.value = [field](const EvaluationResult& r) -> std::optional<ValueWithError> {
    if (!(r.*field)) return std::nullopt;
    return ValueWithError{(r.*field)->value, (r.*field)->error};
  };
  column.cell = [](const ValueWithError& q) { return fmt::format("{:.2e} ± {:.1e}", q.value, q.error); };
  return column;
}

}  // namespace

MetricEntry fpd_metric() {
  MetricEntry entry;
  entry.name = "fpd";
  entry.summary = "Fréchet physics distance on the 36 EFPs (jetnet 0.2.5)";
  entry.input = MetricInput::Efps;
  entry.compute = [](const MetricInputs& in, EvaluationResult& r) {
    FpdOptions fpd_options = in.options.fpd;
    fpd_options.seed = in.options.seed;
    r.fpd = fpd(*in.real_efps, *in.gen_efps, fpd_options);
    r.fpd_least_squares = bounded_line_fit(r.fpd->x, r.fpd->y).intercept;
  };
  entry.warnings = [](const EvaluationResult& r) { return r.fpd ? r.fpd->warnings : std::vector<std::string>{}; };
  entry.columns = {value_error_column("FPD", "fpd", &EvaluationResult::fpd)};
  entry.json_fields = {
      {"fpd_least_squares", JsonBlock::Details,
       [](JsonWriter& json, const EvaluationResult& r) { json.value(r.fpd_least_squares); }},
      {"fpd_points", JsonBlock::Details, [](JsonWriter& json, const EvaluationResult& r) {
         if (!r.fpd) {
           json.null();
           return;
         }
         const std::vector<double> sizes(r.fpd->batch_sizes.begin(), r.fpd->batch_sizes.end());
         json.begin_object().key("batch_size").value(sizes).key("mean_distance").value(r.fpd->y).end_object();
       }}};
  entry.report_position = 60;
  return entry;
}

MetricEntry kpd_metric() {
  MetricEntry entry;
  entry.name = "kpd";
  entry.summary = "kernel physics distance on the 36 EFPs (jetnet 0.2.5)";
  entry.input = MetricInput::Efps;
  entry.compute = [](const MetricInputs& in, EvaluationResult& r) {
    KpdOptions kpd_options = in.options.kpd;
    kpd_options.seed = in.options.seed;
    r.kpd = kpd(*in.real_efps, *in.gen_efps, kpd_options);
  };
  entry.columns = {value_error_column("KPD", "kpd", &EvaluationResult::kpd)};
  entry.json_fields = {{"kpd_batches", JsonBlock::Details, [](JsonWriter& json, const EvaluationResult& r) {
                          if (r.kpd) json.value(r.kpd->batch_values);
                          else json.null();
                        }}};
  entry.report_position = 70;
  return entry;
}

}  // namespace flowjet::metrics

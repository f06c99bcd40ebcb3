// Metric table entry of COV/MMD (cov_mmd.h): two plain columns, their per-batch values in the JSON.
#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "metrics/evaluation/evaluation.h"
#include "metrics/report/json_writer.h"

namespace flowjet::metrics {

namespace {

using CovMmdNumber = double CovMmdResult::*;
using CovMmdBatches = std::vector<double> CovMmdResult::*;

// Batches larger than a sample, or (full preset) fewer jets than cov_n.
std::optional<std::string> cov_mmd_size_warning(const EvaluationResult& result) {
  const EvalSettings& s = result.settings;
  const int64_t smaller = std::min(result.real_jets, result.gen_jets);
  if (s.preset == Preset::Full) {
    if (smaller >= s.cov_n) return std::nullopt;
    return fmt::format("preset full: COV/MMD uses {} jets of a sample, fewer than cov_n = {}", smaller, s.cov_n);
  }
  if (smaller >= s.cov_batch_size) return std::nullopt;
  return fmt::format("preset {}: COV/MMD batches of {} jets are larger than a sample of {} jets",
                     preset_name(s.preset), s.cov_batch_size, smaller);
}

// `label` with `digits` decimals: COV (2) or MMD (3).
MetricColumn plain_column(const std::string& label, const std::string& key, CovMmdNumber number, int digits) {
  MetricColumn column;
  column.label = label;
  column.json_key = key;
  column.value = [number](const EvaluationResult& r) -> std::optional<ValueWithError> {
    if (!r.cov_mmd) return std::nullopt;
    return ValueWithError{(*r.cov_mmd).*number, 0};
  };
  column.cell = [digits](const ValueWithError& q) { return fmt::format("{:.{}f}", q.value, digits); };
  return column;
}

JsonField batches_field(const std::string& key, CovMmdBatches batches) {
  return {key, JsonBlock::Details, [batches](JsonWriter& json, const EvaluationResult& r) {
            if (r.cov_mmd) json.value((*r.cov_mmd).*batches);
            else json.null();
          }};
}

}  // namespace

MetricEntry cov_mmd_metric() {
  MetricEntry entry;
  entry.name = "cov_mmd";
  entry.summary = "coverage and minimum matching distance (EMD between jets)";
  entry.compute = [](const MetricInputs& in, EvaluationResult& r) {
    r.cov_mmd = cov_mmd(in.real, in.gen, in.settings, in.options.order);
  };
  entry.size_warning = cov_mmd_size_warning;
  entry.warnings = [](const EvaluationResult& r) {
    return r.cov_mmd ? r.cov_mmd->warnings : std::vector<std::string>{};
  };
  entry.columns = {plain_column("COV", "cov", &CovMmdResult::cov, 2),
                   plain_column("MMD", "mmd", &CovMmdResult::mmd, 3)};
  entry.json_fields = {batches_field("cov_batches", &CovMmdResult::cov_batches),
                       batches_field("mmd_batches", &CovMmdResult::mmd_batches)};
  entry.report_position = 50;
  return entry;
}

}  // namespace flowjet::metrics

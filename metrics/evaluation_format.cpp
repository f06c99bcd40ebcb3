// The talk's table row (metric-definitions.md §3, "Quoting in tables") and the JSON form of an
// EvaluationResult (keys of issue 6 item 6, documented in docs/evaluation.md).
#include <algorithm>

#include <fmt/format.h>

#include "metrics/evaluation.h"
#include "metrics/report/json_writer.h"
#include "metrics/report/utf8.h"

namespace flowjet::metrics {

namespace {

const char* const kNotComputed = "—";

std::string scaled(const std::optional<BatchedMetric>& metric, double scale) {
  if (!metric) return kNotComputed;
  const ValueWithError q = quoted(*metric);
  return fmt::format("{:.2f} ± {:.2f}", q.value * scale, q.error * scale);
}

std::string with_error(double value, double error) { return fmt::format("{:.2e} ± {:.1e}", value, error); }

const char* order_name(CovMmdOrder order) { return order == CovMmdOrder::Jetnet ? "jetnet" : "talk"; }

void write_quoted(JsonWriter& json, const char* name, const std::optional<BatchedMetric>& metric) {
  std::optional<double> value, error;
  if (metric) {
    value = quoted(*metric).value;
    error = quoted(*metric).error;
  }
  json.key(name).value(value);
  json.key(std::string(name) + "_std").value(error);
}

void write_components(JsonWriter& json, const char* name, const std::optional<BatchedMetric>& metric) {
  json.key(name);
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

void write_batches(JsonWriter& json, const char* name, const std::optional<BatchedMetric>& metric) {
  json.key(name);
  if (!metric) {
    json.null();
    return;
  }
  json.begin_array();
  for (const auto& values : metric->batch_values) json.value(values);
  json.end_array();
}

void write_settings(JsonWriter& json, const EvaluationResult& r, const EvaluationInputs& inputs) {
  const EvalSettings& s = r.settings;
  json.key("settings").begin_object();
  if (!inputs.real.empty()) json.key("real").value(inputs.real);
  if (!inputs.gen.empty()) json.key("gen").value(inputs.gen);
  json.key("real_jets").value(r.real_jets);
  json.key("gen_jets").value(r.gen_jets);
  json.key("particles").value(r.particles);
  json.key("preset").value(preset_name(s.preset));
  json.key("seed").value(static_cast<int64_t>(s.seed));
  json.key("w1_batch_size").value(s.preset == Preset::Full ? std::max(r.real_jets, r.gen_jets) : s.w1_batch_size);
  json.key("w1_num_batches").value(s.w1_num_batches);
  json.key("w1_average_components").value(s.average_components);
  json.key("cov_batch_size").value(s.preset == Preset::Full ? std::min({s.cov_n, r.real_jets, r.gen_jets})
                                                             : s.cov_batch_size);
  json.key("cov_num_batches").value(s.cov_num_batches);
  json.key("cov_n").value(s.cov_n);
  json.key("cov_mmd_order").value(order_name(r.options.order));
  json.key("fpd_min_samples").value(r.options.fpd.min_samples);
  json.key("fpd_max_samples").value(r.options.fpd.max_samples);
  json.key("fpd_num_points").value(r.options.fpd.num_points);
  json.key("fpd_num_batches").value(r.options.fpd.num_batches);
  json.key("fpd_kpd_definition").value("jetnet 0.2.5 (real sample first)");
  json.key("kpd_batch_size").value(r.options.kpd.batch_size);
  json.key("kpd_num_batches").value(r.options.kpd.num_batches);
  json.key("jet_type");
  if (r.options.jet_type) json.value(std::string(1, *r.options.jet_type));
  else json.null();
  json.key("fpnd_dir");
  if (!r.options.fpnd_dir.empty()) json.value(r.options.fpnd_dir);
  else json.null();
  json.key("fpnd_device").value(device_name(r.options.fpnd_device));
  json.key("metrics").value(metric_selection_string(r.options.metrics));
  json.key("threads").value(r.threads);
  json.key("real_negative_pt_clipped").value(r.real_clipped);
  json.key("gen_negative_pt_clipped").value(r.gen_clipped);
  json.end_object();
}

}  // namespace

std::vector<std::pair<std::string, std::string>> table_cells(const EvaluationResult& r) {
  return {
      {"W1M ×10⁻³", scaled(r.w1m, 1e3)},
      {"W1P ×10⁻³", scaled(r.w1p, 1e3)},
      {"W1EFP ×10⁻⁵", scaled(r.w1efp, 1e5)},
      {"FPND", r.fpnd ? fmt::format("{:.2f}", *r.fpnd) : kNotComputed},
      {"COV", r.cov_mmd ? fmt::format("{:.2f}", r.cov_mmd->cov) : kNotComputed},
      {"MMD", r.cov_mmd ? fmt::format("{:.3f}", r.cov_mmd->mmd) : kNotComputed},
      {"FPD", r.fpd ? with_error(r.fpd->value, r.fpd->error) : kNotComputed},
      {"KPD", r.kpd ? with_error(r.kpd->value, r.kpd->error) : kNotComputed},
  };
}

std::string format_table_row(const EvaluationResult& r) {
  const auto cells = table_cells(r);
  std::string header_line, row_line;
  for (size_t c = 0; c < cells.size(); ++c) {
    const auto& [header, cell] = cells[c];
    const size_t width = std::max(utf8_length(header), utf8_length(cell));
    const bool last = c + 1 == cells.size();
    header_line += header + (last ? "" : std::string(width - utf8_length(header) + 2, ' '));
    row_line += cell + (last ? "" : std::string(width - utf8_length(cell) + 2, ' '));
  }
  return header_line + "\n" + row_line + "\n";
}

std::string to_json(const EvaluationResult& r, const EvaluationInputs& inputs) {
  JsonWriter json;
  json.begin_object();
  write_quoted(json, "w1m", r.w1m);
  write_quoted(json, "w1p", r.w1p);
  write_quoted(json, "w1efp", r.w1efp);
  json.key("fpnd").value(r.fpnd);
  json.key("cov").value(r.cov_mmd ? std::optional<double>(r.cov_mmd->cov) : std::nullopt);
  json.key("mmd").value(r.cov_mmd ? std::optional<double>(r.cov_mmd->mmd) : std::nullopt);
  json.key("fpd").value(r.fpd ? std::optional<double>(r.fpd->value) : std::nullopt);
  json.key("fpd_std").value(r.fpd ? std::optional<double>(r.fpd->error) : std::nullopt);
  json.key("kpd").value(r.kpd ? std::optional<double>(r.kpd->value) : std::nullopt);
  json.key("kpd_std").value(r.kpd ? std::optional<double>(r.kpd->error) : std::nullopt);

  write_components(json, "w1p_per_feature", r.w1p);
  write_components(json, "w1efp_per_efp", r.w1efp);
  write_batches(json, "w1m_batches", r.w1m);
  write_batches(json, "w1p_batches", r.w1p);
  write_batches(json, "w1efp_batches", r.w1efp);
  json.key("cov_batches");
  if (r.cov_mmd) json.value(r.cov_mmd->cov_batches);
  else json.null();
  json.key("mmd_batches");
  if (r.cov_mmd) json.value(r.cov_mmd->mmd_batches);
  else json.null();
  json.key("fpd_least_squares").value(r.fpd_least_squares);
  json.key("fpd_points");
  if (r.fpd) {
    std::vector<double> sizes(r.fpd->batch_sizes.begin(), r.fpd->batch_sizes.end());
    json.begin_object().key("batch_size").value(sizes).key("mean_distance").value(r.fpd->y).end_object();
  } else {
    json.null();
  }
  json.key("kpd_batches");
  if (r.kpd) json.value(r.kpd->batch_values);
  else json.null();

  json.key("warnings").begin_array();
  for (const auto& warning : r.warnings) json.value(warning);
  json.end_array();
  json.key("seconds").begin_object();
  for (const auto& [name, seconds] : r.seconds) json.key(name).value(seconds);
  json.end_object();
  write_settings(json, r, inputs);
  json.end_object();
  return json.str();
}

}  // namespace flowjet::metrics

// The talk's table row (metric-definitions.md §3, "Quoting in tables") and the JSON form of an
// EvaluationResult (keys of issue 6 item 6, documented in docs/evaluation.md), both from the
// columns and JSON fields of the metric table's entries.
#include <algorithm>

#include <fmt/format.h>

#include "metrics/evaluation/evaluation.h"
#include "metrics/report/json_writer.h"
#include "metrics/report/utf8.h"

namespace flowjet::metrics {

namespace {

const char* const kNotComputed = "—";

const char* order_name(CovMmdOrder order) { return order == CovMmdOrder::Jetnet ? "jetnet" : "talk"; }

// The table's entries in report order (report_position, ties in table order).
std::vector<const MetricEntry*> report_order(const MetricTable& table) {
  std::vector<const MetricEntry*> entries;
  for (const MetricEntry& entry : table) entries.push_back(&entry);
  std::stable_sort(entries.begin(), entries.end(), [](const MetricEntry* a, const MetricEntry* b) {
    return a->report_position < b->report_position;
  });
  return entries;
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
  std::vector<std::pair<std::string, std::string>> cells;
  for (const MetricEntry* entry : report_order(r.options.metric_table))
    for (const MetricColumn& column : entry->columns) {
      const std::optional<ValueWithError> value = column.value(r);
      cells.emplace_back(column.scale_note.empty() ? column.label : column.label + " " + column.scale_note,
                         value ? column.cell(*value) : kNotComputed);
    }
  return cells;
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
  const std::vector<const MetricEntry*> entries = report_order(r.options.metric_table);
  for (const MetricEntry* entry : entries)
    for (const MetricColumn& column : entry->columns) {
      const std::optional<ValueWithError> value = column.value(r);
      json.key(column.json_key).value(value ? std::optional<double>(value->value) : std::nullopt);
      if (column.has_error)
        json.key(column.json_key + "_std").value(value ? std::optional<double>(value->error) : std::nullopt);
    }
  for (const JsonBlock block : {JsonBlock::Components, JsonBlock::Details})
    for (const MetricEntry* entry : entries)
      for (const JsonField& field : entry->json_fields)
        if (field.block == block) {
          json.key(field.key);
          field.write(json, r);
        }

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

// The metric table of evaluate(): one entry per metric with its name, how it is computed, the
// columns it fills in the report row, its JSON keys and the presets that select it. evaluate(),
// the report row, the JSON and bin/evaluate's --metrics all walk the table, so a new metric is
// its own file plus one entry (docs/architecture.md, "Add a metric").
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "metrics/batches/batches.h"
#include "metrics/frechet/fpd_kpd.h"
#include "metrics/jets/jet_array.h"

namespace flowjet::metrics {

struct EvaluationOptions;
struct EvaluationResult;
class JsonWriter;

/// A quoted number and its uncertainty (unscaled).
struct ValueWithError {
  double value = 0;
  double error = 0;
};

/// What a metric's compute function sees: both samples after the negative-pt clipping, the
/// options of the call and the preset's settings (settings.seed seeds every random draw: a metric
/// draws from its own generator seeded with it, so its numbers do not depend on the other metrics).
struct MetricInputs {
  const JetArray& real;
  const JetArray& gen;
  const EvaluationOptions& options;
  const EvalSettings& settings;
  /// The 36 EFPs with d <= 4 of every jet (fpd_kpd_jet_features), computed once for all entries
  /// with input MetricInput::Efps; null for the others.
  const FeatureMatrix* real_efps = nullptr;
  const FeatureMatrix* gen_efps = nullptr;
};

/// What a metric needs beyond the particle arrays. Entries on the particles run first, in table
/// order; then the EFPs are computed once (timed as "efps") and the entries on them run.
enum class MetricInput { Particles, Efps };

/// One column of the report row, which is also a headline JSON key and a number checked finite.
struct MetricColumn {
  std::string label;       ///< "W1M": the column header, and the metric's name in errors
  std::string scale_note;  ///< appended to the header after a space ("×10⁻³"); empty: none
  std::string json_key;    ///< "w1m": the raw value in the JSON (null when not computed)
  bool has_error = false;  ///< the error too: JSON key json_key + "_std", checked finite
  /// The unscaled number, or std::nullopt when the metric was not computed.
  std::function<std::optional<ValueWithError>(const EvaluationResult&)> value;
  /// The cell text of a computed value (scaled, rounded); "—" is written when not computed.
  std::function<std::string(const ValueWithError&)> cell;
};

/// Where a JSON key that is not a column goes: after the headline keys come every entry's
/// Components keys, then every entry's Details keys (each in report order).
enum class JsonBlock { Components, Details };

/// A JSON key beyond the columns: `write` writes its one value (null when not computed).
struct JsonField {
  std::string key;
  JsonBlock block = JsonBlock::Details;
  std::function<void(JsonWriter&, const EvaluationResult&)> write;
};

/// One metric of evaluate().
struct MetricEntry {
  std::string name;     ///< "cov_mmd": --metrics, the JSON's settings.metrics and seconds
  std::string summary;  ///< one line for bin/evaluate --help
  MetricInput input = MetricInput::Particles;
  /// Computes the metric and stores it in the result: in its own field of EvaluationResult for the
  /// built-in metrics, in result.extra[name] for others. evaluate() times the call.
  std::function<void(const MetricInputs&, EvaluationResult&)> compute;
  /// Optional: a warning saying why the metric cannot run with these options (it is then skipped),
  /// or std::nullopt to run it.
  std::function<std::optional<std::string>(const MetricInputs&)> unavailable;
  /// Optional: a warning about samples too small for the preset's batches, checked before any
  /// metric runs (equal warnings of several entries are given once).
  std::function<std::optional<std::string>(const EvaluationResult&)> size_warning;
  /// Optional: warnings of the computed metric, added to the result's after every metric ran.
  std::function<std::vector<std::string>(const EvaluationResult&)> warnings;
  std::vector<MetricColumn> columns;  ///< report columns and headline JSON keys, in order
  std::vector<JsonField> json_fields;
  /// Where the columns and JSON keys go among those of other entries: ascending, ties in table
  /// order. The built-in metrics use 10 .. 70, so the default puts a new metric after them.
  int report_position = 1000;
  /// The presets whose default selection (no --metrics, or --metrics preset) includes the metric.
  std::vector<Preset> presets = {Preset::Talk, Preset::Jetnet, Preset::Full};
};

/// The metrics of evaluate(), in table order (the order of computing and of --metrics names).
using MetricTable = std::vector<MetricEntry>;

/// flowjet's metrics: w1m, w1p, w1efp, cov_mmd, fpnd, fpd, kpd (evaluation_table.cpp).
const MetricTable& builtin_metric_table();

/// Which metrics evaluate() computes: the preset's (default), or the named ones.
class MetricSelection {
 public:
  /// The metrics whose entries list the call's preset.
  MetricSelection() = default;
  /// These names, in table order (parse_metric_selection checks them).
  explicit MetricSelection(std::vector<std::string> names) : names_(std::move(names)) {}
  bool preset_default() const { return !names_.has_value(); }
  /// The names of an explicit selection (empty for the preset's).
  const std::vector<std::string>& names() const;

 private:
  std::optional<std::vector<std::string>> names_;
};

/// "preset" (the preset's metrics), "all" (every metric of `table`) or comma-separated names of
/// `table`'s metrics (kept in table order). Throws ConfigError naming an unknown name and the
/// known ones, or for an empty list.
MetricSelection parse_metric_selection(const std::string& list, const MetricTable& table = builtin_metric_table());
/// The selected names, comma-separated, in table order; "preset" for the preset's selection.
std::string metric_selection_string(const MetricSelection& selection);
/// The entries of `table` that `selection` selects under `preset`, in table order. Throws
/// ConfigError for a name that is not in `table`.
std::vector<const MetricEntry*> selected_metrics(const MetricTable& table, const MetricSelection& selection,
                                                 Preset preset);
/// The names of `table` in table order, joined by `separator` ("w1m,w1p,...").
std::string metric_names(const MetricTable& table, const std::string& separator = ",");

}  // namespace flowjet::metrics

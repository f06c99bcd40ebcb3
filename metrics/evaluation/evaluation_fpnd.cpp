// Metric table entry of FPND (fpnd.h): needs a jet type and the FPND resources, else it is skipped
// with a warning saying why; one plain column.
#include <fmt/format.h>

#include "metrics/evaluation/evaluation.h"
#include "metrics/fpnd/fpnd.h"
#include "metrics/fpnd/fpnd_resources.h"

namespace flowjet::metrics {

namespace {

std::string fpnd_directory(const EvaluationOptions& options) {
  return options.fpnd_dir.empty() ? default_fpnd_directory() : options.fpnd_dir;
}

}  // namespace

MetricEntry fpnd_metric() {
  MetricEntry entry;
  entry.name = "fpnd";
  entry.summary = "Fréchet ParticleNet distance (needs the jet type)";
  // FPND needs the reference statistics of one jet type and jetnet's ParticleNet weights
  // (metric-definitions.md §9): the given directory, else the default one (fpnd_resources.h).
  // Without a jet type, or when the default directory is not found, it stays unset (null in JSON).
  entry.unavailable = [](const MetricInputs& in) -> std::optional<std::string> {
    if (!in.options.jet_type) return "FPND not computed: no jet type (g, q or t) given";
    if (in.options.fpnd_dir.empty() && !has_fpnd_resources(fpnd_directory(in.options)))
      return fmt::format("FPND not computed: no pnet_state_dict.pt in {} (set FLOWJET_FPND_DIR or --fpnd-dir to the "
                         "FPND resources)", fmt::join(fpnd_search_path(), ", "));
    return std::nullopt;
  };
  entry.compute = [](const MetricInputs& in, EvaluationResult& r) {
    const EvaluationOptions& options = in.options;
    r.options.fpnd_dir = fpnd_directory(options);  // the settings name the directory used
    FpndOptions fpnd_options;
    fpnd_options.directory = r.options.fpnd_dir;
    // The talk's jetnet 0.1.1 used every generated jet; current jetnet caps at 50,000 (metric-definitions.md §1, 9.1).
    fpnd_options.max_jets = options.preset == Preset::Talk ? 0 : 50000;
    fpnd_options.device = options.fpnd_device;
    // A GPU needs large batches to be busy (1,000 jets: ~0.5 GB of per-edge intermediates); the CPU
    // default keeps them in cache. The batch size does not change the result.
    if (options.fpnd_device == Device::CUDA) fpnd_options.batch_size = 1000;
    r.fpnd = fpnd(in.gen, *options.jet_type, fpnd_options, &r.warnings);
  };
  MetricColumn column;
  column.label = "FPND";
  column.json_key = "fpnd";
  column.value = [](const EvaluationResult& r) -> std::optional<ValueWithError> {
    if (!r.fpnd) return std::nullopt;
    return ValueWithError{*r.fpnd, 0};
  };
  column.cell = [](const ValueWithError& q) { return fmt::format("{:.2f}", q.value); };
  entry.columns = {column};
  entry.report_position = 40;
  return entry;
}

}  // namespace flowjet::metrics

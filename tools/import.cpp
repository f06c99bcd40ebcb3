// bin/import CHECKPOINT OUT.h5 [--coupling rqs|affine] [--tail-bound B] [--hparams FILE] ...: brings
// an nflows flow (a torch.save'd state dict, or a PyTorch Lightning .ckpt holding one) into flowjet
// without PyTorch. The conversion is flows/io/nflows_import.h; docs/import.md.
#include <cstdio>

#include "flows/io/nflows_import.h"
#include "tools/common/cli.h"
#include "tools/common/ini_config.h"
#include "tools/common/output_path.h"

using namespace flowjet;

namespace {

tools::CommandLine make_command_line() {
  tools::CommandLine cli(
      "bin/import",
      "usage: bin/import CHECKPOINT OUT.h5 [--coupling rqs|affine] [--tail-bound B] [--hparams FILE] [--bins K]\n"
      "                  [--dropout P] [--dtype f32|f64] [--seed S]",
      "Converts an nflows coupling flow into a flowjet flow checkpoint. CHECKPOINT is a torch.save file\n"
      "(zip or legacy format) holding the state dict of an nflows Flow or CompositeTransform, or a dict\n"
      "with it under \"state_dict\" (PyTorch Lightning); the module prefix of the names is stripped.\n"
      "The pickle is interpreted without running code and without PyTorch. Shapes and masks come from\n"
      "the tensors; the coupling kind, tail bound and dropout from the flags or the [model] section of\n"
      "--hparams (an INI file with keys coupling, tail_bound, bins, dropout, dtype, seed); flags win.");
  cli.add_positional("CHECKPOINT", "the nflows state dict or Lightning checkpoint (.pt, .pth, .ckpt)");
  cli.add_positional("OUT.h5", "the flowjet flow checkpoint to write (atomically)");
  cli.add_option("coupling", "KIND", "rqs or affine (a state dict does not say which)");
  cli.add_option("tail-bound", "B", "spline interval [-B, B] of the RQS coupling", "6");
  cli.add_option("hparams", "FILE", "INI file with a [model] section giving any of the options");
  cli.add_option("bins", "K", "spline bins, checked against the tensors (which fix them)");
  cli.add_option("dropout", "P", "dropout of the conditioners, for further training", "0");
  cli.add_option("dtype", "f32|f64", "dtype of the flow", "f64 if every tensor is float64, else f32");
  cli.add_option("seed", "S", "seed recorded in the flow's spec", "0");
  return cli;
}

tools::Schema hparams_schema() {
  using V = tools::ValueType;
  tools::Schema s;
  s.add({"model", "coupling", V::String, std::nullopt, "rqs or affine", {"rqs", "affine"}});
  s.add({"model", "tail_bound", V::Float, std::nullopt, "spline interval [-B, B]", {}});
  s.add({"model", "bins", V::Int, std::nullopt, "spline bins, checked against the tensors", {}});
  s.add({"model", "dropout", V::Float, std::nullopt, "dropout of the conditioners", {}});
  s.add({"model", "dtype", V::String, std::nullopt, "f32 or f64", {"f32", "f64"}});
  s.add({"model", "seed", V::Int, std::nullopt, "seed recorded in the spec", {}});
  return s;
}

int run(const tools::CommandLine& cli) {
  const std::string& input = cli.positional()[0];
  const std::string& output = cli.positional()[1];
  tools::check_output_path("OUT.h5", output, {input});

  // The hyper-parameters a state dict does not hold: --hparams first, then the flags over it.
  std::optional<std::string> coupling, dtype;
  flows::NflowsImportOptions options;
  if (const auto file = cli.value("hparams")) {
    const tools::IniConfig config = tools::IniConfig::load(*file, hparams_schema());
    if (config.is_set("model", "coupling")) coupling = config.get_string("model", "coupling");
    if (config.is_set("model", "tail_bound")) options.tail_bound = config.get_float("model", "tail_bound");
    if (config.is_set("model", "bins")) options.bins = config.get_int("model", "bins");
    if (config.is_set("model", "dropout")) options.dropout = config.get_float("model", "dropout");
    if (config.is_set("model", "dtype")) dtype = config.get_string("model", "dtype");
    if (config.is_set("model", "seed")) options.seed = static_cast<uint64_t>(config.get_int("model", "seed"));
  }
  if (cli.has("coupling")) coupling = cli.choice("coupling", {"rqs", "affine"}, "");
  if (cli.has("dtype")) dtype = cli.choice("dtype", {"f32", "f64"}, "");
  options.tail_bound = cli.number("tail-bound", options.tail_bound);
  options.dropout = cli.number("dropout", options.dropout);
  options.seed = cli.unsigned_integer("seed", options.seed);
  if (cli.has("bins")) options.bins = cli.integer("bins", 0, 1);
  if (!coupling) throw tools::UsageError("the coupling kind is not in a state dict: give --coupling rqs or affine");
  options.coupling = flows::parse_coupling_kind(*coupling);
  if (dtype) options.dtype = *dtype == "f64" ? DType::F64 : DType::F32;

  const flows::NflowsImport imported = flows::import_nflows_file(input, output, options);
  const flows::FlowSpec& spec = imported.flow->spec();
  std::fprintf(stderr, "read %s: %scoupling layers under \"%s\" (prefix stripped)", input.c_str(),
               imported.container_key.empty() ? "" : ("its \"" + imported.container_key + "\" entry, ").c_str(),
               imported.prefix.c_str());
  if (!imported.ignored.empty())
    std::fprintf(stderr, "; ignored %zu tensors outside the coupling layers (%s%s)", imported.ignored.size(),
                 imported.ignored[0].c_str(), imported.ignored.size() > 1 ? ", ..." : "");
  if (imported.dropped > 0) std::fprintf(stderr, "; dropped %lld num_batches_tracked counters", static_cast<long long>(imported.dropped));
  std::fprintf(stderr, "\n");
  std::printf("wrote %s: %lld %s coupling layers, %lld features, %s masks, context %lld, batch norm %s, %s, %lld parameters\n",
              output.c_str(), static_cast<long long>(spec.coupling_layers), flows::coupling_kind_name(spec.coupling),
              static_cast<long long>(spec.features), flows::mask_kind_name(spec.mask),
              static_cast<long long>(spec.context_features), spec.batch_norm ? "on" : "off", dtype_name(spec.dtype),
              static_cast<long long>(imported.flow->parameter_count()));
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return tools::run_program(make_command_line(), argc, argv, run); }

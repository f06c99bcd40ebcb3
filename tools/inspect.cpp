// bin/inspect: look inside a flow, for people learning how flows work (docs/inspect.md).
//   bin/inspect CKPT [--depth N]                      module table, parameter counts, hyper-parameters
//   bin/inspect --config FILE.ini [section.key=value ...]   the same table for a training configuration
//   bin/inspect CKPT --trace N [--data FILE.h5]       one jet layer by layer, forward and backward
//   bin/inspect CKPT --spline LAYER FEATURE [--jet N] [--data FILE.h5] [-o OUT.csv]   knots and curve as CSV
#include <cstdio>

#include <fmt/format.h>

#include "data/random.h"
#include "engine/core/error.h"
#include "engine/io/atomic_file.h"
#include "engine/random/generator.h"
#include "flows/inspect/flow_trace.h"
#include "flows/inspect/model_summary.h"
#include "flows/inspect/spline_curve.h"
#include "flows/io/flow_inputs.h"
#include "tools/common/arg_parser.h"
#include "tools/common/tool_main.h"
#include "tools/common/train_config.h"

using namespace flowjet;

namespace {

void print_summary(const flows::Flow& flow, const std::string& title, int depth) {
  std::printf("%s\n%s\nHyper-parameters:\n%s", title.c_str(),
              flows::format_summary(flows::summarize_flow(flow), depth).c_str(),
              flows::format_hyperparameters(flow.spec()).c_str());
}

std::string describe(const std::string& path, const flows::OpenedModel& opened) {
  if (!opened.is_jet_model) return fmt::format("{}: flow checkpoint", path);
  const flows::JetModel& m = opened.model;
  return fmt::format("{}: jet model \"{}\" ({} jets, {} particles, {})", path, m.kind,
                     m.jet_type.empty() ? "?" : m.jet_type, m.particles,
                     m.sampler ? "with conditional sampler" : "no sampler");
}

// One point to look at: row `index` of --data, or without --data random jet number `index`: z ~ N(0, I) from a
// generator seeded with `index`, mapped to data, with a condition drawn from the model's sampler (zeros for a
// bare conditioned flow). The note goes to stderr so that standard output stays CSV for --spline.
flows::FlowInputs pick_point(const flows::OpenedModel& opened, const tools::ArgParser& args, int64_t index) {
  if (args.has("--data")) return flows::read_flow_inputs(opened, args.get("--data"), index, 1);
  flows::Flow& flow = opened.flow();
  const flows::FlowSpec& spec = flow.spec();
  const auto seed = static_cast<uint64_t>(index);
  flows::FlowInputs point;
  if (spec.context_features > 0) {
    std::vector<double> c(static_cast<std::size_t>(spec.context_features), 0.0);
    if (opened.model.sampler) {
      data::Rng rng(seed);
      const std::vector<float> drawn = opened.model.sampler->draw(1, rng, opened.model.scaled_zero_mass)
                                           .context(static_cast<int>(spec.context_features));
      c.assign(drawn.begin(), drawn.end());
    }
    point.context = Tensor::from_vector(c, Shape{1, spec.context_features}, spec.dtype);
  }
  Generator gen(seed);
  point.x = flow.sample(1, point.context, gen);
  std::fprintf(stderr, "no --data: random jet %lld (z ~ N(0, I) seeded with %lld, mapped to data%s)\n",
               static_cast<long long>(index), static_cast<long long>(index),
               spec.context_features <= 0 ? ""
               : opened.model.sampler     ? "; condition from the model's sampler"
                                          : "; context zero, the file has no sampler");
  return point;
}

int run(int argc, char** argv) {
  tools::ArgParser args("bin/inspect CKPT [options] | bin/inspect --config FILE.ini [section.key=value ...]");
  args.add_option("--depth", {"N"}, "table rows down to this depth (default: all)");
  args.add_option("--config", {"FILE.ini"}, "show the table of a training configuration (no checkpoint, no training)");
  args.add_option("--trace", {"N"}, "trace jet N of --data (without --data: random jet N) through every layer");
  args.add_option("--spline", {"LAYER", "FEATURE"}, "knots and curve (CSV) of that layer's spline for that feature");
  args.add_option("--jet", {"N"}, "with --spline: jet N of --data (without --data: random jet N; default 0)");
  args.add_option("--data", {"FILE.h5"}, "JetNet file for a jet model, inputs file for a bare flow (docs/inspect.md)");
  args.add_option("--values", {"K"}, "with --trace: transformed values shown per layer (default 6)");
  args.add_option("--grid", {"G"}, "with --spline: curve points on [-1.25 B, 1.25 B] (default 201)");
  args.add_option("-o", {"OUT.csv"}, "with --spline: write the CSV here (atomically) instead of standard output");
  args.parse(argc, argv);
  if (args.wants_help()) {
    std::fputs(args.help().c_str(), stdout);
    return 0;
  }
  const int depth = static_cast<int>(args.get_int("--depth", -1, 0));
  if (args.has("--config")) {
    // The flow a training configuration describes, built (fresh weights) but not trained; the positional
    // arguments are section.key=value overrides as for bin/train.
    for (const std::string& a : args.positional())
      if (a.find('=') == std::string::npos)
        throw ConfigError(fmt::format("with --config, \"{}\" is not a section.key=value override (give a checkpoint "
                                      "or --config, not both)", a));
    const std::string& config = args.get("--config");
    const flows::Flow flow(tools::flow_spec_from(tools::load_train_config(config, args.positional())));
    print_summary(flow, fmt::format("{}: training configuration (not trained)", config), depth);
    return 0;
  }
  if (args.positional().size() != 1)
    throw ConfigError(fmt::format("expected one checkpoint, got {} arguments (see --help)",
                                  args.positional().size()));
  if (args.has("--trace") && args.has("--spline"))
    throw ConfigError("give --trace or --spline, not both");
  const std::string& path = args.positional()[0];
  const flows::OpenedModel opened = flows::open_model(path);
  flows::Flow& flow = opened.flow();
  if (args.has("--trace")) {
    const flows::FlowInputs point = pick_point(opened, args, args.get_int("--trace", 0, 0));
    const flows::FlowTraceReport report = flows::trace_flow(flow, point.x, point.context);
    std::fputs(flows::format_trace(report, static_cast<int>(args.get_int("--values", 6, 0))).c_str(), stdout);
    return 0;
  }
  if (args.has("--spline")) {
    const int64_t layer = tools::parse_int(args.values("--spline")[0], "--spline LAYER");
    const int64_t feature = tools::parse_int(args.values("--spline")[1], "--spline FEATURE");
    const flows::FlowInputs point = pick_point(opened, args, args.get_int("--jet", 0, 0));
    const flows::SplineCurve curve =
        flows::spline_curve(flow, layer, feature, point.x, point.context, args.get_int("--grid", 201, 2));
    const std::string csv = flows::spline_csv(curve);
    if (args.has("-o"))
      write_text_file_atomically(args.get("-o"), csv);
    else
      std::fputs(csv.c_str(), stdout);
    return 0;
  }
  print_summary(flow, describe(path, opened), depth);
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return tools::guarded_main("bin/inspect", run, argc, argv); }

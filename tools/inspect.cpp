// bin/inspect: look inside a flow, for people learning how flows work: the module table of a checkpoint or
// of a training configuration, one jet traced layer by layer, a spline's knots and curve, or all of it as one
// HTML page with figures (docs/inspect.md).
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine/io/atomic_file.h"
#include "engine/random/generator.h"
#include "engine/random/sequential_rng.h"
#include "flows/inspect/flow_trace.h"
#include "flows/inspect/inspect_page.h"
#include "flows/inspect/model_summary.h"
#include "flows/inspect/spline_curve.h"
#include "flows/io/flow_inputs.h"
#include "tools/common/cli.h"
#include "tools/common/output_path.h"
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
flows::FlowInputs pick_point(const flows::OpenedModel& opened, const tools::CommandLine& cli, int64_t index) {
  if (const auto data = cli.value("data")) return flows::read_flow_inputs(opened, *data, index, 1);
  flows::Flow& flow = opened.flow();
  const flows::FlowSpec& spec = flow.spec();
  const auto seed = static_cast<uint64_t>(index);
  flows::FlowInputs point;
  if (spec.context_features > 0) {
    std::vector<double> c(static_cast<std::size_t>(spec.context_features), 0.0);
    if (opened.model.sampler) {
      SequentialRng rng(seed);
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


tools::CommandLine make_command_line() {
  tools::CommandLine cli(
      "bin/inspect",
      "usage: bin/inspect CKPT [--depth N]                    module table, parameter counts, hyper-parameters\n"
      "       bin/inspect --config FILE.ini [section.key=value ...]   the same table for a training configuration\n"
      "       bin/inspect CKPT --trace N [--data FILE.h5]     one jet layer by layer, forward and backward\n"
      "       bin/inspect CKPT --spline LAYER FEATURE [--jet N] [--data FILE.h5] [-o OUT.csv]   knots and curve\n"
      "       bin/inspect CKPT --html OUT.html [--jet N] [--data FILE.h5] [--spline LAYER FEATURE] [--depth N]\n"
      "                                                       all of it as one self-contained page with figures",
      "Looks inside a flow, for people learning how flows work (docs/inspect.md).");
  cli.add_positional_list("CKPT | section.key=value",
                          "the checkpoint, or with --config overrides of the configuration");
  cli.add_option("depth", "N", "table rows down to this depth", "all; --html: layer 0 in full, the others to depth 2");
  cli.add_option("config", "FILE.ini", "show the table of a training configuration (no checkpoint, no training)");
  cli.add_option("trace", "N", "trace jet N of --data (without --data: random jet N) through every layer");
  cli.add_multi_option("spline", {"LAYER", "FEATURE"},
                       "knots and curve (CSV) of that layer's spline for that feature; with --html: the spline drawn");
  cli.add_option("html", "OUT.html", "write the page (module table, traced jet, spline, masks) here, atomically");
  cli.add_option("jet", "N", "with --spline or --html: jet N of --data (without --data: random jet N)", "0");
  cli.add_option("data", "FILE.h5", "JetNet file for a jet model, inputs file for a bare flow (docs/inspect.md)");
  cli.add_option("values", "K", "with --trace: transformed values shown per layer", "6");
  cli.add_option("grid", "G", "with --spline: curve points on [-1.25 B, 1.25 B]", "201");
  cli.add_option("o", "OUT.csv", "with --spline: write the CSV here (atomically) instead of standard output");
  return cli;
}

int run(const tools::CommandLine& cli) {
  const int depth = static_cast<int>(cli.integer("depth", -1, 0, INT32_MAX));
  if (const auto config = cli.value("config")) {
    if (cli.has("html")) throw tools::UsageError("--html needs a checkpoint (a trace needs weights), not --config");
    // The flow a training configuration describes, built (fresh weights) but not trained; the positional
    // arguments are section.key=value overrides as for bin/train.
    for (const std::string& a : cli.positional())
      if (a.find('=') == std::string::npos)
        throw tools::UsageError(fmt::format("with --config, \"{}\" is not a section.key=value override (give a "
                                            "checkpoint or --config, not both)", a));
    const flows::Flow flow(tools::flow_spec_from(tools::load_train_config(*config, cli.positional())));
    print_summary(flow, fmt::format("{}: training configuration (not trained)", *config), depth);
    return 0;
  }
  if (cli.positional().size() != 1)
    throw tools::UsageError(fmt::format("expected one checkpoint, got {} arguments", cli.positional().size()));
  if (cli.has("trace") && (cli.has("spline") || cli.has("html")))
    throw tools::UsageError(fmt::format("give --trace or --{}, not both (--html traces the jet of --jet)",
                                        cli.has("html") ? "html" : "spline"));
  const std::string& path = cli.positional()[0];
  // Outputs are checked before any work; neither may replace the model or the data it reads.
  std::vector<std::string> inputs{path};
  if (const auto data = cli.value("data")) inputs.push_back(*data);
  if (const auto out = cli.value("html")) tools::check_output_path("--html", *out, inputs);
  if (const auto out = cli.value("o")) tools::check_output_path("-o", *out, inputs);
  const flows::OpenedModel opened = flows::open_model(path);
  flows::Flow& flow = opened.flow();
  if (const auto out = cli.value("html")) {
    const flows::FlowInputs point = pick_point(opened, cli, cli.integer("jet", 0, 0));
    flows::InspectPageOptions options;
    options.model_description = describe(path, opened);
    options.jet_description = cli.has("data") ? fmt::format("jet {} of {}", cli.integer("jet", 0, 0), *cli.value("data"))
                                              : fmt::format("random jet {}", cli.integer("jet", 0, 0));
    options.depth = depth;
    if (cli.has("spline")) options.spline = std::make_pair(cli.integer_at("spline", 0), cli.integer_at("spline", 1));
    if (opened.is_jet_model) options.scaler = &opened.model.scaler;
    write_text_file_atomically(*out, flows::inspect_page(flow, point.x, point.context, options));
    std::fprintf(stderr, "wrote %s\n", out->c_str());
    return 0;
  }
  if (cli.has("trace")) {
    const flows::FlowInputs point = pick_point(opened, cli, cli.integer("trace", 0, 0));
    const flows::FlowTraceReport report = flows::trace_flow(flow, point.x, point.context);
    std::fputs(flows::format_trace(report, static_cast<int>(cli.integer("values", 6, 0, INT32_MAX))).c_str(), stdout);
    return 0;
  }
  if (cli.has("spline")) {
    const int64_t layer = cli.integer_at("spline", 0), feature = cli.integer_at("spline", 1);
    const flows::FlowInputs point = pick_point(opened, cli, cli.integer("jet", 0, 0));
    const flows::SplineCurve curve =
        flows::spline_curve(flow, layer, feature, point.x, point.context, cli.integer("grid", 201, 2));
    const std::string csv = flows::spline_csv(curve);
    if (const auto out = cli.value("o"))
      write_text_file_atomically(*out, csv);
    else
      std::fputs(csv.c_str(), stdout);
    return 0;
  }
  print_summary(flow, describe(path, opened), depth);
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return tools::run_program(make_command_line(), argc, argv, run); }

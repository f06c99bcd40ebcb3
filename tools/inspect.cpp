// bin/inspect: look inside a flow, for people learning how flows work: the module table of a checkpoint or
// of a training configuration, one jet traced layer by layer, a spline's knots and curve, or all of it as one
// HTML page with figures (docs/inspect.md). The actions themselves: flows/inspect/inspect_actions.h.
#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "engine/io/atomic_file.h"
#include "flows/inspect/inspect_actions.h"
#include "tools/common/cli.h"
#include "tools/common/output_path.h"
#include "tools/common/train_config.h"

using namespace flowjet;

namespace {

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
    std::fputs(flows::format_overview(flow, fmt::format("{}: training configuration (not trained)", *config), depth)
                   .c_str(), stdout);
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
  // The jet of --trace N or --jet N; the note goes to stderr so that standard output stays CSV for --spline.
  const auto jet = [&cli](const char* flag) { return flows::InspectJet{cli.value("data"), cli.integer(flag, 0, 0)}; };
  const flows::InspectNote note = [](const std::string& line) { std::fprintf(stderr, "no --data: %s\n", line.c_str()); };
  const auto spline = [&cli]() -> std::optional<std::pair<int64_t, int64_t>> {
    if (!cli.has("spline")) return std::nullopt;
    return std::make_pair(cli.integer_at("spline", 0), cli.integer_at("spline", 1));
  };
  if (const auto html = cli.value("html")) {
    const flows::InspectJet at = jet("jet");
    write_text_file_atomically(*html, flows::inspect_html(path, opened, at, depth, spline(), note));
    std::fprintf(stderr, "wrote %s\n", html->c_str());
  } else if (cli.has("trace")) {
    const flows::InspectJet traced = jet("trace");
    const int values = static_cast<int>(cli.integer("values", 6, 0, INT32_MAX));
    std::fputs(flows::inspect_trace(opened, traced, values, note).c_str(), stdout);
  } else if (cli.has("spline")) {
    const auto [layer, feature] = *spline();
    const flows::InspectJet at = jet("jet");
    const int64_t grid = cli.integer("grid", 201, 2);
    const std::string csv = flows::inspect_spline_csv(opened, at, layer, feature, grid, note);
    if (const auto out = cli.value("o"))
      write_text_file_atomically(*out, csv);
    else
      std::fputs(csv.c_str(), stdout);
  } else {
    std::fputs(flows::format_overview(opened.flow(), flows::describe_model(path, opened), depth).c_str(), stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return tools::run_program(make_command_line(), argc, argv, run); }

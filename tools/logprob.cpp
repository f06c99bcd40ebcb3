// bin/logprob CKPT DATA.h5 [-o OUT.csv] [--batch N] [--first N] [--max-jets N] [--noise [--seed S]]:
// the log-likelihood log p(x | c) of every jet under a trained model (and per dimension), with the jets
// preprocessed as in training. docs/inspect.md.
#include <cstdio>
#include <numeric>

#include <fmt/format.h>

#include "engine/core/error.h"
#include "engine/io/atomic_file.h"
#include "flows/io/flow_inputs.h"
#include "tools/common/arg_parser.h"
#include "tools/common/tool_main.h"
#include "tools/common/log_prob_table.h"

using namespace flowjet;

namespace {

int run(int argc, char** argv) {
  tools::ArgParser args("bin/logprob CKPT DATA.h5 [options]");
  args.add_option("-o", {"OUT.csv"}, "write the CSV here (atomically) instead of standard output");
  args.add_option("--batch", {"N"}, "rows per flow evaluation (default 1024)");
  args.add_option("--first", {"N"}, "first jet (row) of DATA.h5 (default 0)");
  args.add_option("--max-jets", {"N"}, "at most N jets (default: all)");
  args.add_switch("--noise", "add training's half-normal 1e-7 noise to padded slots (off by default)");
  args.add_option("--seed", {"S"}, "seed of that noise (default 42)");
  args.parse(argc, argv);
  if (args.wants_help()) {
    std::fputs(args.help().c_str(), stdout);
    std::puts("CKPT is a jet model (DATA.h5 a JetNet file) or a bare flow checkpoint (DATA.h5 then holds\n"
              "\"inputs\" [N, D] and, for a conditioned flow, \"context\" [N, C] in flowjet's checkpoint layout).\n"
              "Columns: jet, log_prob = log p(x | c), log_prob_per_dim = log_prob / D.");
    return 0;
  }
  if (args.positional().size() != 2)
    throw ConfigError(fmt::format("expected CKPT and DATA.h5, got {} arguments (see --help)",
                                  args.positional().size()));
  const std::string& checkpoint = args.positional()[0];
  const std::string& data_path = args.positional()[1];
  const int64_t batch = args.get_int("--batch", 1024, 1);
  const int64_t first = args.get_int("--first", 0, 0);
  const int64_t max_jets = args.get_int("--max-jets", -1, 1);
  flows::JetInputOptions input_options;
  input_options.add_noise = args.has("--noise");
  input_options.noise_seed = static_cast<uint64_t>(args.get_int("--seed", 42, 0));

  const flows::OpenedModel opened = flows::open_model(checkpoint);
  const flows::FlowInputs inputs = flows::read_flow_inputs(opened, data_path, first, max_jets, input_options);
  const std::vector<double> log_prob = tools::batched_log_prob(opened.flow(), inputs, batch);
  const int64_t features = opened.flow().spec().features;
  const std::string csv = tools::log_prob_csv(log_prob, first, features);
  if (args.has("-o"))
    write_text_file_atomically(args.get("-o"), csv);
  else
    std::fputs(csv.c_str(), stdout);
  const double mean = log_prob.empty() ? 0.0 : std::accumulate(log_prob.begin(), log_prob.end(), 0.0) /
                                                   static_cast<double>(log_prob.size());
  std::fprintf(stderr, "%zu jets: mean log p = %.6f (%.6f per dimension)\n", log_prob.size(), mean,
               mean / static_cast<double>(features));
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return tools::guarded_main("bin/logprob", run, argc, argv); }

// bin/logprob CKPT DATA.h5 [-o OUT.csv] [--batch N] [--first N] [--max-jets N] [--noise [--seed S]]:
// the log-likelihood log p(x | c) of every jet under a trained model (and per dimension), with the jets
// preprocessed as in training; a bare flow scores the "inputs" (and "context") datasets of any HDF5
// file. docs/inspect.md.
#include <cstdio>
#include <numeric>

#include "engine/io/atomic_file.h"
#include "flows/io/flow_inputs.h"
#include "tools/common/cli.h"
#include "tools/common/log_prob_table.h"
#include "tools/common/output_path.h"

using namespace flowjet;

namespace {

tools::CommandLine make_command_line() {
  tools::CommandLine cli(
      "bin/logprob",
      "usage: bin/logprob CKPT DATA.h5 [-o OUT.csv] [--batch N] [--first N] [--max-jets N] [--noise [--seed S]]",
      "The log-likelihood of every jet under a trained model, with the jets preprocessed as in training.\n"
      "CKPT is a jet model (DATA.h5 a JetNet file) or a bare flow checkpoint (DATA.h5 then is any HDF5\n"
      "file with float32/float64 datasets \"inputs\" [N, D] and, for a conditioned flow, \"context\" [N, C],\n"
      "already in the flow's coordinates).\n"
      "Columns: jet, log_prob = log p(x | c), log_prob_per_dim = log_prob / D.");
  cli.add_positional("CKPT", "a jet model or a bare flow checkpoint");
  cli.add_positional("DATA.h5", "the jets (JetNet file) or, for a bare flow, the inputs (HDF5 \"inputs\"/\"context\")");
  cli.add_option("o", "OUT.csv", "write the CSV here (atomically) instead of standard output");
  cli.add_option("batch", "N", "rows per flow evaluation", "1024");
  cli.add_option("first", "N", "first jet (row) of DATA.h5", "0");
  cli.add_option("max-jets", "N", "at most N jets", "all");
  cli.add_switch("noise", "add training's half-normal 1e-7 noise to padded slots (off by default)");
  cli.add_option("seed", "S", "seed of that noise", "42");
  return cli;
}

int run(const tools::CommandLine& cli) {
  const std::string& checkpoint = cli.positional()[0];
  const std::string& data_path = cli.positional()[1];
  const int64_t batch = cli.integer("batch", 1024, 1);
  const int64_t first = cli.integer("first", 0, 0);
  const int64_t max_jets = cli.integer("max-jets", -1, 1);
  flows::JetInputOptions input_options;
  input_options.add_noise = cli.has("noise");
  input_options.noise_seed = cli.unsigned_integer("seed", 42);
  if (const auto out = cli.value("o")) tools::check_output_path("-o", *out, {checkpoint, data_path});

  const flows::OpenedModel opened = flows::open_model(checkpoint);
  const flows::FlowInputs inputs = flows::read_flow_inputs(opened, data_path, first, max_jets, input_options);
  const std::vector<double> log_prob = tools::batched_log_prob(opened.flow(), inputs, batch);
  const int64_t features = opened.flow().spec().features;
  const std::string csv = tools::log_prob_csv(log_prob, first, features);
  if (const auto out = cli.value("o"))
    write_text_file_atomically(*out, csv);
  else
    std::fputs(csv.c_str(), stdout);
  const double mean = log_prob.empty() ? 0.0 : std::accumulate(log_prob.begin(), log_prob.end(), 0.0) /
                                                   static_cast<double>(log_prob.size());
  std::fprintf(stderr, "%zu jets: mean log p = %.6f (%.6f per dimension)\n", log_prob.size(), mean,
               mean / static_cast<double>(features));
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return tools::run_program(make_command_line(), argc, argv, run); }

// bin/sample: generates jets from a trained jet model into a JetNet HDF5 file (training.md §9).
//   sample CKPT -n N -o OUT.h5 [--seed S] [--batch B] [--conditions FILE] [--threads T]
//          [--jet-pt GEV] [--min-pt-rel X] [--device cpu|cuda|auto]
// Flags, the conditions file format and the output are documented in docs/sampling.md.
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>

#include "data/jetnet_hdf5.h"
#include "engine/backend/cpu/thread_pool.h"
#include "engine/backend/device_choice.h"
#include "engine/core/error.h"
#include "flows/conditions_file.h"
#include "flows/generate.h"

using namespace flowjet;

namespace {

constexpr const char* kUsage =
    "usage: sample CKPT -n N -o OUT.h5 [--seed S] [--batch B] [--conditions FILE] [--threads T]\n"
    "              [--jet-pt GEV] [--min-pt-rel X] [--device cpu|cuda|auto]\n"
    "  CKPT              a jet-model checkpoint written by bin/train\n"
    "  -n N              jets to generate (with --conditions: default one per condition; a multiple\n"
    "                    of the number of conditions repeats each of them)\n"
    "  -o OUT.h5         output file in the JetNet layout (written atomically)\n"
    "  --seed S          seed of every random draw (default 42)\n"
    "  --batch B         jets per pass through the flow (default 10000; bounds memory)\n"
    "  --conditions FILE text rows \"mass n\" (mass = m/pt as in training) or a JetNet .h5 file\n"
    "  --threads T       CPU threads (default: all cores, or FLOWJET_THREADS)\n"
    "  --jet-pt GEV      jet pt written to jet_features, scale of the written mass (default 1000)\n"
    "  --min-pt-rel X    slots with pt_rel <= X are padding (default 0)\n"
    "  --device D        cpu (default), cuda, or auto (cuda when a GPU is usable, else cpu)\n";

// A command-line mistake: reported with the usage text, exit code 2.
struct UsageError {
  std::string message;
};

struct Arguments {
  std::string checkpoint;
  std::string output;
  std::optional<int64_t> count;
  std::optional<std::string> conditions;
  std::optional<int64_t> threads;
  std::string device = "cpu";
  flows::GenerateOptions generate;
};

int64_t parse_integer(const std::string& flag, const std::string& text, int64_t minimum) {
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || value < minimum)
    throw UsageError{fmt::format("{} expects an integer >= {}, got \"{}\"", flag, minimum, text)};
  return value;
}

uint64_t parse_seed(const std::string& text) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long value = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || text[0] == '-' || *end != '\0' || errno != 0)
    throw UsageError{fmt::format("--seed expects a non-negative integer, got \"{}\"", text)};
  return value;
}

double parse_number(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0') throw UsageError{fmt::format("{} expects a number, got \"{}\"", flag, text)};
  return value;
}

Arguments parse_arguments(int argc, char** argv) {
  Arguments args;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw UsageError{fmt::format("{} needs a value", arg)};
      return argv[++i];
    };
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (arg == "-n") {
      args.count = parse_integer(arg, value(), 1);
    } else if (arg == "-o") {
      args.output = value();
    } else if (arg == "--seed") {
      args.generate.seed = parse_seed(value());
    } else if (arg == "--batch") {
      args.generate.batch_size = parse_integer(arg, value(), 1);
    } else if (arg == "--conditions") {
      args.conditions = value();
    } else if (arg == "--threads") {
      args.threads = parse_integer(arg, value(), 1);
    } else if (arg == "--jet-pt") {
      args.generate.jet_pt = parse_number(arg, value());
    } else if (arg == "--min-pt-rel") {
      args.generate.min_pt_rel = parse_number(arg, value());
    } else if (arg == "--device") {
      args.device = value();
      if (args.device != "cpu" && args.device != "cuda" && args.device != "auto")
        throw UsageError{fmt::format("--device expects cpu, cuda or auto, got \"{}\"", args.device)};
    } else if (!arg.empty() && arg[0] == '-') {
      throw UsageError{fmt::format("unknown option {}", arg)};
    } else if (args.checkpoint.empty()) {
      args.checkpoint = arg;
    } else {
      throw UsageError{fmt::format("unexpected argument \"{}\" (the checkpoint is \"{}\")", arg, args.checkpoint)};
    }
  }
  if (args.checkpoint.empty()) throw UsageError{"no checkpoint given"};
  if (args.output.empty()) throw UsageError{"no output file given (-o OUT.h5)"};
  if (!args.count && !args.conditions) throw UsageError{"the number of jets is missing (-n N)"};
  return args;
}

// "12,345/100,000 jets (12.3 %), 4,321 jets/s, ETA 21 s" on stderr: rewritten in place on a
// terminal, one line per tenth of the run otherwise.
class Progress {
 public:
  Progress() : start_(std::chrono::steady_clock::now()), is_terminal_(isatty(STDERR_FILENO) != 0) {}

  void update(int64_t done, int64_t total) {
    const double seconds = elapsed();
    const double rate = seconds > 0.0 ? static_cast<double>(done) / seconds : 0.0;
    const double eta = rate > 0.0 ? static_cast<double>(total - done) / rate : 0.0;
    const std::string line = fmt::format("sample: {}/{} jets ({:.1f} %), {:.0f} jets/s, ETA {:.0f} s", done, total,
                                         100.0 * static_cast<double>(done) / static_cast<double>(total), rate, eta);
    const int64_t tenth = 10 * done / total;
    if (is_terminal_) {
      std::fprintf(stderr, "\r%s", line.c_str());
      if (done == total) std::fputc('\n', stderr);
    } else if (tenth > last_tenth_) {
      std::fprintf(stderr, "%s\n", line.c_str());
      last_tenth_ = tenth;
    }
  }
  double elapsed() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

 private:
  std::chrono::steady_clock::time_point start_;
  bool is_terminal_;
  int64_t last_tenth_ = 0;
};

int run(const Arguments& args) {
  if (args.threads) set_num_threads(static_cast<int>(*args.threads));
  std::string note;
  const Device device = choose_device(args.device, "--device", note);
  if (!note.empty()) std::fprintf(stderr, "sample: %s\n", note.c_str());
  flows::JetModel model = flows::load_jet_model(args.checkpoint);
  model.flow->to(device);
  if (model.jet_type.empty())
    std::fprintf(stderr, "sample: the checkpoint does not name its jet type; the file says \"g\"\n");

  Progress progress;
  flows::GenerateOptions options = args.generate;
  options.progress = [&progress](int64_t done, int64_t total) { progress.update(done, total); };
  data::JetSet jets;
  if (args.conditions) {
    const flows::SampledConditions given = flows::read_conditions_file(*args.conditions, model);
    jets = flows::generate_jets(model, flows::repeat_conditions(given, args.count.value_or(given.size())), options);
  } else {
    jets = flows::generate_jets(model, *args.count, options);
  }

  data::WriteOptions write;
  write.attributes = {{"generator", "flowjet bin/sample"},
                      {"checkpoint", args.checkpoint},
                      {"model_kind", model.kind},
                      {"seed", std::to_string(options.seed)},
                      {"conditions", args.conditions.value_or("sampled from the model")},
                      {"jet_pt", fmt::format("{}", options.jet_pt)},
                      {"min_pt_rel", fmt::format("{}", options.min_pt_rel)}};
  data::write_jetnet(args.output, jets, write);
  std::fprintf(stderr, "sample: wrote %s: %lld jets x %lld particles in %.1f s\n", args.output.c_str(),
               static_cast<long long>(jets.jets), static_cast<long long>(jets.particles), progress.elapsed());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse_arguments(argc, argv));
  } catch (const UsageError& e) {
    std::fprintf(stderr, "sample: %s\n%s", e.message.c_str(), kUsage);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sample: %s\n", e.what());
    return 1;
  }
}

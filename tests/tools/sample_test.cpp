// bin/sample end to end: a saved small jet model -> JetNet file that strict validation accepts,
// equal to in-process generation with the same seed; conditions files (text and JetNet); errors
// with a non-zero exit code and a message naming the culprit; an unusable output folder fails before
// any jets are made, and an interrupted run leaves no file.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "data/jetnet_hdf5.h"
#include "engine/backend/cuda/runtime.h"
#include "flows/conditions_file.h"
#include "flows/generate.h"
#include "tests/support/jet_model_fixture.h"
#include "tests/support/program_run.h"
#include "tests/support/sanitizer.h"
#include "tests/support/temp_dir.h"

using namespace flowjet;

namespace {

// bin/sample next to this test binary (bin/ or the sanitizer build's bin/).
std::string sample_program() { return test::program_path("sample"); }

struct Run {
  int exit_code;
  std::string stderr_text;
};

Run run_sample(const test::TempDir& dir, const std::string& arguments) {
  const std::string log = dir.file("stderr.txt");
  const int status = std::system((sample_program() + " " + arguments + " 2> " + log).c_str());
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str()};
}

data::JetSet read_strict(const std::string& path) {
  data::ReadOptions options;
  options.strict = true;
  options.type = data::JetType::G;
  return data::read_jetnet(path, options);
}

void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

}  // namespace

TEST_CASE("tools/sample: writes strictly valid JetNet jets equal to in-process generation") {
  REQUIRE(std::filesystem::exists(sample_program()));
  test::TempDir dir;
  flows::JetModel model = test::small_jet_model("cnf_mn");
  flows::save_jet_model(dir.file("model.h5"), model);

  const Run run = run_sample(dir, dir.file("model.h5") + " -n 120 -o " + dir.file("jets.h5") +
                                      " --seed 9 --batch 50 --threads 1");
  INFO(run.stderr_text);
  REQUIRE(run.exit_code == 0);
  CHECK(run.stderr_text.find("120/120 jets") != std::string::npos);
  const data::JetSet jets = read_strict(dir.file("jets.h5"));
  CHECK(jets.jets == 120);

  flows::GenerateOptions options;
  options.seed = 9;
  const data::JetSet expected = flows::generate_jets(model, 120, options);
  CHECK(jets.particle_features == expected.particle_features);
  CHECK(jets.jet_features == expected.jet_features);
  const auto attributes = data::read_jetnet_attributes(dir.file("jets.h5"));
  CHECK(attributes.at("seed") == "9");
  CHECK(attributes.at("model_kind") == "cnf_mn");
}

TEST_CASE("tools/sample: conditions from a text file (with oversampling) and from a JetNet file") {
  test::TempDir dir;
  flows::JetModel model = test::small_jet_model("cnf_mn");
  flows::save_jet_model(dir.file("model.h5"), model);
  write_text(dir.file("conditions.csv"), "mass,n\n# three jets\n0.05, 2\n0.10,4\n\n0.2 7\n");

  Run run = run_sample(dir, dir.file("model.h5") + " --conditions " + dir.file("conditions.csv") + " -n 6 -o " +
                                dir.file("jets.h5"));
  INFO(run.stderr_text);
  REQUIRE(run.exit_code == 0);
  const data::JetSet jets = read_strict(dir.file("jets.h5"));
  REQUIRE(jets.jets == 6);
  const int64_t limits[] = {2, 4, 7};
  for (int64_t i = 0; i < 6; ++i) CHECK(jets.real_particles(i) <= limits[i % 3]);

  // The JetNet file's own (mass, n), as training computes them.
  data::write_jetnet(dir.file("data.h5"), test::jetnet_like_jets(20, 4));
  const flows::SampledConditions from_file = flows::read_conditions_file(dir.file("data.h5"), model);
  REQUIRE(from_file.size() == 20);
  const data::JetSet source = test::jetnet_like_jets(20, 4);
  for (int64_t i = 0; i < 20; ++i) CHECK(from_file.n[static_cast<size_t>(i)] == source.real_particles(i));
  run = run_sample(dir, dir.file("model.h5") + " --conditions " + dir.file("data.h5") + " -o " + dir.file("jets2.h5"));
  REQUIRE(run.exit_code == 0);
  CHECK(read_strict(dir.file("jets2.h5")).jets == 20);
}

TEST_CASE("tools/sample: conditions are scaled with the model's scaler; bad rows name file and line") {
  test::TempDir dir;
  flows::JetModel model = test::small_jet_model("cnf_m");
  write_text(dir.file("c.txt"), "0.1\n0.2 5\n");
  const flows::SampledConditions c = flows::read_conditions_file(dir.file("c.txt"), model);
  REQUIRE(c.size() == 2);
  CHECK(c.mass[0] == model.scaler.transform(0.1, 90));
  CHECK(c.n[1] == 5);

  flows::JetModel mn = test::small_jet_model("cnf_mn");
  const std::pair<const char*, const char*> bad[] = {
      {"0.1 3\n0.2\n", "c.txt:2: the model is conditioned on (m, n) but the row gives no n"},
      {"0.1 31\n", "c.txt:1: n = 31 must be an integer in 1..30"},
      {"0.1 2.5\n", "c.txt:1: n = 2.5 is not an integer"},
      {"-0.1 3\n", "c.txt:1: mass -0.1 must be a finite number >= 0"},
      {"0.1 3 4\n", "c.txt:1: expected \"mass n\""},
      {"0.1 x\n", "c.txt:1: expected \"mass n\""},
      {"# nothing\n", "holds no conditions"},
  };
  for (const auto& [text, message] : bad) {
    CAPTURE(text);
    write_text(dir.file("c.txt"), text);
    CHECK_THROWS_WITH_AS(flows::read_conditions_file(dir.file("c.txt"), mn), doctest::Contains(message), DataError);
  }
  CHECK_THROWS_WITH_AS(flows::read_conditions_file(dir.file("missing.txt"), mn), doctest::Contains("missing.txt"),
                       DataError);
  CHECK_THROWS_WITH_AS(flows::read_conditions_file(dir.file("c.txt"), test::small_jet_model("vnf")),
                       doctest::Contains("unconditioned"), ConfigError);
  CHECK_THROWS_WITH_AS(flows::repeat_conditions(c, 3), doctest::Contains("use a multiple of 2"), ConfigError);
}

TEST_CASE("flows/scale_conditions: values are checked and scaled as conditions-file rows are") {
  test::TempDir dir;
  flows::JetModel mn = test::small_jet_model("cnf_mn");
  write_text(dir.file("c.txt"), "0.05 12\n0.1 25\n");
  const flows::SampledConditions from_file = flows::read_conditions_file(dir.file("c.txt"), mn);
  const flows::SampledConditions from_values = flows::scale_conditions(mn, {0.05, 0.1}, {12, 25}, "values");
  CHECK(from_values.mass == from_file.mass);
  CHECK(from_values.n == from_file.n);
  CHECK(flows::scale_conditions(test::small_jet_model("cnf_m"), {0.2}, {}, "values").n == std::vector<int32_t>{0});

  CHECK_THROWS_WITH_AS(flows::scale_conditions(mn, {0.1, 0.2}, {3, 31}, "values"),
                       doctest::Contains("values: row 1: n = 31 must be an integer in 1..30"), DataError);
  CHECK_THROWS_WITH_AS(flows::scale_conditions(mn, {-1.0}, {3}, "values"),
                       doctest::Contains("values: row 0: mass -1 must be a finite number >= 0"), DataError);
  CHECK_THROWS_WITH_AS(flows::scale_conditions(mn, {0.1}, {3, 4}, "values"),
                       doctest::Contains("values: 1 masses but 2 values of n"), ShapeError);
  CHECK_THROWS_WITH_AS(flows::scale_conditions(mn, {}, {}, "values"), doctest::Contains("values holds no conditions"),
                       DataError);
  CHECK_THROWS_WITH_AS(flows::scale_conditions(test::small_jet_model("vnf"), {0.1}, {}, "values"),
                       doctest::Contains("values given, but the model is unconditioned"), ConfigError);
}

TEST_CASE("tools/sample: command-line and input errors exit non-zero with a clear message") {
  test::TempDir dir;
  flows::save_jet_model(dir.file("model.h5"), test::small_jet_model("vnf"));
  write_text(dir.file("c.txt"), "0.1 3\n");
  const std::string model = dir.file("model.h5"), out = " -o " + dir.file("out.h5");
  const std::pair<std::string, std::string> cases[] = {
      {model + " -n 10", "-o is required"},
      {model + out, "the number of jets is missing"},
      {model + " -n ten" + out, "-n: 'ten' is not an integer"},
      {model + " -n 0" + out, "-n: expected an integer >= 1, got 0"},
      {model + " -n 10 --bogus" + out, "unknown flag --bogus"},
      {model + " -n 10 --seed -3" + out, "--seed: '-3' is not a non-negative integer"},
      {model + " -n 10 --device gpu" + out, "--device: 'gpu' is not one of cpu, cuda, auto"},
      {"-n 10" + out, "missing argument CKPT"},
      {model + " -n 10 --min-pt-rel 2" + out, "--min-pt-rel: 2 is outside [0, 1) (pt_rel is a fraction of the jet pt"},
      {model + " -n 10 --min-pt-rel -0.5" + out, "--min-pt-rel: -0.5 is outside [0, 1)"},
  };
  for (const auto& [arguments, message] : cases) {
    CAPTURE(arguments);
    const Run run = run_sample(dir, arguments);
    CHECK(run.exit_code == 2);
    CHECK(run.stderr_text.find(message) != std::string::npos);
    CHECK(run.stderr_text.find("run bin/sample --help") != std::string::npos);
  }
  const std::pair<std::string, std::string> failures[] = {
      {dir.file("nope.h5") + " -n 10" + out, "nope.h5"},
      {model + " -n 10 --conditions " + dir.file("c.txt") + out, "unconditioned"},
  };
  for (const auto& [arguments, message] : failures) {
    CAPTURE(arguments);
    const Run run = run_sample(dir, arguments);
    CHECK(run.exit_code == 1);
    CHECK(run.stderr_text.find(message) != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(dir.file("out.h5")));
}

TEST_CASE("tools/sample: jets left without particles are written with one warning giving their count") {
  test::TempDir dir;
  flows::save_jet_model(dir.file("model.h5"), test::small_jet_model("vnf"));
  const std::string out = dir.file("out.h5");
  Run run = run_sample(dir, dir.file("model.h5") + " -n 40 --batch 16 --min-pt-rel 0.999 -o " + out);
  REQUIRE(run.exit_code == 0);
  CHECK(run.stderr_text.find("sample: warning: 40 of 40 jets have no particle (every slot padding; a lower "
                             "--min-pt-rel keeps more)") != std::string::npos);
  run = run_sample(dir, dir.file("model.h5") + " -n 40 -o " + out);
  REQUIRE(run.exit_code == 0);
  CHECK(run.stderr_text.find("have no particle") == std::string::npos);
}

// Skipped (and counted as skipped) under AddressSanitizer: the address-space limit below leaves no room
// for its shadow memory.
TEST_CASE("tools/sample: running out of memory is one clear line and exit 1" *
          doctest::skip(test::kAddressSanitizer)) {
  test::TempDir dir;
  flows::save_jet_model(dir.file("model.h5"), test::small_jet_model("vnf"));
  // 4 GB of address space (the shared libraries, CUDA's and MPI's among them, take about 1 GB) cannot
  // hold a batch of 10^7 jets' flow activations (3.6 GB per [10^7, 90] tensor). OpenBLAS (LAPACK's
  // backend on some systems) starts a thread that retries its buffer allocation forever under such
  // a limit and exit() waits for it, so it gets no thread; `timeout` turns any hang into a failure.
  const std::string log = dir.file("oom.txt");
  const int status = std::system(("ulimit -v 4000000; OPENBLAS_NUM_THREADS=1 timeout -s KILL 300 " +
                                  sample_program() + " " + dir.file("model.h5") + " -n 10000000 --batch 10000000 -o " +
                                  dir.file("out.h5") + " 2> " + log)
                                     .c_str());
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  CHECK(text.str() == "bin/sample: error: out of memory while running bin/sample: the run needs more memory than "
                      "is available\n");
  CHECK_FALSE(std::filesystem::exists(dir.file("out.h5")));
}

TEST_CASE("tools/sample: an unusable output folder fails before any jets are made") {
  test::TempDir dir;
  flows::save_jet_model(dir.file("model.h5"), test::small_jet_model("cnf_mn"));
  const Run run = run_sample(dir, dir.file("model.h5") + " -n 100000 --batch 1000 -o " + dir.file("missing/out.h5"));
  CHECK(run.exit_code == 2);  // checked with the arguments, before the model is read
  CHECK(run.stderr_text.find("-o \"" + dir.file("missing/out.h5") + "\": the folder \"" + dir.file("missing") +
                             "\" does not exist") != std::string::npos);
  CHECK(run.stderr_text.find("jets/s") == std::string::npos);  // no progress line: nothing was generated
}

TEST_CASE("tools/sample: an interrupted run stops after its batch and leaves no file") {
  test::TempDir dir;
  flows::save_jet_model(dir.file("model.h5"), test::small_jet_model("vnf"));
  const std::string out = dir.file("out/jets.h5");
  std::filesystem::create_directory(dir.file("out"));
  // SIGINT once the temporary file exists, i.e. while batches are being written; 10^8 jets
  // would take hours, so the run is certainly still going.
  const std::string script = sample_program() + " " + dir.file("model.h5") + " -n 100000000 --batch 500 -o " + out +
                             " 2> " + dir.file("stderr.txt") + " & pid=$!; for i in $(seq 1200); do ls " +
                             dir.file("out") + " | grep -q tmp- && break; sleep 0.05; done; kill -INT $pid; wait $pid";
  const int status = std::system(script.c_str());
  std::ifstream in(dir.file("stderr.txt"));
  std::stringstream text;
  text << in.rdbuf();
  INFO(text.str());
  CHECK((WIFEXITED(status) ? WEXITSTATUS(status) : -1) == 130);
  CHECK(text.str().find("interrupted by signal 2 after") != std::string::npos);
  CHECK(std::filesystem::is_empty(dir.file("out")));  // neither the output nor the temporary file
}

TEST_CASE("tools/sample: --device auto runs where CUDA is usable, --device cuda says why it cannot") {
  test::TempDir dir;
  flows::JetModel model = test::small_jet_model("cnf_mn");
  flows::save_jet_model(dir.file("model.h5"), model);
  const std::string common = dir.file("model.h5") + " -n 40 --seed 5 -o ";
  const Run automatic = run_sample(dir, common + dir.file("auto.h5") + " --device auto");
  INFO(automatic.stderr_text);
  REQUIRE(automatic.exit_code == 0);
  CHECK(read_strict(dir.file("auto.h5")).jets == 40);
  const Run cuda = run_sample(dir, common + dir.file("cuda.h5") + " --device cuda");
  if (cuda_available()) {
    CHECK(automatic.stderr_text.find("--device = auto: using CUDA (") != std::string::npos);
    CHECK(cuda.exit_code == 0);
  } else {
    CHECK(automatic.stderr_text.find("--device = auto: using the CPU (" + cuda_unavailable_reason() + ")") !=
          std::string::npos);
    CHECK(cuda.exit_code == 1);
    CHECK(cuda.stderr_text.find("--device = cuda: " + cuda_unavailable_reason()) != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir.file("cuda.h5")));
  }
}

TEST_CASE("tools/sample: a file larger than the free space is refused before any work") {
  test::TempDir dir;
  flows::save_jet_model(dir.file("model.h5"), test::small_jet_model("cnf_mn"));
  // 10^15 jets of 30 particles would be about 5e17 bytes.
  const Run run = run_sample(dir, dir.file("model.h5") + " -n 1000000000000000 -o " + dir.file("out.h5"));
  CHECK(run.exit_code == 2);
  CHECK(run.stderr_text.find("-n 1000000000000000: 1000000000000000 jets of 30 particles need 4.96e+08 GB") !=
        std::string::npos);
  CHECK(!std::filesystem::exists(dir.file("out.h5")));
}

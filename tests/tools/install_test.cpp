// make install and the embedding API end to end: install into a temporary prefix, build
// docs/examples/embed.cpp (the README's embedding example) with pkg-config's flags, run it on a
// small checkpoint and compare its output with the same calls made in-process; the public header
// pulls in no HDF5, CUDA or fmt header; FPND's resources are installed unchanged.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/backend/cuda/runtime.h"
#include "flows/api/jet_generator.h"
#include "flows/io/jet_model.h"
#include "metrics/fpnd/fpnd_resources.h"
#include "tests/support/jet_model_fixture.h"
#include "tests/support/sanitizer.h"
#include "tests/support/temp_dir.h"

using namespace flowjet;

namespace {

struct Shell {
  int exit_code;
  std::string output;  // stdout and stderr
};

Shell shell(const test::TempDir& dir, const std::string& command) {
  const std::string log = dir.file("shell.log");
  const int status = std::system(("(" + command + ") > " + log + " 2>&1").c_str());
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str()};
}

// The make variables of the build this test belongs to, so that `make install` reuses its library.
std::string build_variables() {
  std::string variables;
  if (test::kAddressSanitizer) variables += " SANITIZE=1 BUILD=build/sanitize BIN=build/sanitize/bin";
#ifdef FLOWJET_CUDA
  variables += " CUDA=1";
#else
  variables += " CUDA=0";
#endif
  return variables;
}

std::string format_line(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string format_line(const char* format, ...) {
  char buffer[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buffer, sizeof buffer, format, args);
  va_end(args);
  return buffer;
}

}  // namespace

TEST_CASE("tools/install: make install, then the embedding example builds with pkg-config and runs") {
  REQUIRE(std::filesystem::exists("Makefile"));  // run from the repository root
  test::TempDir dir;
  const std::string prefix = dir.file("prefix");
  const std::string make = "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -s install PREFIX=" +
                           prefix + build_variables();
  Shell installed = shell(dir, make);
  INFO(installed.output);
  REQUIRE(installed.exit_code == 0);
  installed = shell(dir, make);  // idempotent: a second run succeeds and leaves the same tree
  REQUIRE(installed.exit_code == 0);
  CHECK(std::filesystem::exists(prefix + "/lib/libflowjet.a"));
  CHECK(std::filesystem::exists(prefix + "/include/flowjet/jet_generator.h"));
  CHECK(std::filesystem::exists(prefix + "/include/flowjet/flows/flow.h"));
  for (const auto& entry : std::filesystem::directory_iterator(prefix + "/include"))
    CHECK(entry.path().filename() == "flowjet");  // no staging directory left behind
  // FPND's resources, unchanged, where programs in PREFIX/bin and pkg-config's fpnd_dir find them.
  for (const metrics::FpndResourceFile& file : metrics::fpnd_resource_files())
    CHECK_NOTHROW(metrics::verify_fpnd_resource(prefix + "/share/flowjet/fpnd", file.name));
  for (const auto& entry : std::filesystem::directory_iterator(prefix + "/share/flowjet"))
    CHECK(entry.path().filename() == "fpnd");
  const Shell fpnd_dir = shell(dir, "PKG_CONFIG_PATH=" + prefix + "/lib/pkgconfig pkg-config --variable=fpnd_dir flowjet");
  CHECK(fpnd_dir.output == prefix + "/share/flowjet/fpnd\n");

  // The public header alone needs only the standard library: no HDF5, CUDA or fmt header is read.
  const Shell headers = shell(dir, "g++ -std=c++17 -fsyntax-only -H -I" + prefix + "/include docs/examples/embed.cpp");
  INFO(headers.output);
  CHECK(headers.exit_code == 0);
  for (const char* forbidden : {"hdf5", "cuda", "fmt/"}) CHECK(headers.output.find(forbidden) == std::string::npos);

  const std::string program = dir.file("embed");
  const Shell built = shell(dir, "PKG_CONFIG_PATH=" + prefix + "/lib/pkgconfig; export PKG_CONFIG_PATH; "
                                 "g++ -std=c++17 docs/examples/embed.cpp $(pkg-config --cflags --libs flowjet) -o " +
                                     program);
  INFO(built.output);
  REQUIRE(built.exit_code == 0);

  flows::save_jet_model(dir.file("model.h5"), test::small_jet_model("cnf_mn"));
  const Shell ran = shell(dir, program + " " + dir.file("model.h5"));
  INFO(ran.output);
  REQUIRE(ran.exit_code == 0);

  // The same calls in-process give the same numbers.
  JetGenerator generator(dir.file("model.h5"));
  const Jets jets = generator.sample(1000, 7);
  const std::vector<double> log_p = generator.log_prob(jets);
  double particles = 0.0, mean_log_p = 0.0;
  for (int64_t i = 0; i < jets.count; ++i) {
    particles += jets.jet_features[static_cast<size_t>(i * 4 + 3)];
    mean_log_p += log_p[static_cast<size_t>(i)];
  }
  const std::string expected =
      "model cnf_mn (g jets, 30 particles)\n" +
      format_line("1000 jets, mean num_particles %.3f, leading pt_rel of jet 0 %.6f, mean log p %.6f\n",
                  particles / 1000.0, jets.particle_features[2], mean_log_p / 1000.0);
  CHECK(ran.output == expected);

  const Shell missing = shell(dir, program + " " + dir.file("missing.h5"));
  CHECK(missing.exit_code == 1);
  CHECK(missing.output.find("missing.h5") != std::string::npos);
}

TEST_CASE("tools/install: JetGenerator samples like bin/sample and scores its own jets") {
  test::TempDir dir;
  flows::save_jet_model(dir.file("model.h5"), test::small_jet_model("cnf_m"));
  JetGenerator generator(dir.file("model.h5"));
  CHECK(generator.particles() == 30);
  CHECK(generator.kind() == "cnf_m");
  CHECK(generator.jet_type() == "g");
  const Jets a = generator.sample(50, 3), b = generator.sample(50, 3);
  CHECK(a.count == 50);
  CHECK(a.particles == 30);
  CHECK(a.particle_features.size() == 50u * 30u * 4u);
  CHECK(a.particle_features == b.particle_features);
  CHECK(generator.sample(50, 4).particle_features != a.particle_features);
  const std::vector<double> log_p = generator.log_prob(a);
  REQUIRE(log_p.size() == 50u);
  for (double v : log_p) CHECK(std::isfinite(v));

  Jets wrong = a;
  wrong.particles = 10;
  CHECK_THROWS_WITH_AS(generator.log_prob(wrong), doctest::Contains("10 particles per jet but the model expects 30"),
                       std::runtime_error);
  CHECK_THROWS_WITH_AS(JetGenerator(dir.file("nope.h5")), doctest::Contains("nope.h5"), std::runtime_error);
  CHECK(generator.device() == "cpu");
  CHECK_THROWS_WITH_AS(JetGenerator(dir.file("model.h5"), "gpu"),
                       doctest::Contains("JetGenerator: device = \"gpu\" must be cpu, cuda or auto"),
                       std::runtime_error);
  const JetGenerator automatic(dir.file("model.h5"), "auto");
  CHECK(automatic.device() == (cuda_available() ? "cuda" : "cpu"));
  if (!cuda_available())
    CHECK_THROWS_WITH_AS(JetGenerator(dir.file("model.h5"), "cuda"), doctest::Contains("JetGenerator: device = cuda: "),
                         std::runtime_error);
}

TEST_CASE("tools/install: the README's embedding example is docs/examples/embed.cpp, verbatim") {
  auto read = [](const char* path) {
    std::ifstream in(path);
    REQUIRE_MESSAGE(in, path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  const std::string readme = read("README.md"), example = read("docs/examples/embed.cpp");
  CHECK(readme.find("```cpp\n" + example + "```\n") != std::string::npos);
}

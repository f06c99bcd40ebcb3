// Command-line parsing of the tools (tools/common/cli.h).
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "engine/core/error.h"
#include "tests/support/temp_dir.h"
#include "tools/common/cli.h"

using namespace flowjet;
using namespace flowjet::tools;

namespace {

CommandLine test_cli() {
  CommandLine cli("prog", "usage: prog --in FILE", "Does things.");
  cli.add_option("in", "FILE", "input file");
  cli.add_option("seed", "S", "seed", "42");
  cli.add_option("preset", "NAME", "preset", "talk");
  cli.add_switch("help", "print this help");
  return cli;
}

// Parses the words (after the program name); returns the ConfigError message or "".
std::string parse_error(CommandLine& cli, std::vector<const char*> words) {
  words.insert(words.begin(), "prog");
  try {
    cli.parse(static_cast<int>(words.size()), words.data());
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("tools/cli: values by --name value and --name=value, switches, defaults") {
  CommandLine cli = test_cli();
  CHECK(parse_error(cli, {"--in", "a.h5", "--seed=7", "--help"}).empty());
  CHECK(cli.required("in") == "a.h5");
  CHECK(cli.integer("seed", 42, 0, 100) == 7);
  CHECK(cli.has("help"));
  CHECK_FALSE(cli.has("preset"));
  CHECK(cli.choice("preset", {"talk", "full"}, "talk") == "talk");
  CHECK_FALSE(cli.value("preset").has_value());
}

TEST_CASE("tools/cli: errors name the flag") {
  CommandLine a = test_cli();
  CHECK(parse_error(a, {"--sed", "3"}) == "unknown flag --sed (did you mean --seed?)");
  CommandLine b = test_cli();
  CHECK(parse_error(b, {"--in"}) == "--in needs a value (FILE)");
  CommandLine c = test_cli();
  CHECK(parse_error(c, {"--seed", "1", "--seed", "2"}) == "--seed given more than once");
  CommandLine d = test_cli();
  CHECK(parse_error(d, {"stray"}) == "unexpected argument 'stray' (every argument is a --flag)");
  CommandLine e = test_cli();
  CHECK(parse_error(e, {"--help=yes"}) == "--help takes no value");

  CommandLine f = test_cli();
  CHECK(parse_error(f, {"--seed", "12x", "--preset", "fast"}).empty());
  CHECK_THROWS_WITH_AS(f.integer("seed", 0, 0, 100), "--seed: '12x' is not an integer", ConfigError);
  CHECK_THROWS_WITH_AS(f.choice("preset", {"talk", "full"}, "talk"), "--preset: 'fast' is not one of talk, full",
                       ConfigError);
  CHECK_THROWS_WITH_AS(f.required("in"), "--in is required", ConfigError);
  CommandLine g = test_cli();
  CHECK(parse_error(g, {"--seed", "101"}).empty());
  CHECK_THROWS_WITH_AS(g.integer("seed", 0, 0, 100), "--seed: 101 is out of range [0, 100]", ConfigError);
}

TEST_CASE("tools/cli: help lists every flag with its default") {
  const std::string help = test_cli().help();
  CHECK(help.find("usage: prog --in FILE") == 0);
  CHECK(help.find("--seed S") != std::string::npos);
  CHECK(help.find("(default: 42)") != std::string::npos);
  CHECK(help.find("--help") != std::string::npos);
}

TEST_CASE("tools/cli: run_program maps errors to exit codes") {
  CHECK(run_program("prog", [] { return 0; }) == 0);
  CHECK(run_program("prog", []() -> int { throw ConfigError("bad flag"); }) == 2);
  CHECK(run_program("prog", []() -> int { throw DataError("bad file"); }) == 1);
}

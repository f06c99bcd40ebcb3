// Command-line parsing of the tools (tools/common/cli.h): flags, several-value options, positional
// arguments, typed values, errors that name the flag, help, and run_program's exit codes.
#include <new>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "engine/core/error.h"
#include "tests/support/error_message.h"
#include "tools/common/cli.h"

using namespace flowjet;
using namespace flowjet::tools;

namespace {

CommandLine test_cli() {
  CommandLine cli("prog", "usage: prog --in FILE", "Does things.");
  cli.add_option("in", "FILE", "input file");
  cli.add_option("seed", "S", "seed", "42");
  cli.add_option("preset", "NAME", "preset", "talk");
  cli.add_option("o", "OUT", "output file");
  cli.add_multi_option("spline", {"LAYER", "FEATURE"}, "two values");
  cli.add_switch("noise", "a switch");
  return cli;
}

// test_cli() with positional arguments: CKPT, then any number of words.
CommandLine positional_cli(bool with_list) {
  CommandLine cli = test_cli();
  cli.add_positional("CKPT", "checkpoint");
  cli.add_positional("DATA", "data file");
  if (with_list) cli.add_positional_list("MORE", "further words");
  return cli;
}

// Parses the words (after the program name); returns the UsageError message or "".
std::string parse_error(CommandLine& cli, std::vector<const char*> words) {
  words.insert(words.begin(), "prog");
  return test::error_message<UsageError>([&] { cli.parse(static_cast<int>(words.size()), words.data()); });
}
const std::string kParsed = "(no exception of the expected type)";

// run_program on `words` (after the program name) with positional_cli(false) and `body`.
int run(std::vector<const char*> words, const std::function<int(const CommandLine&)>& body) {
  words.insert(words.begin(), "prog");
  return run_program(positional_cli(false), static_cast<int>(words.size()), words.data(), body);
}

}  // namespace

TEST_CASE("tools/cli: values by --name value, --name=value and -x value, switches, defaults") {
  CommandLine cli = test_cli();
  CHECK(parse_error(cli, {"--in", "a.h5", "--seed=7", "--noise", "-o", "out.csv"}) == kParsed);
  CHECK(cli.required("in") == "a.h5");
  CHECK(cli.integer("seed", 42, 0, 100) == 7);
  CHECK(cli.has("noise"));
  CHECK(cli.value("o") == "out.csv");
  CHECK_FALSE(cli.has("preset"));
  CHECK_FALSE(cli.wants_help());
  CHECK(cli.choice("preset", {"talk", "full"}, "talk") == "talk");
  CHECK_FALSE(cli.value("preset").has_value());
}

TEST_CASE("tools/cli: an option with several values, positional arguments in any place") {
  CommandLine cli = positional_cli(true);
  CHECK(parse_error(cli, {"model.h5", "--spline", "3", "-17", "--noise", "data.h5", "x=1"}) == kParsed);
  CHECK(cli.positional() == std::vector<std::string>{"model.h5", "data.h5", "x=1"});
  CHECK(cli.values("spline") == std::vector<std::string>{"3", "-17"});
  CHECK(cli.integer_at("spline", 0) == 3);
  CHECK(cli.integer_at("spline", 1) == -17);
  CommandLine bad = test_cli();
  CHECK(parse_error(bad, {"--spline", "3", "x"}) == kParsed);
  CHECK_THROWS_WITH_AS(bad.integer_at("spline", 1), "--spline FEATURE: 'x' is not an integer", UsageError);
}

TEST_CASE("tools/cli: typed values") {
  CommandLine cli = test_cli();
  CHECK(parse_error(cli, {"--seed", "18446744073709551615", "--in", "2.5e3"}) == kParsed);
  CHECK(cli.unsigned_integer("seed", 1) == 18446744073709551615ull);
  CHECK(cli.unsigned_integer("preset", 9) == 9);
  CHECK(cli.number("in", 0.0) == 2500.0);
  CHECK(cli.number("preset", 1.5) == 1.5);
  CHECK(cli.integer("preset", -1, 0) == -1);

  CommandLine bad = test_cli();
  CHECK(parse_error(bad, {"--seed", "-3", "--in", "nan", "--preset", "0"}) == kParsed);
  CHECK_THROWS_WITH_AS(bad.unsigned_integer("seed", 1), "--seed: '-3' is not a non-negative integer", UsageError);
  CHECK_THROWS_WITH_AS(bad.number("in", 0.0), "--in: 'nan' is not a finite number", UsageError);
  CHECK_THROWS_WITH_AS(bad.integer("preset", 1, 1), "--preset: expected an integer >= 1, got 0", UsageError);
}

TEST_CASE("tools/cli: errors name the flag") {
  CommandLine a = test_cli();
  CHECK(parse_error(a, {"--sed", "3"}) == "unknown flag --sed (did you mean --seed?)");
  CommandLine a1 = test_cli();
  CHECK(parse_error(a1, {"-seed", "3"}) == "unknown flag -seed (did you mean --seed?)");
  CommandLine a2 = test_cli();
  CHECK(parse_error(a2, {"--o", "x"}) == "unknown flag --o (did you mean -o?)");
  CommandLine b = test_cli();
  CHECK(parse_error(b, {"--in"}) == "--in needs a value (FILE)");
  CommandLine b1 = test_cli();
  CHECK(parse_error(b1, {"--spline", "1"}) == "--spline needs 2 values (LAYER FEATURE), got 1");
  CommandLine b2 = test_cli();
  CHECK(parse_error(b2, {"--spline=1"}) == "--spline takes 2 values: --spline LAYER FEATURE");
  CommandLine c = test_cli();
  CHECK(parse_error(c, {"--seed", "1", "--seed", "2"}) == "--seed given more than once");
  CommandLine d = test_cli();
  CHECK(parse_error(d, {"stray"}) == "unexpected argument 'stray' (every argument is a --flag)");
  CommandLine e = test_cli();
  CHECK(parse_error(e, {"--noise=yes"}) == "--noise takes no value");

  CommandLine f = test_cli();
  CHECK(parse_error(f, {"--seed", "12x", "--preset", "fast"}) == kParsed);
  CHECK_THROWS_WITH_AS(f.integer("seed", 0, 0, 100), "--seed: '12x' is not an integer", UsageError);
  CHECK_THROWS_WITH_AS(f.choice("preset", {"talk", "full"}, "talk"), "--preset: 'fast' is not one of talk, full",
                       UsageError);
  CHECK_THROWS_WITH_AS(f.required("in"), "--in is required", UsageError);
  CommandLine g = test_cli();
  CHECK(parse_error(g, {"--seed", "101"}) == kParsed);
  CHECK_THROWS_WITH_AS(g.integer("seed", 0, 0, 100), "--seed: 101 is out of range [0, 100]", UsageError);
}

TEST_CASE("tools/cli: the count of positional arguments is checked, except with --help") {
  CommandLine missing = positional_cli(false);
  CHECK(parse_error(missing, {"model.h5"}) == "missing argument DATA (expected CKPT DATA)");
  CommandLine extra = positional_cli(false);
  CHECK(parse_error(extra, {"a", "b", "c"}) == "unexpected argument 'c' (expected CKPT DATA)");
  CommandLine list = positional_cli(true);
  CHECK(parse_error(list, {"a", "b"}) == kParsed);
  CommandLine help = positional_cli(false);
  CHECK(parse_error(help, {"-h"}) == kParsed);
  CHECK(help.wants_help());
  CommandLine long_help = positional_cli(false);
  CHECK(parse_error(long_help, {"--help"}) == kParsed);
  CHECK(long_help.wants_help());
}

TEST_CASE("tools/cli: help lists the arguments and every flag with its values and default") {
  const std::string help = positional_cli(true).help();
  CHECK(help.find("usage: prog --in FILE\n\nDoes things.\n") == 0);
  CHECK(help.find("Arguments:\n  CKPT") != std::string::npos);
  CHECK(help.find("  MORE") != std::string::npos);
  CHECK(help.find("--seed S") != std::string::npos);
  CHECK(help.find("(default: 42)") != std::string::npos);
  CHECK(help.find("--spline LAYER FEATURE") != std::string::npos);
  CHECK(help.find("  -o OUT") != std::string::npos);
  CHECK(help.find("-h, --help") != std::string::npos);
}

TEST_CASE("tools/cli: run_program parses, answers --help, and maps errors to exit codes") {
  const auto seven = [](const CommandLine& cli) { return cli.positional().size() == 2 ? 7 : 0; };
  CHECK(run({"a", "b"}, seven) == 7);
  CHECK(run({"--help"}, seven) == 0);
  CHECK(run({"a"}, seven) == 2);             // a missing argument
  CHECK(run({"a", "b", "--bad"}, seven) == 2);  // an unknown flag
  CHECK(run({"a", "b"}, [](const CommandLine&) -> int { throw UsageError("bad flag"); }) == 2);
  // A configuration file or data that is wrong is not a command-line mistake.
  CHECK(run({"a", "b"}, [](const CommandLine&) -> int { throw ConfigError("bad key"); }) == 1);
  CHECK(run({"a", "b"}, [](const CommandLine&) -> int { throw DataError("bad file"); }) == 1);
  CHECK(run({"a", "b"}, [](const CommandLine&) -> int { throw std::bad_alloc(); }) == 1);
}

TEST_CASE("tools/cli: add_profile_switch declares --profile") {
  // run_program then calls enable_profiling(), whose exit report a test binary should not print.
  CommandLine cli("prog", "usage: prog [--profile]", "test program");
  add_profile_switch(cli);
  CHECK(cli.help().find("--profile") != std::string::npos);
  const char* words[] = {"prog", "--profile"};
  cli.parse(2, words);
  CHECK(cli.has("profile"));
}

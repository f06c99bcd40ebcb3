// The tools' argument parser: values, switches, and errors that name the option.
#include <doctest/doctest.h>

#include "engine/core/error.h"
#include "tests/support/error_message.h"
#include "tools/common/arg_parser.h"

using namespace flowjet;
using namespace flowjet::tools;

namespace {

ArgParser parser() {
  ArgParser p("bin/demo FILE [options]");
  p.add_option("--spline", {"LAYER", "FEATURE"}, "two values");
  p.add_option("--batch", {"N"}, "a number");
  p.add_switch("--noise", "a switch");
  return p;
}

ArgParser parsed(std::vector<const char*> argv) {
  argv.insert(argv.begin(), "bin/demo");
  ArgParser p = parser();
  p.parse(static_cast<int>(argv.size()), argv.data());
  return p;
}

}  // namespace

TEST_CASE("tools/args: positional arguments, options with several values, switches") {
  const ArgParser p = parsed({"model.h5", "--spline", "3", "17", "--noise", "data.h5"});
  CHECK(p.positional() == std::vector<std::string>{"model.h5", "data.h5"});
  CHECK(p.values("--spline") == std::vector<std::string>{"3", "17"});
  CHECK(p.has("--noise"));
  CHECK_FALSE(p.has("--batch"));
  CHECK(p.get_int("--batch", 1024) == 1024);
  CHECK(parsed({"--batch", "-3"}).get_int("--batch", 1) == -3);
  CHECK(parsed({"-h"}).wants_help());
  CHECK(parser().help().find("--spline LAYER FEATURE") != std::string::npos);
}

TEST_CASE("tools/args: errors name the option") {
  auto message = [](std::vector<const char*> argv) {
    return test::error_message<ConfigError>([&] { parsed(argv); });
  };
  CHECK(message({"--sline", "1", "2"}) == "command line: unknown option --sline (see --help)");
  CHECK(message({"--spline", "1"}) == "command line: option --spline needs 2 value(s) (LAYER FEATURE), got 1");
  CHECK(message({"--noise", "--noise"}) == "command line: option --noise given twice");
  CHECK(test::error_message<ConfigError>([] { parsed({"--batch", "ten"}).get_int("--batch", 1); }) ==
        "command line: option --batch: expected an integer, got \"ten\"");
  CHECK(test::error_message<ConfigError>([] { parsed({"--batch", "0"}).get_int("--batch", 1, 1); }) ==
        "command line: option --batch: expected a value >= 1, got 0");
}

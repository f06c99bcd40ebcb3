// Tests of the INI configuration reader: values, defaults, overrides, and errors naming file, line and key.
#include <functional>

#include <doctest/doctest.h>

#include "engine/core/error.h"
#include "tests/support/error_message.h"
#include "tools/common/ini_config.h"

using namespace flowjet;
using namespace flowjet::tools;

namespace {

Schema test_schema() {
  Schema s;
  s.add({"train", "learning_rate", ValueType::Float, "1e-3", "step size", {}});
  s.add({"train", "max_steps", ValueType::Int, std::nullopt, "optimiser steps", {}});
  s.add({"train", "batch_norm", ValueType::Bool, "false", "use batch norm", {}});
  s.add({"model", "kind", ValueType::String, "cnf", "model", {"vnf", "cnf", "ccnf"}});
  return s;
}

std::string message_of(const std::function<void()>& fn) { return test::error_message<ConfigError>(fn); }
using test::contains;

}  // namespace

TEST_CASE("tools/ini_config: values, defaults, comments and overrides") {
  Schema schema = test_schema();
  IniConfig c = IniConfig::parse("# comment\n[train]\nmax_steps = 500   # inline\nbatch_norm = yes\n[model]\nkind = ccnf\n",
                                 "a.ini", schema);
  c.require_complete();
  CHECK(c.get_int("train", "max_steps") == 500);
  CHECK(c.get_bool("train", "batch_norm"));
  CHECK(c.get_float("train", "learning_rate") == 1e-3);
  CHECK(!c.is_set("train", "learning_rate"));
  CHECK(c.get_string("model", "kind") == "ccnf");
  c.apply_override("train.learning_rate=3e-4");
  CHECK(c.get_float("train", "learning_rate") == 3e-4);
  CHECK(contains(c.dump(), "train.learning_rate = 3e-4"));
  CHECK(contains(schema.markdown(), "| [train] | `max_steps` | integer | required |"));
}

TEST_CASE("tools/ini_config: errors name the file, the line and the key") {
  Schema schema = test_schema();
  std::string unknown = message_of([&] { IniConfig::parse("[train]\nmax_steps = 5\nlerning_rate = 1\n", "x.ini", schema); });
  CHECK(contains(unknown, "x.ini:3"));
  CHECK(contains(unknown, "\"lerning_rate\""));
  CHECK(contains(unknown, "did you mean \"learning_rate\""));
  std::string type = message_of([&] { IniConfig::parse("[train]\nmax_steps = many\n", "x.ini", schema); });
  CHECK(contains(type, "x.ini:2"));
  CHECK(contains(type, "not a valid integer"));
  std::string choice = message_of([&] { IniConfig::parse("[model]\nkind = gan\n", "x.ini", schema); });
  CHECK(contains(choice, "must be one of vnf, cnf, ccnf"));
  std::string missing = message_of([&] { IniConfig::parse("[train]\n", "x.ini", schema).require_complete(); });
  CHECK(contains(missing, "required key \"max_steps\""));
  std::string section = message_of([&] { IniConfig::parse("[trian]\n", "x.ini", schema); });
  CHECK(contains(section, "unknown section [trian]"));
  CHECK(contains(section, "did you mean \"train\""));
  std::string syntax = message_of([&] { IniConfig::parse("[train]\nmax_steps 5\n", "x.ini", schema); });
  CHECK(contains(syntax, "x.ini:2"));
  IniConfig ok = IniConfig::parse("[train]\nmax_steps = 5\n", "x.ini", schema);
  CHECK(contains(message_of([&] { ok.apply_override("train.max_step=5"); }), "command line"));
  CHECK(contains(message_of([&] { ok.apply_override("nonsense"); }), "section.key=value"));
  CHECK(contains(message_of([&] { IniConfig::load("/nonexistent/dir/f.ini", schema); }), "cannot open"));
}

TEST_CASE("tools/ini_config: a key set twice in a file, a NUL byte or a directory are refused, naming where") {
  Schema schema = test_schema();
  const std::string twice =
      message_of([&] { IniConfig::parse("[train]\nmax_steps = 5\n\n[train]\nmax_steps = 7\n", "x.ini", schema); });
  CHECK(twice == "x.ini:5: [train] max_steps is set a second time (first at line 2)");
  // The command line may still override a file's value.
  IniConfig file = IniConfig::parse("[train]\nmax_steps = 5\n", "x.ini", schema);
  file.apply_override("train.max_steps=7");
  CHECK(file.get_int("train", "max_steps") == 7);

  const std::string nul = message_of(
      [&] { IniConfig::parse(std::string("[train]\nlearning_rate = 1e-3") + '\0' + "junk\n", "x.ini", schema); });
  CHECK(contains(nul, "x.ini:2: the line holds a NUL byte"));
  CHECK(message_of([&] { IniConfig::load("tests", schema); }) == "tests: is a directory, not a configuration file");
}

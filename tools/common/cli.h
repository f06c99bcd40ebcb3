// Command-line flags of the programs in tools/: "--name value", "--name=value" and switches,
// parsed strictly (unknown flags, missing or malformed values and stray words are errors that
// name the flag), plus the help text and the error/exit-code convention shared by every program.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace flowjet::tools {

class CommandLine {
 public:
  /// `usage`: the synopsis line(s) printed at the top of help(); `description`: a paragraph under it.
  CommandLine(std::string program, std::string usage, std::string description);

  /// A flag with a value, e.g. add_option("seed", "S", "seed of the batches", "42").
  void add_option(const std::string& name, const std::string& value_name, const std::string& help,
                  const std::string& default_text = "");
  /// A switch without a value, e.g. add_switch("help", "print this help").
  void add_switch(const std::string& name, const std::string& help);

  /// Parses argv[1..]. Throws ConfigError for an unknown flag (with the closest known one), a
  /// missing value, a value given to a switch, a flag given twice, or a word that is not a flag.
  void parse(int argc, const char* const* argv);

  bool has(const std::string& name) const;
  /// The value of an option, or std::nullopt when it was not given.
  std::optional<std::string> value(const std::string& name) const;
  /// The value of an option, or ConfigError "--name is required".
  std::string required(const std::string& name) const;
  /// An integer option in [min_value, max_value], or `fallback` when absent. Throws ConfigError
  /// naming the flag for anything else ("--seed: 'x' is not an integer").
  int64_t integer(const std::string& name, int64_t fallback, int64_t min_value, int64_t max_value) const;
  /// An option that must be one of `choices`, or `fallback` when absent. Throws ConfigError naming
  /// the flag and the choices.
  std::string choice(const std::string& name, const std::vector<std::string>& choices,
                     const std::string& fallback) const;

  /// Usage, description and one line per flag with its value name, default and help.
  std::string help() const;
  const std::string& program() const { return program_; }

 private:
  struct Flag {
    std::string name;
    std::string value_name;  // empty for a switch
    std::string help;
    std::string default_text;
  };
  const Flag* find(const std::string& name) const;

  std::string program_;
  std::string usage_;
  std::string description_;
  std::vector<Flag> flags_;
  std::map<std::string, std::string> given_;  // flag name -> value ("" for switches)
};

/// Runs a program's body: a flowjet::ConfigError (bad flags or values) prints
/// "<program>: error: <message>" and "run <program> --help ..." and returns 2; any other
/// exception prints "<program>: error: <message>" and returns 1; otherwise returns body().
int run_program(const std::string& program, const std::function<int()>& body);

}  // namespace flowjet::tools

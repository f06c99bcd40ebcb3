// The command line of every program in tools/: flags ("--name value", "--name=value", "-x value",
// switches, options with several values such as "--spline LAYER FEATURE") and positional
// arguments, parsed strictly (unknown flags, missing or malformed values, flags given twice and
// missing or extra arguments are errors that name the flag), plus the help text and the
// error/exit-code convention shared by every program (run_program).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/error.h"

namespace flowjet::tools {

/// A mistake on the command line (a flag, a value or an argument): run_program reports it with a
/// pointer to --help and exit code 2. Other errors, including a ConfigError from a configuration
/// file, exit with 1.
class UsageError : public ConfigError {
  using ConfigError::ConfigError;
};

class CommandLine {
 public:
  /// `usage`: the synopsis line(s) printed at the top of help(); `description`: a paragraph under it.
  /// Every command line knows -h/--help (wants_help()).
  CommandLine(std::string program, std::string usage, std::string description);

  /// A flag with one value, e.g. add_option("seed", "S", "seed of the batches", "42"). A name of one
  /// letter is written "-n", a longer one "--name".
  void add_option(const std::string& name, const std::string& value_name, const std::string& help,
                  const std::string& default_text = "");
  /// A flag followed by one value per entry of `value_names`, e.g. {"LAYER", "FEATURE"}.
  void add_multi_option(const std::string& name, const std::vector<std::string>& value_names,
                        const std::string& help, const std::string& default_text = "");
  /// A switch without a value, e.g. add_switch("dry-run", "check everything, run nothing").
  void add_switch(const std::string& name, const std::string& help);
  /// One required positional argument (a word that is not a flag), taken in the order declared.
  void add_positional(const std::string& name, const std::string& help);
  /// Any number of positional arguments after the required ones (the program sorts them out).
  void add_positional_list(const std::string& name, const std::string& help);

  /// Parses argv[1..]. Throws UsageError for an unknown flag (with the closest known one), a
  /// missing value, a value given to a switch, a flag given twice, a missing positional argument
  /// or one too many (with -h/--help the count of positional arguments is not checked).
  void parse(int argc, const char* const* argv);

  bool wants_help() const { return has("help"); }
  bool has(const std::string& name) const;
  /// The value of a one-value option, or std::nullopt when it was not given.
  std::optional<std::string> value(const std::string& name) const;
  /// The values of an option that was given (in the order of its value names).
  const std::vector<std::string>& values(const std::string& name) const;
  /// The value of an option, or UsageError "--name is required".
  std::string required(const std::string& name) const;
  /// An integer option in [min_value, max_value], or `fallback` when absent. Throws UsageError
  /// naming the flag for anything else ("--seed: 'x' is not an integer").
  int64_t integer(const std::string& name, int64_t fallback, int64_t min_value,
                  int64_t max_value = INT64_MAX) const;
  /// Value `index` of a several-value option that was given, as an integer ("--spline LAYER: ...").
  int64_t integer_at(const std::string& name, std::size_t index) const;
  /// A non-negative integer option covering all of uint64 (seeds), or `fallback` when absent.
  uint64_t unsigned_integer(const std::string& name, uint64_t fallback) const;
  /// A finite floating-point option, or `fallback` when absent.
  double number(const std::string& name, double fallback) const;
  /// An option that must be one of `choices`, or `fallback` when absent. Throws UsageError naming
  /// the flag and the choices.
  std::string choice(const std::string& name, const std::vector<std::string>& choices,
                     const std::string& fallback) const;
  /// The positional arguments in the order given.
  const std::vector<std::string>& positional() const { return positional_; }

  /// Usage, description, one line per positional argument and one per flag with its value names,
  /// default and help.
  std::string help() const;
  const std::string& program() const { return program_; }

 private:
  struct Flag {
    std::string name;
    std::vector<std::string> value_names;  // empty for a switch
    std::string help;
    std::string default_text;
  };
  struct Positional {
    std::string name;
    std::string help;
    bool is_list;
  };
  const Flag* find(const std::string& name) const;
  int parse_flag(int i, int argc, const char* const* argv);
  void check_positional_count() const;

  std::string program_;
  std::string usage_;
  std::string description_;
  std::vector<Flag> flags_;
  std::vector<Positional> positionals_;
  std::map<std::string, std::vector<std::string>> given_;  // flag name -> its values (none for switches)
  std::vector<std::string> positional_;
};

/// The switch --profile: run_program turns the op profiler on, which prints its table to stderr
/// when the program ends (the same as FLOWJET_PROFILE=1; docs/performance.md, "Profiler").
void add_profile_switch(CommandLine& command_line);

/// The main() of a program: parses the command line, prints help() for -h/--help, otherwise
/// returns body(command_line). A UsageError prints "<program>: error: <message>" and
/// "run <program> --help ..." and returns 2; any other exception prints
/// "<program>: error: <message>" and returns 1; std::bad_alloc prints "<program>: error: out of memory
/// while running <program>: the run needs more memory than is available" and returns 1.
int run_program(CommandLine command_line, int argc, const char* const* argv,
                const std::function<int(const CommandLine&)>& body);

}  // namespace flowjet::tools

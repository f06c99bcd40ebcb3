// Command-line arguments of the programs in tools/: positional arguments, switches (--name) and
// options with a fixed number of values (--name V1 V2), with errors that name the option.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace flowjet::tools {

class ArgParser {
 public:
  /// `usage` is the first line of help(), e.g. "bin/inspect CKPT [options]".
  explicit ArgParser(std::string usage);

  /// A switch without a value.
  void add_switch(const std::string& name, const std::string& help);
  /// An option followed by one value per entry of `metavars` (e.g. {"LAYER", "FEATURE"}).
  void add_option(const std::string& name, const std::vector<std::string>& metavars, const std::string& help);

  /// Parses argv[1..]; "-h"/"--help" sets wants_help(). Throws ConfigError ("command line: ...") naming the
  /// option for an unknown option, a missing value or an option given twice.
  void parse(int argc, const char* const* argv);

  bool wants_help() const { return wants_help_; }
  const std::vector<std::string>& positional() const { return positional_; }
  bool has(const std::string& name) const;
  /// The values of an option given on the command line (throws InternalError when it was not given).
  const std::vector<std::string>& values(const std::string& name) const;
  /// The single value of an option, or `fallback` when it was not given.
  std::string get(const std::string& name, const std::string& fallback = "") const;
  /// Value `index` of option `name` as an integer >= `min`; throws ConfigError naming the option otherwise.
  int64_t get_int(const std::string& name, int64_t fallback, int64_t min = INT64_MIN, std::size_t index = 0) const;
  double get_double(const std::string& name, double fallback, std::size_t index = 0) const;

  /// Usage line and one line per option.
  std::string help() const;

 private:
  struct Option {
    std::string name;
    std::vector<std::string> metavars;
    std::string help;
    bool is_switch = false;
  };
  const Option* find(const std::string& name) const;

  std::string usage_;
  std::vector<Option> options_;
  std::map<std::string, std::vector<std::string>> given_;
  std::vector<std::string> positional_;
  bool wants_help_ = false;
};

/// "12" -> 12; throws ConfigError "<what>: expected an integer, got "x"" otherwise.
int64_t parse_int(const std::string& text, const std::string& what);

}  // namespace flowjet::tools

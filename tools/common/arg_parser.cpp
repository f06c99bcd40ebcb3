// ArgParser: a small, strict command-line parser (no abbreviations, no "--name=value").
#include "tools/common/arg_parser.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <utility>

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet::tools {

int64_t parse_int(const std::string& text, const std::string& what) {
  errno = 0;
  char* end = nullptr;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE)
    throw ConfigError(fmt::format("{}: expected an integer, got \"{}\"", what, text));
  return value;
}

ArgParser::ArgParser(std::string usage) : usage_(std::move(usage)) {}

void ArgParser::add_switch(const std::string& name, const std::string& help) {
  options_.push_back({name, {}, help, true});
}

void ArgParser::add_option(const std::string& name, const std::vector<std::string>& metavars, const std::string& help) {
  options_.push_back({name, metavars, help, false});
}

const ArgParser::Option* ArgParser::find(const std::string& name) const {
  for (const Option& o : options_)
    if (o.name == name) return &o;
  return nullptr;
}

void ArgParser::parse(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      wants_help_ = true;
      continue;
    }
    if (arg.size() < 2 || arg[0] != '-' || arg == "-") {
      positional_.push_back(arg);
      continue;
    }
    const Option* option = find(arg);
    if (!option) throw ConfigError(fmt::format("command line: unknown option {} (see --help)", arg));
    if (given_.count(arg)) throw ConfigError(fmt::format("command line: option {} given twice", arg));
    std::vector<std::string> values;
    for (std::size_t k = 0; k < option->metavars.size(); ++k) {
      if (++i >= argc)
        throw ConfigError(fmt::format("command line: option {} needs {} value(s) ({}), got {}", arg,
                                      option->metavars.size(), fmt::join(option->metavars, " "), values.size()));
      values.push_back(argv[i]);
    }
    given_[arg] = values;
  }
}

bool ArgParser::has(const std::string& name) const { return given_.count(name) > 0; }

const std::vector<std::string>& ArgParser::values(const std::string& name) const {
  auto it = given_.find(name);
  FLOWJET_CHECK(it != given_.end(), "option " + name + " was not given");
  return it->second;
}

std::string ArgParser::get(const std::string& name, const std::string& fallback) const {
  return has(name) && !values(name).empty() ? values(name)[0] : fallback;
}

int64_t ArgParser::get_int(const std::string& name, int64_t fallback, int64_t min, std::size_t index) const {
  if (!has(name)) return fallback;
  const std::string what = fmt::format("command line: option {}", name);
  const int64_t value = parse_int(values(name).at(index), what);
  if (value < min) throw ConfigError(fmt::format("{}: expected a value >= {}, got {}", what, min, value));
  return value;
}

double ArgParser::get_double(const std::string& name, double fallback, std::size_t index) const {
  if (!has(name)) return fallback;
  const std::string& text = values(name).at(index);
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0')
    throw ConfigError(fmt::format("command line: option {}: expected a number, got \"{}\"", name, text));
  return value;
}

std::string ArgParser::help() const {
  std::string out = "usage: " + usage_ + "\n";
  for (const Option& o : options_) {
    std::string head = o.name;
    for (const std::string& m : o.metavars) head += " " + m;
    out += fmt::format("  {:<26} {}\n", head, o.help);
  }
  return out;
}

}  // namespace flowjet::tools

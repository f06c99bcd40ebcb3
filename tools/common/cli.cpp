// Strict command-line parsing for the tools (cli.h).
#include "tools/common/cli.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <new>
#include <utility>

#include <fmt/format.h>

#include "engine/profile/profiler.h"
#include "tools/common/ini_config.h"

namespace flowjet::tools {

namespace {

// A name of one letter is written "-n", a longer one "--name".
std::string spelling(const std::string& name) { return (name.size() == 1 ? "-" : "--") + name; }

int64_t parse_integer(const std::string& what, const std::string& text, int64_t min_value, int64_t max_value) {
  errno = 0;
  char* end = nullptr;
  const long long parsed = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0)
    throw UsageError(fmt::format("{}: '{}' is not an integer", what, text));
  if (parsed < min_value || parsed > max_value)
    throw UsageError(max_value == INT64_MAX
                         ? fmt::format("{}: expected an integer >= {}, got {}", what, min_value, parsed)
                         : fmt::format("{}: {} is out of range [{}, {}]", what, parsed, min_value, max_value));
  return parsed;
}

}  // namespace

CommandLine::CommandLine(std::string program, std::string usage, std::string description)
    : program_(std::move(program)), usage_(std::move(usage)), description_(std::move(description)) {
  add_switch("help", "print this help");
}

void CommandLine::add_option(const std::string& name, const std::string& value_name, const std::string& help,
                             const std::string& default_text) {
  add_multi_option(name, {value_name}, help, default_text);
}

void CommandLine::add_multi_option(const std::string& name, const std::vector<std::string>& value_names,
                                   const std::string& help, const std::string& default_text) {
  FLOWJET_CHECK(!value_names.empty(), "option " + name + " needs a value name");
  flags_.push_back({name, value_names, help, default_text});
}

void CommandLine::add_switch(const std::string& name, const std::string& help) {
  flags_.push_back({name, {}, help, ""});
}

void CommandLine::add_positional(const std::string& name, const std::string& help) {
  FLOWJET_CHECK(positionals_.empty() || !positionals_.back().is_list, "a positional list must come last");
  positionals_.push_back({name, help, false});
}

void CommandLine::add_positional_list(const std::string& name, const std::string& help) {
  FLOWJET_CHECK(positionals_.empty() || !positionals_.back().is_list, "a positional list must come last");
  positionals_.push_back({name, help, true});
}

const CommandLine::Flag* CommandLine::find(const std::string& name) const {
  for (const Flag& flag : flags_)
    if (flag.name == name) return &flag;
  return nullptr;
}

void CommandLine::parse(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word.size() >= 2 && word[0] == '-') {
      i = parse_flag(i, argc, argv);
    } else if (positionals_.empty()) {
      throw UsageError(fmt::format("unexpected argument '{}' (every argument is a --flag)", word));
    } else {
      positional_.push_back(word);
    }
  }
  if (!wants_help()) check_positional_count();
}

// Parses the flag at argv[i] and its values; returns the index of the last word it used.
int CommandLine::parse_flag(int i, int argc, const char* const* argv) {
  const std::string word = argv[i];
  const size_t equals = word.find('=');
  const std::string spelled = word.substr(0, equals);
  const size_t start = spelled.find_first_not_of('-');
  const std::string name = spelled == "-h" ? "help" : start == std::string::npos ? "" : spelled.substr(start);
  const Flag* flag = find(name);
  if (flag == nullptr || (spelled != spelling(name) && spelled != "-h")) {
    std::vector<std::string> names;
    for (const Flag& f : flags_) names.push_back(f.name);
    const std::string near = closest_match(name, names);
    throw UsageError(
        fmt::format("unknown flag {}{}", spelled, near.empty() ? "" : " (did you mean " + spelling(near) + "?)"));
  }
  const std::string shown = spelling(name);
  if (given_.count(name) != 0) throw UsageError(fmt::format("{} given more than once", shown));
  const std::vector<std::string>& names = flag->value_names;
  std::vector<std::string> values;
  if (equals != std::string::npos) {
    if (names.size() != 1)
      throw UsageError(names.empty() ? fmt::format("{} takes no value", shown)
                                     : fmt::format("{} takes {} values: {} {}", shown, names.size(), shown,
                                                   fmt::join(names, " ")));
    values.push_back(word.substr(equals + 1));
  } else {
    for (const std::string& value_name : names) {
      if (++i >= argc)
        throw UsageError(names.size() == 1 ? fmt::format("{} needs a value ({})", shown, value_name)
                                           : fmt::format("{} needs {} values ({}), got {}", shown, names.size(),
                                                         fmt::join(names, " "), values.size()));
      values.push_back(argv[i]);
    }
  }
  given_[name] = std::move(values);
  return i;
}

void CommandLine::check_positional_count() const {
  std::vector<std::string> required;
  bool has_list = false;
  for (const Positional& p : positionals_) {
    if (p.is_list) has_list = true;
    else required.push_back(p.name);
  }
  if (positional_.size() < required.size())
    throw UsageError(fmt::format("missing argument {} (expected {})", required[positional_.size()],
                                 fmt::join(required, " ")));
  if (!has_list && positional_.size() > required.size())
    throw UsageError(fmt::format("unexpected argument '{}' (expected {})", positional_[required.size()],
                                 fmt::join(required, " ")));
}

bool CommandLine::has(const std::string& name) const { return given_.count(name) != 0; }

std::optional<std::string> CommandLine::value(const std::string& name) const {
  const auto it = given_.find(name);
  if (it == given_.end()) return std::nullopt;
  FLOWJET_CHECK(it->second.size() == 1, spelling(name) + " does not take one value");
  return it->second[0];
}

const std::vector<std::string>& CommandLine::values(const std::string& name) const {
  const auto it = given_.find(name);
  FLOWJET_CHECK(it != given_.end(), spelling(name) + " was not given");
  return it->second;
}

std::string CommandLine::required(const std::string& name) const {
  const auto given = value(name);
  if (!given) throw UsageError(fmt::format("{} is required", spelling(name)));
  if (given->empty()) throw UsageError(fmt::format("{} needs a non-empty value", spelling(name)));
  return *given;
}

int64_t CommandLine::integer(const std::string& name, int64_t fallback, int64_t min_value, int64_t max_value) const {
  const auto given = value(name);
  if (!given) return fallback;
  return parse_integer(spelling(name), *given, min_value, max_value);
}

int64_t CommandLine::integer_at(const std::string& name, std::size_t index) const {
  const Flag* flag = find(name);
  FLOWJET_CHECK(flag != nullptr && index < flag->value_names.size(),
                "option " + name + " has no value " + std::to_string(index));
  return parse_integer(spelling(name) + " " + flag->value_names[index], values(name).at(index), INT64_MIN, INT64_MAX);
}

uint64_t CommandLine::unsigned_integer(const std::string& name, uint64_t fallback) const {
  const auto given = value(name);
  if (!given) return fallback;
  errno = 0;
  char* end = nullptr;
  const unsigned long long parsed = std::strtoull(given->c_str(), &end, 10);
  // strtoull would wrap "-3" around to 2^64 - 3.
  if (given->empty() || (*given)[0] == '-' || *end != '\0' || errno != 0)
    throw UsageError(fmt::format("{}: '{}' is not a non-negative integer", spelling(name), *given));
  return parsed;
}

double CommandLine::number(const std::string& name, double fallback) const {
  const auto given = value(name);
  if (!given) return fallback;
  char* end = nullptr;
  const double parsed = std::strtod(given->c_str(), &end);
  if (given->empty() || *end != '\0' || !std::isfinite(parsed))
    throw UsageError(fmt::format("{}: '{}' is not a finite number", spelling(name), *given));
  return parsed;
}

std::string CommandLine::choice(const std::string& name, const std::vector<std::string>& choices,
                                const std::string& fallback) const {
  const auto given = value(name);
  if (!given) return fallback;
  for (const auto& c : choices)
    if (*given == c) return c;
  throw UsageError(fmt::format("{}: '{}' is not one of {}", spelling(name), *given, fmt::join(choices, ", ")));
}

std::string CommandLine::help() const {
  // One line per entry: the name padded to a column, then the help (on the next line if the name is long).
  const auto line = [](std::string left, const std::string& text) {
    left = "  " + left;
    if (left.size() < 26) left.resize(26, ' ');
    else left += "\n" + std::string(26, ' ');
    return left + text + "\n";
  };
  std::string out = usage_ + "\n";
  if (!description_.empty()) out += "\n" + description_ + "\n";
  if (!positionals_.empty()) out += "\nArguments:\n";
  for (const Positional& p : positionals_) out += line(p.name, p.help);
  out += "\nFlags:\n";
  for (const Flag& flag : flags_) {
    if (flag.name == "help") continue;  // listed last
    std::string left = spelling(flag.name);
    for (const std::string& value_name : flag.value_names) left += " " + value_name;
    out += line(left, flag.help + (flag.default_text.empty() ? "" : " (default: " + flag.default_text + ")"));
  }
  return out + line("-h, --help", find("help")->help);
}

void add_profile_switch(CommandLine& command_line) {
  command_line.add_switch("profile", "time every op and print the table to stderr at the end (as FLOWJET_PROFILE=1)");
}

int run_program(CommandLine command_line, int argc, const char* const* argv,
                const std::function<int(const CommandLine&)>& body) {
  const char* program = command_line.program().c_str();
  try {
    command_line.parse(argc, argv);
    if (command_line.wants_help()) {
      std::fputs(command_line.help().c_str(), stdout);
      return 0;
    }
    if (command_line.has("profile")) enable_profiling();
    return body(command_line);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "%s: error: %s\nrun %s --help for the list of flags\n", program, e.what(), program);
    return 2;
  } catch (const std::bad_alloc&) {
    // Anywhere (a model, a batch, a file's worth of jets): one line instead of a bare "std::bad_alloc".
    std::fprintf(stderr, "%s: error: out of memory while running %s: the run needs more memory than is available\n",
                 program, program);
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", program, e.what());
    return 1;
  }
}

}  // namespace flowjet::tools

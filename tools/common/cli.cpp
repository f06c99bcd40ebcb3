// Strict flag parsing for the tools (cli.h).
#include "tools/common/cli.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include <fmt/format.h>

#include "engine/core/error.h"
#include "tools/common/ini_config.h"

namespace flowjet::tools {

CommandLine::CommandLine(std::string program, std::string usage, std::string description)
    : program_(std::move(program)), usage_(std::move(usage)), description_(std::move(description)) {}

void CommandLine::add_option(const std::string& name, const std::string& value_name, const std::string& help,
                             const std::string& default_text) {
  flags_.push_back({name, value_name, help, default_text});
}

void CommandLine::add_switch(const std::string& name, const std::string& help) { flags_.push_back({name, "", help, ""}); }

const CommandLine::Flag* CommandLine::find(const std::string& name) const {
  for (const Flag& flag : flags_)
    if (flag.name == name) return &flag;
  return nullptr;
}

void CommandLine::parse(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word.size() < 3 || word.compare(0, 2, "--") != 0)
      throw ConfigError(fmt::format("unexpected argument '{}' (every argument is a --flag)", word));
    const size_t equals = word.find('=');
    const std::string name = word.substr(2, equals == std::string::npos ? std::string::npos : equals - 2);
    const Flag* flag = find(name);
    if (flag == nullptr) {
      std::vector<std::string> names;
      for (const Flag& f : flags_) names.push_back(f.name);
      const std::string near = closest_match(name, names);
      throw ConfigError(fmt::format("unknown flag --{}{}", name, near.empty() ? "" : " (did you mean --" + near + "?)"));
    }
    if (given_.count(name) != 0) throw ConfigError(fmt::format("--{} given more than once", name));
    if (flag->value_name.empty()) {
      if (equals != std::string::npos) throw ConfigError(fmt::format("--{} takes no value", name));
      given_[name] = "";
    } else if (equals != std::string::npos) {
      given_[name] = word.substr(equals + 1);
    } else {
      if (i + 1 >= argc) throw ConfigError(fmt::format("--{} needs a value ({})", name, flag->value_name));
      given_[name] = argv[++i];
    }
  }
}

bool CommandLine::has(const std::string& name) const { return given_.count(name) != 0; }

std::optional<std::string> CommandLine::value(const std::string& name) const {
  const auto it = given_.find(name);
  if (it == given_.end()) return std::nullopt;
  return it->second;
}

std::string CommandLine::required(const std::string& name) const {
  const auto given = value(name);
  if (!given) throw ConfigError(fmt::format("--{} is required", name));
  if (given->empty()) throw ConfigError(fmt::format("--{} needs a non-empty value", name));
  return *given;
}

int64_t CommandLine::integer(const std::string& name, int64_t fallback, int64_t min_value, int64_t max_value) const {
  const auto given = value(name);
  if (!given) return fallback;
  errno = 0;
  char* end = nullptr;
  const long long parsed = std::strtoll(given->c_str(), &end, 10);
  if (given->empty() || *end != '\0' || errno != 0)
    throw ConfigError(fmt::format("--{}: '{}' is not an integer", name, *given));
  if (parsed < min_value || parsed > max_value)
    throw ConfigError(fmt::format("--{}: {} is out of range [{}, {}]", name, parsed, min_value, max_value));
  return parsed;
}

std::string CommandLine::choice(const std::string& name, const std::vector<std::string>& choices,
                                const std::string& fallback) const {
  const auto given = value(name);
  if (!given) return fallback;
  for (const auto& c : choices)
    if (*given == c) return c;
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
  throw ConfigError(fmt::format("--{}: '{}' is not one of {}", name, *given, list));
}

std::string CommandLine::help() const {
  std::string out = usage_ + "\n\n" + description_ + "\n\nFlags:\n";
  for (const Flag& flag : flags_) {
    std::string left = "  --" + flag.name + (flag.value_name.empty() ? "" : " " + flag.value_name);
    if (left.size() < 26) left.resize(26, ' ');
    else left += "\n" + std::string(26, ' ');
    out += left + flag.help + (flag.default_text.empty() ? "" : " (default: " + flag.default_text + ")") + "\n";
  }
  return out;
}

int run_program(const std::string& program, const std::function<int()>& body) {
  try {
    return body();
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "%s: error: %s\nrun %s --help for the list of flags\n", program.c_str(), e.what(),
                 program.c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", program.c_str(), e.what());
    return 1;
  }
}

}  // namespace flowjet::tools

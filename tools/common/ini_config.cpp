// INI parsing, schema validation and typed access.
#include "tools/common/ini_config.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet::tools {
namespace {

std::string trim(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t\r"), e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

const char* type_name(ValueType type) {
  switch (type) {
    case ValueType::Int: return "integer";
    case ValueType::Float: return "number";
    case ValueType::Bool: return "boolean";
    case ValueType::String: return "string";
  }
  return "?";
}

std::optional<int64_t> parse_int(const std::string& v) {
  if (v.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  long long x = std::strtoll(v.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') {
    // Accept integral values written as floats ("1e4", "50000.0").
    double d = std::strtod(v.c_str(), &end);
    if (*end != '\0' || !std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9e18) return std::nullopt;
    return static_cast<int64_t>(d);
  }
  return static_cast<int64_t>(x);
}

std::optional<double> parse_float(const std::string& v) {
  if (v.empty()) return std::nullopt;
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (*end != '\0' || !std::isfinite(d)) return std::nullopt;
  return d;
}

std::optional<bool> parse_bool(const std::string& v) {
  std::string l = v;
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (l == "true" || l == "yes" || l == "on" || l == "1") return true;
  if (l == "false" || l == "no" || l == "off" || l == "0") return false;
  return std::nullopt;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best = closest_match(word, candidates);
  return best.empty() ? "" : fmt::format(" (did you mean \"{}\"?)", best);
}

}  // namespace

std::string ValueSource::str() const { return line > 0 ? fmt::format("{}:{}", origin, line) : origin; }

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const std::string& c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

void Schema::add(KeySpec spec) { keys_.push_back(std::move(spec)); }

const KeySpec* Schema::find(const std::string& section, const std::string& key) const {
  for (const KeySpec& k : keys_)
    if (k.section == section && k.key == key) return &k;
  return nullptr;
}

std::string Schema::markdown() const {
  std::string out = "| section | key | type | default | meaning |\n|---|---|---|---|---|\n";
  for (const KeySpec& k : keys_) {
    std::string type = type_name(k.type);
    if (!k.choices.empty()) type = fmt::format("one of {}", fmt::join(k.choices, ", "));
    out += fmt::format("| [{}] | `{}` | {} | {} | {} |\n", k.section, k.key, type,
                       k.default_value ? (k.default_value->empty() ? "(empty)" : "`" + *k.default_value + "`") : "required",
                       k.description);
  }
  return out;
}

IniConfig IniConfig::load(const std::string& path, const Schema& schema) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error))
    throw ConfigError(fmt::format("{}: is a directory, not a configuration file", path));
  std::ifstream in(path);
  if (!in) throw ConfigError(fmt::format("{}: cannot open the configuration file", path));
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str(), path, schema);
}

IniConfig IniConfig::parse(const std::string& text, const std::string& name, const Schema& schema) {
  IniConfig config;
  config.schema_ = &schema;
  config.name_ = name;
  std::istringstream lines(text);
  std::string line, section;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    ValueSource source{name, number};
    if (line.find('\0') != std::string::npos)
      throw ConfigError(fmt::format("{}: the line holds a NUL byte (a binary file, or text pasted with one?)", source.str()));
    std::string t = trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    if (t.front() == '[') {
      if (t.back() != ']') throw ConfigError(fmt::format("{}: malformed section header \"{}\"", source.str(), t));
      section = trim(t.substr(1, t.size() - 2));
      std::vector<std::string> sections;
      for (const KeySpec& k : schema.keys())
        if (std::find(sections.begin(), sections.end(), k.section) == sections.end()) sections.push_back(k.section);
      if (std::find(sections.begin(), sections.end(), section) == sections.end())
        throw ConfigError(fmt::format("{}: unknown section [{}]{}", source.str(), section, did_you_mean(section, sections)));
      continue;
    }
    std::size_t eq = t.find('=');
    if (eq == std::string::npos)
      throw ConfigError(fmt::format("{}: expected \"key = value\", got \"{}\"", source.str(), t));
    if (section.empty())
      throw ConfigError(fmt::format("{}: key \"{}\" appears before any [section]", source.str(), trim(t.substr(0, eq))));
    std::string value = trim(t.substr(eq + 1));
    std::size_t comment = value.find(" #");
    if (comment != std::string::npos) value = trim(value.substr(0, comment));
    const std::string key = trim(t.substr(0, eq));
    // Within one file a key is set once; a second setting would silently win (overrides on the
    // command line are the way to change a file's value).
    const auto earlier = config.values_.find(section + "." + key);
    if (earlier != config.values_.end())
      throw ConfigError(fmt::format("{}: [{}] {} is set a second time (first at line {})", source.str(), section, key,
                                    earlier->second.source.line));
    config.set(section, key, value, source);
  }
  return config;
}

void IniConfig::apply_override(const std::string& assignment) {
  std::size_t dot = assignment.find('.'), eq = assignment.find('=');
  if (dot == std::string::npos || eq == std::string::npos || dot > eq)
    throw ConfigError(fmt::format("command line: override \"{}\" must look like section.key=value", assignment));
  set(trim(assignment.substr(0, dot)), trim(assignment.substr(dot + 1, eq - dot - 1)), trim(assignment.substr(eq + 1)),
      ValueSource{"command line", 0});
}

void IniConfig::set(const std::string& section, const std::string& key, const std::string& value,
                    const ValueSource& source) {
  const KeySpec* spec = schema_->find(section, key);
  if (!spec) {
    std::vector<std::string> keys;
    for (const KeySpec& k : schema_->keys())
      if (k.section == section) keys.push_back(k.key);
    throw ConfigError(fmt::format("{}: unknown key \"{}\" in [{}]{}", source.str(), key, section, did_you_mean(key, keys)));
  }
  bool ok = true;
  switch (spec->type) {
    case ValueType::Int: ok = parse_int(value).has_value(); break;
    case ValueType::Float: ok = parse_float(value).has_value(); break;
    case ValueType::Bool: ok = parse_bool(value).has_value(); break;
    case ValueType::String: break;
  }
  if (!ok)
    throw ConfigError(fmt::format("{}: [{}] {} = \"{}\" is not a valid {}", source.str(), section, key, value,
                                  type_name(spec->type)));
  if (!spec->choices.empty() && std::find(spec->choices.begin(), spec->choices.end(), value) == spec->choices.end())
    throw ConfigError(fmt::format("{}: [{}] {} = \"{}\" must be one of {}", source.str(), section, key, value,
                                  fmt::join(spec->choices, ", ")));
  values_[section + "." + key] = Entry{value, source};
}

void IniConfig::require_complete() const {
  for (const KeySpec& k : schema_->keys())
    if (!k.default_value && !is_set(k.section, k.key))
      throw ConfigError(fmt::format("{}: required key \"{}\" is missing from [{}]", name_, k.key, k.section));
}

const KeySpec& IniConfig::spec_of(const std::string& section, const std::string& key) const {
  const KeySpec* spec = schema_->find(section, key);
  if (!spec) throw ConfigError(fmt::format("internal: no key [{}] {} in the schema", section, key));
  return *spec;
}

const std::string& IniConfig::raw(const std::string& section, const std::string& key) const {
  auto it = values_.find(section + "." + key);
  if (it != values_.end()) return it->second.value;
  const KeySpec& spec = spec_of(section, key);
  if (!spec.default_value)
    throw ConfigError(fmt::format("{}: required key \"{}\" is missing from [{}]", name_, key, section));
  return *spec.default_value;
}

bool IniConfig::is_set(const std::string& section, const std::string& key) const {
  return values_.count(section + "." + key) > 0;
}

std::string IniConfig::get_string(const std::string& section, const std::string& key) const { return raw(section, key); }
int64_t IniConfig::get_int(const std::string& section, const std::string& key) const { return *parse_int(raw(section, key)); }
double IniConfig::get_float(const std::string& section, const std::string& key) const {
  return *parse_float(raw(section, key));
}
bool IniConfig::get_bool(const std::string& section, const std::string& key) const { return *parse_bool(raw(section, key)); }

std::string IniConfig::dump() const {
  std::string out;
  for (const KeySpec& k : schema_->keys()) {
    auto it = values_.find(k.section + "." + k.key);
    if (it == values_.end() && !k.default_value) continue;
    out += fmt::format("{}.{} = {}\n", k.section, k.key, it != values_.end() ? it->second.value : *k.default_value);
  }
  return out;
}

}  // namespace flowjet::tools

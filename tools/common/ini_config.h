// INI configuration files with a schema: sections of key = value lines, '#' or ';' comments,
// command-line overrides "section.key=value", and errors that name the file, line and key.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace flowjet::tools {

enum class ValueType { Int, Float, Bool, String };

/// One allowed key: its type, default (none = required), meaning, and optional allowed values.
struct KeySpec {
  std::string section;
  std::string key;
  ValueType type = ValueType::String;
  std::optional<std::string> default_value;
  std::string description;
  std::vector<std::string> choices;  // empty: any value of the type
};

/// Where a value came from, for error messages: "light.ini:12" or "command line".
struct ValueSource {
  std::string origin;
  int line = 0;
  std::string str() const;
};

class Schema {
 public:
  void add(KeySpec spec);
  const std::vector<KeySpec>& keys() const { return keys_; }
  const KeySpec* find(const std::string& section, const std::string& key) const;
  /// A Markdown table of every key (section, key, type, default, meaning), for the README.
  std::string markdown() const;

 private:
  std::vector<KeySpec> keys_;
};

class IniConfig {
 public:
  /// Reads and validates `path` against `schema`; throws ConfigError naming the file and line.
  static IniConfig load(const std::string& path, const Schema& schema);
  /// Same from text; `name` stands for the file in messages.
  static IniConfig parse(const std::string& text, const std::string& name, const Schema& schema);

  /// Applies "section.key=value" (from the command line); throws ConfigError for unknown keys or bad values.
  void apply_override(const std::string& assignment);
  /// Throws ConfigError for required keys that have no value.
  void require_complete() const;

  std::string get_string(const std::string& section, const std::string& key) const;
  int64_t get_int(const std::string& section, const std::string& key) const;
  double get_float(const std::string& section, const std::string& key) const;
  bool get_bool(const std::string& section, const std::string& key) const;
  /// True when the key was given in the file or on the command line (not just defaulted).
  bool is_set(const std::string& section, const std::string& key) const;
  /// Every effective value as "section.key = value" lines (for logs and checkpoints).
  std::string dump() const;
  const std::string& name() const { return name_; }

 private:
  struct Entry {
    std::string value;
    ValueSource source;
  };
  void set(const std::string& section, const std::string& key, const std::string& value, const ValueSource& source);
  const std::string& raw(const std::string& section, const std::string& key) const;
  const KeySpec& spec_of(const std::string& section, const std::string& key) const;

  const Schema* schema_ = nullptr;
  std::string name_;
  std::map<std::string, Entry> values_;  // "section.key" -> value
};

/// Closest candidate by edit distance (for "did you mean"), or "" when none is close.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace flowjet::tools

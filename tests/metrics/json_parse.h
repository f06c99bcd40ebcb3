// A minimal strict JSON parser for the tests: reads back what JsonWriter wrote so that escaping,
// numbers and structure can be checked as values, not as strings.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace flowjet::metrics::testing {

struct JsonValue {
  enum class Kind { Null, Bool, Number, String, Array, Object };
  Kind kind = Kind::Null;
  bool flag = false;
  double number = 0;
  std::string text;
  std::vector<JsonValue> items;                               // Array
  std::vector<std::pair<std::string, JsonValue>> members;     // Object, in document order

  bool has(const std::string& key) const {
    for (const auto& member : members)
      if (member.first == key) return true;
    return false;
  }
  const JsonValue& operator[](const std::string& key) const {
    for (const auto& member : members)
      if (member.first == key) return member.second;
    throw std::runtime_error("JSON object has no key \"" + key + "\"");
  }
  std::vector<std::string> keys() const {
    std::vector<std::string> out;
    for (const auto& member : members) out.push_back(member.first);
    return out;
  }
};

/// Parses one JSON document (RFC 8259; \u escapes of the basic plane). Throws std::runtime_error
/// naming the byte offset on malformed input or trailing garbage.
JsonValue parse_json(const std::string& text);

}  // namespace flowjet::metrics::testing

// A small JSON writer for the evaluation results: objects, arrays, strings with RFC 8259 escaping,
// and numbers in the shortest form that reads back to the same double; NaN and infinities, which
// JSON cannot express, are written as null.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flowjet::metrics {

/// Builds one JSON document. Containers are opened and closed explicitly; inside an object every
/// value is preceded by key(). Misuse (a value without a key inside an object, closing the wrong
/// container, str() before everything is closed) is an internal error. Objects and multi-line
/// arrays put one member per line, indented by two spaces; inline arrays stay on one line.
class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  /// inline_items: all items on one line (for short arrays of numbers or strings).
  JsonWriter& begin_array(bool inline_items = false);
  JsonWriter& end_array();
  JsonWriter& key(const std::string& name);

  JsonWriter& value(double number);  ///< null when not finite
  JsonWriter& value(int64_t number);
  JsonWriter& value(int number) { return value(static_cast<int64_t>(number)); }
  JsonWriter& value(bool flag);
  JsonWriter& value(const std::string& text);
  JsonWriter& value(const char* text) { return value(std::string(text)); }
  JsonWriter& value(const std::optional<double>& number);  ///< null when empty or not finite
  JsonWriter& null();
  /// An inline array of numbers (non-finite ones as null) or of strings.
  JsonWriter& value(const std::vector<double>& numbers);
  JsonWriter& value(const std::vector<std::string>& texts);

  /// The finished document, ending with a newline.
  std::string str() const;

 private:
  struct Level {
    bool is_object;
    bool inline_items;
    bool empty = true;
  };
  void before_value();
  void close(bool is_object);
  void newline_indent();

  std::string out_;
  std::vector<Level> levels_;
  bool key_pending_ = false;
  bool done_ = false;
};

/// `text` as a JSON string literal, quotes included: ", \ and control characters escaped
/// (\n, \t, ... or \u00XX); other bytes (UTF-8) are copied unchanged.
std::string json_quote(const std::string& text);

/// A double as JSON (shortest round-trip digits, std::to_chars), or "null" when not finite.
std::string json_number(double number);

}  // namespace flowjet::metrics

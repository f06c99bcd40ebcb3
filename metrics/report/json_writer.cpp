// JSON output (RFC 8259): escaping of section 7, numbers of section 6 (no NaN or infinity).
#include "metrics/report/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "engine/core/error.h"

namespace flowjet::metrics {

std::string json_quote(const std::string& text) {
  std::string out = "\"";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

std::string json_number(double number) {
  if (!std::isfinite(number)) return "null";
  char text[32];
  // The shortest digits that read back to the same double (0.362, not 0.36199999999999999).
  const auto result = std::to_chars(text, text + sizeof text, number);
  return std::string(text, result.ptr);
}

void JsonWriter::newline_indent() {
  out_ += '\n';
  out_.append(2 * levels_.size(), ' ');
}

void JsonWriter::before_value() {
  FLOWJET_CHECK(!done_, "JsonWriter: a value after the document was closed");
  if (levels_.empty()) return;
  Level& level = levels_.back();
  if (level.is_object) {
    FLOWJET_CHECK(key_pending_, "JsonWriter: a value inside an object needs a key first");
    key_pending_ = false;
    return;
  }
  if (!level.empty) out_ += level.inline_items ? ", " : ",";
  if (!level.inline_items) newline_indent();
  level.empty = false;
}

JsonWriter& JsonWriter::key(const std::string& name) {
  FLOWJET_CHECK(!levels_.empty() && levels_.back().is_object && !key_pending_,
                "JsonWriter: key() outside an object or twice in a row");
  Level& level = levels_.back();
  if (!level.empty) out_ += ',';
  newline_indent();
  level.empty = false;
  out_ += json_quote(name) + ": ";
  key_pending_ = true;
  return *this;
}

JsonWriter& JsonWriter::begin_object() {
  before_value();
  out_ += '{';
  levels_.push_back({true, false});
  return *this;
}

JsonWriter& JsonWriter::begin_array(bool inline_items) {
  before_value();
  out_ += '[';
  levels_.push_back({false, inline_items});
  return *this;
}

void JsonWriter::close(bool is_object) {
  FLOWJET_CHECK(!levels_.empty() && levels_.back().is_object == is_object && !key_pending_,
                "JsonWriter: closing a container that is not open (or a key without its value)");
  const Level level = levels_.back();
  levels_.pop_back();
  if (!level.empty && !level.inline_items) newline_indent();
  out_ += is_object ? '}' : ']';
  if (levels_.empty()) done_ = true;
}

JsonWriter& JsonWriter::end_object() {
  close(true);
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  close(false);
  return *this;
}

JsonWriter& JsonWriter::value(double number) {
  before_value();
  out_ += json_number(number);
  return *this;
}

JsonWriter& JsonWriter::value(int64_t number) {
  before_value();
  out_ += std::to_string(number);
  return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
  before_value();
  out_ += flag ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::value(const std::string& text) {
  before_value();
  out_ += json_quote(text);
  return *this;
}

JsonWriter& JsonWriter::value(const std::optional<double>& number) {
  return number ? value(*number) : null();
}

JsonWriter& JsonWriter::null() {
  before_value();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::value(const std::vector<double>& numbers) {
  begin_array(true);
  for (const double number : numbers) value(number);
  return end_array();
}

JsonWriter& JsonWriter::value(const std::vector<std::string>& texts) {
  begin_array(true);
  for (const auto& text : texts) value(text);
  return end_array();
}

std::string JsonWriter::str() const {
  FLOWJET_CHECK(done_, "JsonWriter: str() before the document is closed");
  return out_ + "\n";
}

}  // namespace flowjet::metrics

// JsonWriter: escaping, non-finite numbers as null, layout, and a round trip through a parser.
#include <cmath>
#include <limits>

#include <doctest/doctest.h>

#include "engine/core/error.h"
#include "metrics/report/json_writer.h"
#include "tests/metrics/json_parse.h"

using namespace flowjet;
using namespace flowjet::metrics;
using flowjet::metrics::testing::JsonValue;
using flowjet::metrics::testing::parse_json;

TEST_CASE("metrics/json_writer: json_quote escapes quotes, backslashes and control characters and keeps UTF-8") {
  CHECK(json_quote("plain") == "\"plain\"");
  CHECK(json_quote("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(json_quote("line\nnext\ttab\r\b\f") == "\"line\\nnext\\ttab\\r\\b\\f\"");
  CHECK(json_quote(std::string("nul\0x\x1f", 6)) == "\"nul\\u0000x\\u001f\"");
  CHECK(json_quote("± ×10⁻³ —") == "\"± ×10⁻³ —\"");
}

TEST_CASE("metrics/json_writer: json_number: shortest round-trip digits, null for NaN and infinities") {
  CHECK(json_number(0.362) == "0.362");
  CHECK(json_number(-2.5e-5) == "-2.5e-05");
  CHECK(json_number(42.0) == "42");
  CHECK(json_number(0.1 + 0.2) == "0.30000000000000004");
  CHECK(json_number(std::numeric_limits<double>::quiet_NaN()) == "null");
  CHECK(json_number(std::numeric_limits<double>::infinity()) == "null");
  CHECK(json_number(-std::numeric_limits<double>::infinity()) == "null");
}

TEST_CASE("metrics/json_writer: JsonWriter layout: one member per line, inline arrays on one line") {
  JsonWriter json;
  json.begin_object();
  json.key("a").value(1);
  json.key("b").value(std::vector<double>{1.5, std::nan("")});
  json.key("c").begin_object().end_object();
  json.key("d").begin_array().value("x").null().end_array();
  json.end_object();
  CHECK(json.str() == "{\n  \"a\": 1,\n  \"b\": [1.5, null],\n  \"c\": {},\n  \"d\": [\n    \"x\",\n    null\n  ]\n}\n");
}

TEST_CASE("metrics/json_writer: JsonWriter round trip: every value reads back unchanged") {
  const std::string awkward = "quote \" backslash \\ slash / newline \n tab \t bell \x07 unicode ± ⁻³";
  const double tiny = 4.9406564584124654e-324, third = 1.0 / 3.0;
  JsonWriter json;
  json.begin_object();
  json.key(awkward).value(awkward);
  json.key("numbers").value(std::vector<double>{third, -1e300, tiny, 0.0, std::numeric_limits<double>::infinity()});
  json.key("missing").value(std::optional<double>());
  json.key("present").value(std::optional<double>(2.25));
  json.key("flag").value(true);
  json.key("count").value(int64_t{-123456789012345});
  json.key("names").value(std::vector<std::string>{"eta_rel", "a\"b"});
  json.key("nested").begin_array().begin_object().key("x").value(false).end_object().end_array();
  json.end_object();

  const JsonValue doc = parse_json(json.str());
  CHECK(doc[awkward].text == awkward);
  const auto& numbers = doc["numbers"].items;
  REQUIRE(numbers.size() == 5);
  CHECK(numbers[0].number == third);  // bit-exact: shortest digits read back to the same double
  CHECK(numbers[1].number == -1e300);
  CHECK(numbers[2].number == tiny);
  CHECK(numbers[3].number == 0.0);
  CHECK(numbers[4].kind == JsonValue::Kind::Null);
  CHECK(doc["missing"].kind == JsonValue::Kind::Null);
  CHECK(doc["present"].number == 2.25);
  CHECK(doc["flag"].flag);
  CHECK(doc["count"].number == -123456789012345.0);
  CHECK(doc["names"].items[1].text == "a\"b");
  CHECK(doc["nested"].items[0]["x"].kind == JsonValue::Kind::Bool);
  CHECK_FALSE(doc["nested"].items[0]["x"].flag);
}

TEST_CASE("metrics/json_writer: JsonWriter misuse is an internal error") {
  JsonWriter json;
  json.begin_object();
  CHECK_THROWS_AS(json.value(1.0), InternalError);  // value without a key
  CHECK_THROWS_AS(json.end_array(), InternalError);
  CHECK_THROWS_AS(json.str(), InternalError);       // still open
}

// Reading what a generated HTML page says, for the tests of bin/inspect's page: how often a string
// occurs, and the value of a <data id="..." value="..."> element.
#pragma once

#include <cstddef>
#include <string>

#include <doctest/doctest.h>

namespace flowjet::test {

inline std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

/// The number in <data id="id" value="...">; fails the running test when the page has none.
inline double data_value(const std::string& page, const std::string& id) {
  const std::string tag = "<data id=\"" + id + "\" value=\"";
  const std::size_t at = page.find(tag);
  REQUIRE_MESSAGE(at != std::string::npos, "no <data id=\"" << id << "\"> in the page");
  return std::stod(page.substr(at + tag.size()));
}

}  // namespace flowjet::test

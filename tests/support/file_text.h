// The whole content of a file as a string (empty when it cannot be read), for tests that check
// what a program wrote.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

namespace flowjet::test {

inline std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace flowjet::test

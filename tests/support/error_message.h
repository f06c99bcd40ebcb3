// The message of the exception of type E that `fn` throws, or "(no <E>)" when it throws none, so
// that a test can check what an error message names.
#pragma once

#include <functional>
#include <string>

namespace flowjet::test {

template <class E>
std::string error_message(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const E& e) {
    return e.what();
  }
  return "(no exception of the expected type)";
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace flowjet::test

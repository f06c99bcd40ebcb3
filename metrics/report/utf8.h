// Length of UTF-8 text in characters, for aligning table columns and laying out SVG text.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>

namespace flowjet::metrics {

/// Characters (code points) of a UTF-8 string: every byte except continuation bytes 10xxxxxx.
inline size_t utf8_length(const std::string& text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

}  // namespace flowjet::metrics

// Whether this test binary (and so the programs of its build, `make sanitize`) runs under
// AddressSanitizer: the few cases that depend on it ask here. ASan, for one, reserves terabytes of
// address space for its shadow memory, so a process under `ulimit -v` fails at start.
#pragma once

namespace flowjet::test {

#if defined(__SANITIZE_ADDRESS__)  // GCC
inline constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)  // Clang
#if __has_feature(address_sanitizer)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
#else
inline constexpr bool kAddressSanitizer = false;
#endif

}  // namespace flowjet::test

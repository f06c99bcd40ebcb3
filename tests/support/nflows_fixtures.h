// Where the committed nflows fixtures are: $FLOWJET_NFLOWS_FIXTURES, else tests/fixtures/nflows
// relative to the repository root (make test runs from there).
#pragma once

#include <string>

namespace flowjet::test {

/// Path of fixture `name` (e.g. "rqs_flow.h5"); fails the running test when the file is missing.
std::string nflows_fixture(const std::string& name);

}  // namespace flowjet::test

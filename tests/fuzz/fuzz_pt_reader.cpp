// libFuzzer entry point of fuzz_pt_reader (tests/fuzz/targets.h); built by `make fuzz` only.
#include "tests/fuzz/targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { flowjet::fuzz::fuzz_pt_reader(data, size); return 0; }

// libFuzzer entry point of fuzz_jetnet_reader (tests/fuzz/targets.h); built by `make fuzz` only.
#include "tests/fuzz/targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { flowjet::fuzz::fuzz_jetnet_reader(data, size); return 0; }

// libFuzzer entry point of fuzz_ini_config (tests/fuzz/targets.h); built by `make fuzz` only.
#include "tests/fuzz/targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { flowjet::fuzz::fuzz_ini_config(data, size); return 0; }

// CPU feature detection and the choice of the GEMM's ISA (see cpu_isa.h).
#include "engine/backend/cpu/cpu_isa.h"

#include <atomic>
#include <cstdlib>
#include <string>

#include "engine/core/error.h"

namespace flowjet {
namespace {

constexpr GemmIsa kAllIsas[] = {GemmIsa::generic, GemmIsa::avx2, GemmIsa::avx512};

// The ISA in use as an int, -1 until the first gemm_isa() call chooses it. Relaxed is enough:
// two threads choosing at once compute the same value.
std::atomic<int> active_isa{-1};

// FLOWJET_ISA if set, else the widest ISA this machine supports.
GemmIsa choose_isa() {
  const char* env = std::getenv("FLOWJET_ISA");
  if (env != nullptr && *env != '\0') return parse_gemm_isa(env);
  for (GemmIsa isa : {GemmIsa::avx512, GemmIsa::avx2})
    if (gemm_isa_supported(isa)) return isa;
  return GemmIsa::generic;
}

}  // namespace

const char* gemm_isa_name(GemmIsa isa) {
  switch (isa) {
    case GemmIsa::avx512: return "avx512";
    case GemmIsa::avx2: return "avx2";
    case GemmIsa::generic: break;
  }
  return "generic";
}

bool gemm_isa_supported(GemmIsa isa) {
  // GCC's cpu-feature table reports AVX and AVX-512 only where the OS enables their register
  // state (XGETBV), so these checks cover OS support too.
  __builtin_cpu_init();
  switch (isa) {
    case GemmIsa::avx512: return __builtin_cpu_supports("avx512f");
    case GemmIsa::avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case GemmIsa::generic: break;
  }
  return true;
}

GemmIsa parse_gemm_isa(const std::string& value) {
  for (GemmIsa isa : kAllIsas) {
    if (value != gemm_isa_name(isa)) continue;
    if (!gemm_isa_supported(isa))
      throw ConfigError("FLOWJET_ISA=" + value + ": this CPU does not support " + value);
    return isa;
  }
  throw ConfigError("FLOWJET_ISA=" + value + ": expected avx512, avx2 or generic");
}

GemmIsa gemm_isa() {
  int isa = active_isa.load(std::memory_order_relaxed);
  if (isa < 0) {
    isa = static_cast<int>(choose_isa());
    active_isa.store(isa, std::memory_order_relaxed);
  }
  return static_cast<GemmIsa>(isa);
}

const char* gemm_isa_name() { return gemm_isa_name(gemm_isa()); }

void set_gemm_isa(GemmIsa isa) {
  if (!gemm_isa_supported(isa))
    throw ConfigError(std::string("set_gemm_isa: this CPU does not support ") + gemm_isa_name(isa));
  active_isa.store(static_cast<int>(isa), std::memory_order_relaxed);
}

}  // namespace flowjet

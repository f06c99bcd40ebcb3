// Which instruction set the CPU GEMM's micro-kernel (and the spline op's CPU kernels and the Philox of
// the random fills, which follow the same choice) uses. Chosen once, at the first use, as the
// widest one this CPU and OS support, unless the environment variable FLOWJET_ISA names one
// (avx512, avx2 or generic). The rest of the library is built for x86-64-v3 (AVX2 + FMA), so
// "generic" is a portable C++ kernel for comparison and testing, not a way to run on older CPUs.
#pragma once

#include <string>

namespace flowjet {

enum class GemmIsa { generic, avx2, avx512 };

/// "generic", "avx2" or "avx512".
const char* gemm_isa_name(GemmIsa isa);

/// Whether this CPU (and the OS, which must save the wider registers) can run the ISA's kernel.
bool gemm_isa_supported(GemmIsa isa);

/// The ISA named by a FLOWJET_ISA value ("avx512", "avx2" or "generic"); throws ConfigError naming
/// FLOWJET_ISA and the value if it is not one of these or this machine does not support it.
GemmIsa parse_gemm_isa(const std::string& value);

/// The ISA in use. The first call reads FLOWJET_ISA; a value that is not an ISA name, or names an
/// ISA this machine lacks, throws ConfigError naming the variable and the value.
GemmIsa gemm_isa();

/// Name of the ISA in use (printed by the benchmarks).
const char* gemm_isa_name();

/// Switches the ISA for the calls that follow (tests and benchmarks compare them); throws
/// ConfigError if this machine does not support it. Not to be called while a GEMM runs.
void set_gemm_isa(GemmIsa isa);

}  // namespace flowjet

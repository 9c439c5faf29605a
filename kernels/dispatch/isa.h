// Instruction-set levels for run-time kernel selection, and their detection.
//
// Detection is isolated in isa.cc (cpuinfo plus raw CPUID for what Debian
// 12's cpuinfo cannot query, e.g. VEX AVX-VNNI). Ops ask once at prepare for
// the level to use and pick their kernels from it; nothing else in the
// runtime looks at CPU features.
#pragma once

#include <cstdint>

namespace qrun::kernels {

// Ordered within an architecture: a higher level implies the lower ones of
// the same architecture. kReference is the portable C++ oracle. ARM levels
// are numbered from 100 so the x86 ones can grow independently.
enum class Isa : int {
  kReference = 0,
  // x86-64
  kAvx2 = 10,        // AVX2 (int8 via vpmovsxbw + vpmaddwd)
  kAvxVnni = 11,     // VEX AVX-VNNI (256-bit vpdpbusd), Alder Lake and newer
  kAvx512Vnni = 12,  // AVX-512 F/BW/VL + VNNI (512-bit vpdpbusd)
  // AArch64 / ARMv7 (kernels/arm/, added by the ARM port)
  kNeon = 100,
  kNeonDot = 101,
  kNeonI8mm = 102,
};

// "reference", "avx2", "avxvnni", "avx512vnni", "neon", "neondot", "i8mm".
const char* IsaName(Isa isa);

// Parses a level name; "auto" (and "") give *is_auto = true. Returns false
// for an unknown name.
bool ParseIsa(const char* name, Isa* isa, bool* is_auto);

// True if this CPU (and OS) can run kernels of `isa`. kReference: always.
bool IsaSupported(Isa isa);

// The best level this CPU supports.
Isa BestIsa();

// True if the level belongs to the architecture this binary was built for
// (and so has kernels compiled in, even if the CPU lacks it).
bool IsaBuilt(Isa isa);

// Comma-separated list of the levels this CPU supports, best last, e.g.
// "reference,avx2,avx512vnni" (static storage).
const char* SupportedIsaList();

// True if `isa` is at least `level` on the same architecture.
inline bool IsaAtLeast(Isa isa, Isa level) {
  const int a = static_cast<int>(isa), l = static_cast<int>(level);
  return a >= l && (a / 100) == (l / 100) && a != 0;
}

}  // namespace qrun::kernels

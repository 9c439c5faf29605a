// CPU feature detection for kernel dispatch: cpuinfo for what it knows, raw
// CPUID for AVX-VNNI (Debian 12's cpuinfo, 2022, has no query for it).
#include "kernels/dispatch/isa.h"

#include <cpuinfo.h>

#include <cstring>
#include <string>

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#define QRUN_ISA_X86 1
#endif

namespace qrun::kernels {
namespace {

bool CpuinfoReady() {
  static const bool ok = cpuinfo_initialize();
  return ok;
}

#if QRUN_ISA_X86
// CPUID.(EAX=7,ECX=1):EAX bit 4 = AVX-VNNI (VEX-encoded vpdpbusd). It uses
// only YMM state, which cpuinfo_has_x86_avx2() already checked with XGETBV.
bool CpuidAvxVnni() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid_max(0, nullptr) < 7) return false;
  __cpuid_count(7, 1, eax, ebx, ecx, edx);
  return (eax >> 4) & 1u;
}
#endif

struct Entry {
  Isa isa;
  const char* name;
};
constexpr Entry kNames[] = {
    {Isa::kReference, "reference"}, {Isa::kAvx2, "avx2"},       {Isa::kAvxVnni, "avxvnni"},
    {Isa::kAvx512Vnni, "avx512vnni"}, {Isa::kNeon, "neon"},     {Isa::kNeonDot, "neondot"},
    {Isa::kNeonI8mm, "i8mm"},
};

}  // namespace

const char* IsaName(Isa isa) {
  for (const Entry& e : kNames)
    if (e.isa == isa) return e.name;
  return "unknown";
}

bool ParseIsa(const char* name, Isa* isa, bool* is_auto) {
  *is_auto = false;
  if (name == nullptr || *name == '\0' || std::strcmp(name, "auto") == 0) {
    *is_auto = true;
    *isa = BestIsa();
    return true;
  }
  for (const Entry& e : kNames) {
    if (std::strcmp(e.name, name) == 0) {
      *isa = e.isa;
      return true;
    }
  }
  return false;
}

bool IsaBuilt(Isa isa) {
  if (isa == Isa::kReference) return true;
#if QRUN_ISA_X86
  return isa == Isa::kAvx2 || isa == Isa::kAvxVnni || isa == Isa::kAvx512Vnni;
#elif defined(__aarch64__)
  return isa == Isa::kNeon || isa == Isa::kNeonDot;  // no i8mm kernels yet
#elif defined(__arm__)
  return isa == Isa::kNeon;  // SDOT kernels are AArch64 only
#else
  return false;
#endif
}

bool IsaSupported(Isa isa) {
  if (isa == Isa::kReference) return true;
  if (!IsaBuilt(isa) || !CpuinfoReady()) return false;
#if QRUN_ISA_X86
  switch (isa) {
    case Isa::kAvx2:
      return cpuinfo_has_x86_avx2();
    case Isa::kAvxVnni:
      return cpuinfo_has_x86_avx2() && CpuidAvxVnni();
    case Isa::kAvx512Vnni:
      return cpuinfo_has_x86_avx512f() && cpuinfo_has_x86_avx512bw() &&
             cpuinfo_has_x86_avx512vl() && cpuinfo_has_x86_avx512vnni();
    default:
      return false;
  }
#elif defined(__aarch64__) || defined(__arm__)
  switch (isa) {
    case Isa::kNeon:
      return cpuinfo_has_arm_neon();
    case Isa::kNeonDot:
      return cpuinfo_has_arm_neon() && cpuinfo_has_arm_neon_dot();
    default:
      return false;
  }
#else
  return false;
#endif
}

Isa BestIsa() {
  static const Isa best = [] {
    Isa b = Isa::kReference;
    for (const Entry& e : kNames)
      if (IsaSupported(e.isa) && static_cast<int>(e.isa) > static_cast<int>(b)) b = e.isa;
    return b;
  }();
  return best;
}

const char* SupportedIsaList() {
  static const std::string list = [] {
    std::string s;
    for (const Entry& e : kNames) {
      if (!IsaSupported(e.isa)) continue;
      if (!s.empty()) s += ",";
      s += e.name;
    }
    return s;
  }();
  return list.c_str();
}

}  // namespace qrun::kernels

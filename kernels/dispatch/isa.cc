// CPU feature detection for kernel dispatch: cpuinfo for what it knows, raw
// CPUID for AVX-VNNI and the Linux HWCAP2 bit for ARM i8mm (Debian 12's
// cpuinfo, 2022, has no query for either).
#include "kernels/dispatch/isa.h"

#include <cpuinfo.h>

#include <cstring>
#include <string>

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#define QRUN_ISA_X86 1
#endif
#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP2_I8MM
#define HWCAP2_I8MM (1UL << 13)  // arch/arm64/include/uapi/asm/hwcap.h
#endif
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

#if defined(__aarch64__)
// FEAT_I8MM (SMMLA). The kernel sets HWCAP2_I8MM only for CPUs that have it
// (and qemu-user for -cpu max). Other AArch64 OSes: not detected, so not used.
bool HasArmI8mm() {
#if defined(__linux__)
  return (getauxval(AT_HWCAP2) & HWCAP2_I8MM) != 0;
#else
  return false;
#endif
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
  return isa == Isa::kNeon || isa == Isa::kNeonDot || isa == Isa::kNeonI8mm;
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
#if defined(QRUN_EMULATED_AVXVNNI)
      // Only in tests/emulated's test binary (kernels on an AVX2 emulation).
      return cpuinfo_has_x86_avx2();
#endif
      return cpuinfo_has_x86_avx2() && CpuidAvxVnni();
    case Isa::kAvx512Vnni:
#if defined(QRUN_EMULATED_AVX512VNNI)
      // Only in tests/emulated's test binary, whose AVX-512 kernels are
      // compiled on SIMDe's portable intrinsics: they run on any AVX2 CPU.
      return cpuinfo_has_x86_avx2();
#endif
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
#if defined(__aarch64__)
    case Isa::kNeonI8mm:
      // A level implies the lower ones (IsaAtLeast): batch-1 layers of the
      // i8mm level run the SDOT GEMV.
      return cpuinfo_has_arm_neon() && cpuinfo_has_arm_neon_dot() && HasArmI8mm();
#endif
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

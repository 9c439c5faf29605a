// What cpuinfo detects on this CPU, the input of every run-time kernel choice.
// Under qemu (ARM cross builds, CMake/qemu-run.sh exports QRUN_QEMU_CPU) the
// detection is checked against what the emulated CPU model has, so that a
// build tested with -cpu cortex-a72 and -cpu max really took different paths.
// QRUN_EXPECT_DOTPROD=0|1 in the environment overrides the expectation.
#include <cpuinfo.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

namespace {

struct Expected {
  const char* cpu;  // qemu -cpu name
  int neon;         // -1: do not check
  int dot;          // ARMv8.2 SDOT/UDOT
  int sve;
};

#if CPUINFO_ARCH_ARM64
constexpr Expected kModels[] = {
    {"cortex-a35", 1, 0, 0}, {"cortex-a53", 1, 0, 0}, {"cortex-a57", 1, 0, 0},
    {"cortex-a72", 1, 0, 0}, {"cortex-a76", 1, 1, 0}, {"neoverse-n1", 1, 1, 0},
    {"a64fx", 1, -1, 1},     {"max", 1, 1, 1},
};
#elif CPUINFO_ARCH_ARM
// qemu-arm never reports ARMv8 features (dot product) to a 32-bit program.
constexpr Expected kModels[] = {
    {"cortex-a7", 1, 0, 0}, {"cortex-a8", 1, 0, 0}, {"cortex-a9", 1, 0, 0},
    {"cortex-a15", 1, 0, 0}, {"max", 1, 0, 0},
};
#else
constexpr Expected kModels[] = {{"", -1, -1, -1}};
#endif

int EnvFlag(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return -1;
  return std::strcmp(v, "0") == 0 ? 0 : 1;
}

TEST(CpuFeatures, DetectionMatchesTheCpuModel) {
  ASSERT_TRUE(cpuinfo_initialize());
  const bool neon = cpuinfo_has_arm_neon();
  const bool dot = cpuinfo_has_arm_neon_dot();
  const bool sve = cpuinfo_has_arm_sve();
  const char* qemu_cpu = std::getenv("QRUN_QEMU_CPU");
  std::cout << "cpuinfo: " << cpuinfo_get_processors_count() << " processors"
            << (qemu_cpu ? std::string(", qemu -cpu ") + qemu_cpu : std::string())
            << "\n  arm: neon=" << neon << " neon_fp16_arith=" << cpuinfo_has_arm_neon_fp16_arith()
            << " neon_dot=" << dot << " sve=" << sve << " sve2=" << cpuinfo_has_arm_sve2()
            << " bf16=" << cpuinfo_has_arm_bf16()
            << "\n  x86: avx2=" << cpuinfo_has_x86_avx2() << " avx512f=" << cpuinfo_has_x86_avx512f()
            << " avx512vnni=" << cpuinfo_has_x86_avx512vnni() << std::endl;

#if CPUINFO_ARCH_ARM64
  EXPECT_TRUE(neon) << "AArch64 always has NEON";
#endif
  Expected want{"", -1, EnvFlag("QRUN_EXPECT_DOTPROD"), -1};
  if (qemu_cpu != nullptr) {
    bool known = false;
    for (const Expected& m : kModels) {
      if (std::strcmp(m.cpu, qemu_cpu) == 0) {
        known = true;
        want.neon = m.neon;
        want.sve = m.sve;
        if (want.dot < 0) want.dot = m.dot;
      }
    }
    if (!known) std::cout << "  (no expectations recorded for -cpu " << qemu_cpu << ")\n";
  }
  if (want.neon >= 0) {
    EXPECT_EQ(neon, want.neon == 1) << "cpuinfo_has_arm_neon()";
  }
  if (want.dot >= 0) {
    EXPECT_EQ(dot, want.dot == 1) << "cpuinfo_has_arm_neon_dot()";
  }
  if (want.sve >= 0) {
    EXPECT_EQ(sve, want.sve == 1) << "cpuinfo_has_arm_sve()";
  }
}

}  // namespace

# 32-bit ARM Linux, Debian armhf / 32-bit Raspberry Pi OS:
#   cmake -S . -B build-cross-armv7 \
#     -DCMAKE_TOOLCHAIN_FILE=CMake/toolchain-arm-linux-gnueabihf.cmake
# Debian's armhf baseline is kept: ARMv7-A, Thumb-2, VFPv3-D16, hard float,
# and NO NEON. Generic code must not need NEON; NEON kernels (kernels/arm/)
# are compiled per file with -mfpu=neon (or neon-vfpv4) and selected at run
# time with cpuinfo_has_arm_neon() (docs/raspberry-pi.md). Tests run under
# qemu-arm with -cpu QRUN_QEMU_CPU (cortex-a7: ARMv7 + NEON-VFPv4; qemu never
# reports ARMv8 features such as the dot product to 32-bit programs).
set(CMAKE_SYSTEM_PROCESSOR armv7l)
set(QRUN_CROSS_TRIPLET arm-linux-gnueabihf)
set(QRUN_QEMU qemu-arm)
set(QRUN_QEMU_CPU_DEFAULT cortex-a7)
# GCC notes that the ABI of some std::sort helpers changed in GCC 7.1: only
# relevant when mixing objects built by GCC < 7, which this build never does.
set(CMAKE_CXX_FLAGS_INIT "-Wno-psabi")
include("${CMAKE_CURRENT_LIST_DIR}/qrun-cross-common.cmake")

# 64-bit ARM Linux (Raspberry Pi 3/4/5 with a 64-bit OS, phones, Graviton):
#   cmake -S . -B build-cross-aarch64 \
#     -DCMAKE_TOOLCHAIN_FILE=CMake/toolchain-aarch64-linux-gnu.cmake [-DQRUN_QEMU_CPU=max]
# Baseline ARMv8-A (NEON is always there). Tests run under qemu-aarch64 with
# -cpu QRUN_QEMU_CPU: cortex-a72 (Pi 4, no dot product), cortex-a76 (Pi 5,
# SDOT), max (dot product, i8mm, SVE2, bf16).
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(QRUN_CROSS_TRIPLET aarch64-linux-gnu)
set(QRUN_QEMU qemu-aarch64)
set(QRUN_QEMU_CPU_DEFAULT cortex-a72)
include("${CMAKE_CURRENT_LIST_DIR}/qrun-cross-common.cmake")

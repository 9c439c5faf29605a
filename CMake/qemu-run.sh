#!/bin/sh
# CMAKE_CROSSCOMPILING_EMULATOR of the ARM cross builds (CMake/toolchain-*.cmake):
#   qemu-run.sh BUILD_DIR/qemu-run.env PROGRAM [ARGS...]
# runs PROGRAM under qemu-user with the CPU model from the environment's
# QRUN_QEMU_CPU, else the one configured (-DQRUN_QEMU_CPU=...), the sysroot
# overlay's libraries on the guest's LD_LIBRARY_PATH, and a hard time limit.
# No -L: the multiarch libc in /usr/lib/<triplet> is what the binaries use.
# The guest sees QRUN_QEMU_CPU (tests/runtime/cpu_features_test.cc checks
# what cpuinfo detects against it).
set -e
case $1 in */*) . "$1" ;; *) . "./$1" ;; esac
shift
QRUN_QEMU_CPU=${QRUN_QEMU_CPU:-$QRUN_QEMU_CPU_DEFAULT}
export QRUN_QEMU_CPU
exec timeout -k 5 "$QRUN_QEMU_TIMEOUT" "$QRUN_QEMU" -cpu "$QRUN_QEMU_CPU" \
  -E "LD_LIBRARY_PATH=$QRUN_QEMU_LIBDIR" "$@"

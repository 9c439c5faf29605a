#!/usr/bin/env bash
# ARM cross builds, tested under qemu-user (docs/raspberry-pi.md):
#   scripts/cross-build.sh [--no-setup] [--jobs N] [--armv7-kernels-only] [aarch64] [armv7]
# With no target, both. Steps, each timed:
#   setup    scripts/setup-debian.sh --arm (cross compilers, qemu-user, arm64/armhf
#            packages, the sysroot overlay in /opt/qrun-sysroot); skip with --no-setup
#   host     qrun for the host (build-cross-host, or QRUN_HOST_BUILD=<dir> with a
#            built tools/qrun/qrun), to compare the ARM qrun's output with
#   aarch64  build-cross-aarch64: build; the whole ctest suite with -cpu cortex-a72
#            (Pi 4, no dot product); the kernel tests and qrun_matches_host with
#            -cpu max (dot product, i8mm, SVE2); the kernel and CPU-feature tests
#            with -cpu cortex-a76 (Pi 5)
#   armv7    build-cross-armv7 (armhf): build; the whole ctest suite, -cpu cortex-a7
#            (--armv7-kernels-only, as CI does: build the library, qrun and the
#            kernel tests only, and run the kernel tests and qrun_matches_host)
# qrun_matches_host (in each suite) checks that qrun under qemu prints the same
# predictions and writes the same bytes as the host's qrun.
set -euo pipefail
cd "$(dirname "$0")/.."

SETUP=1
JOBS=2
ARMV7_KERNELS_ONLY=0
TARGETS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-setup) SETUP=0 ;;
    --jobs) JOBS=$2; shift ;;
    --armv7-kernels-only) ARMV7_KERNELS_ONLY=1 ;;
    aarch64|armv7) TARGETS+=("$1") ;;
    -h|--help) sed -n '2,/^set -/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "cross-build: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(aarch64 armv7)

start=$(date +%s)
last=$start
stamp() {
  local now; now=$(date +%s)
  echo "== cross-build: $1 (+$((now - last)) s, total $((now - start)) s)"
  last=$now
}
ctest_() { ctest --test-dir "$@" -j"$JOBS" --output-on-failure --timeout 900; }

if [ "$SETUP" = 1 ]; then
  scripts/setup-debian.sh --arm
  stamp "setup done"
fi

HOST_BUILD=${QRUN_HOST_BUILD:-build-cross-host}
if [ ! -x "$HOST_BUILD/tools/qrun/qrun" ] || [ "$HOST_BUILD" = build-cross-host ]; then
  cmake -S . -B "$HOST_BUILD" -DCMAKE_BUILD_TYPE=Release -DQRUN_BUILD_TESTS=OFF -DQRUN_BUILD_BENCH=OFF >/dev/null
  cmake --build "$HOST_BUILD" -j"$JOBS" --target qrun_cli
fi
HOST_QRUN=$(realpath "$HOST_BUILD/tools/qrun/qrun")
stamp "host qrun ($HOST_QRUN) built"

for t in "${TARGETS[@]}"; do
  case $t in
    aarch64) toolchain=CMake/toolchain-aarch64-linux-gnu.cmake; cpu=cortex-a72 ;;
    armv7)   toolchain=CMake/toolchain-arm-linux-gnueabihf.cmake; cpu=cortex-a7 ;;
  esac
  dir=build-cross-$t
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
    -DQRUN_QEMU_CPU="$cpu" -DQRUN_HOST_QRUN="$HOST_QRUN" -DQRUN_BUILD_BENCH=OFF >/dev/null
  if [ "$t" = armv7 ] && [ "$ARMV7_KERNELS_ONLY" = 1 ]; then
    cmake --build "$dir" -j"$JOBS" --target qrun_kernel_tests qrun_cli
    stamp "$t build (library, qrun, kernel tests)"
    QRUN_QEMU_CPU=$cpu ctest_ "$dir" -L qrun_kernel_tests
    QRUN_QEMU_CPU=$cpu ctest_ "$dir" -R '^qrun_matches_host$'
    stamp "$t kernel tests + qrun_matches_host, qemu -cpu $cpu"
    continue
  fi
  cmake --build "$dir" -j"$JOBS"
  stamp "$t build"
  QRUN_QEMU_CPU=$cpu ctest_ "$dir"
  stamp "$t ctest, qemu -cpu $cpu"
  if [ "$t" = aarch64 ]; then
    # i8mm is a kernel-level difference: its kernel tests, and qrun end to end.
    QRUN_QEMU_CPU=max ctest_ "$dir" -L qrun_kernel_tests
    QRUN_QEMU_CPU=max ctest_ "$dir" -R '^qrun_matches_host$'
    stamp "$t kernel tests + qrun_matches_host, qemu -cpu max"
    QRUN_QEMU_CPU=cortex-a76 ctest_ "$dir" -R '^CpuFeatures\.|^qrun_matches_host$'
    QRUN_QEMU_CPU=cortex-a76 ctest_ "$dir" -L qrun_kernel_tests
    stamp "$t kernel + CPU-feature tests, qemu -cpu cortex-a76"
  fi
done
stamp "done"

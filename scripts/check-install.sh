#!/usr/bin/env bash
# CI: installs qrun to a temporary prefix and builds and runs the embedding
# examples against the installed package only:
#   1. static (default) install from BUILD_DIR (default: build, as configured
#      by scripts/quickstart.sh): layout, the installed `qrun` CLI,
#      examples/c and examples/cpp via find_package(qrun), examples/c via
#      pkg-config + cc;
#   2. a BUILD_SHARED_LIBS=ON build in build-emb-shared (library and CLI
#      only): libqrun.so exports only qrun_* symbols, both examples again.
# Each example must print the bundled model's prediction for
# examples/vertical_line.bin: "vertical".
#
# Usage: scripts/check-install.sh [BUILD_DIR]     (QRUN_CHECK_SHARED=0 skips 2.)
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
BUILD_DIR=${1:-build}
JOBS=${JOBS:-$(nproc)}
start=$(date +%s)
stamp() { echo "== check-install: $1 ($(( $(date +%s) - start )) s)"; }
fail() { echo "check-install: FAILED: $*" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/qrun-install.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
MODEL=$SRC/examples/tiny_lines.qfb
INPUT=$SRC/examples/vertical_line.bin

# Runs an example and checks its top-1 line names the vertical class.
expect_vertical() {
  local out
  out=$("$@") || fail "$* exited with $?"
  echo "$out" | sed 's/^/    /'
  echo "$out" | grep -q "^top-1: class 1 (vertical)" || fail "$1 did not predict 'vertical'"
}

# Builds examples/c and examples/cpp against PREFIX with CMake and runs them.
check_cmake_examples() {
  local prefix=$1 tag=$2
  for lang in c cpp; do
    cmake -S "$SRC/examples/$lang" -B "$WORK/ex-$lang-$tag" -DCMAKE_PREFIX_PATH="$prefix" \
      -DCMAKE_BUILD_TYPE=Release -DCMAKE_COMPILE_WARNING_AS_ERROR=ON >"$WORK/ex-$lang-$tag.log" 2>&1 \
      || { cat "$WORK/ex-$lang-$tag.log"; fail "configure examples/$lang ($tag)"; }
    cmake --build "$WORK/ex-$lang-$tag" -j"$JOBS" >>"$WORK/ex-$lang-$tag.log" 2>&1 \
      || { cat "$WORK/ex-$lang-$tag.log"; fail "build examples/$lang ($tag)"; }
    echo "  examples/$lang ($tag, find_package):"
    expect_vertical "$WORK/ex-$lang-$tag/qrun_example_$lang" "$MODEL" "$INPUT"
  done
}

stamp "static install from $BUILD_DIR"
[ -f "$BUILD_DIR/CMakeCache.txt" ] || fail "$BUILD_DIR is not configured (run scripts/quickstart.sh)"
cmake --build "$BUILD_DIR" -j"$JOBS" --target qrun qrun_cli qinspect >/dev/null
PREFIX=$WORK/static
cmake --install "$BUILD_DIR" --prefix "$PREFIX" >/dev/null
libdir=$(dirname "$(find "$PREFIX" -name libqrun.a | head -1)")
[ -f "$libdir/libqrun.a" ] || fail "no libqrun.a installed"
for f in include/qrun/qrun.h include/qrun/qrun.hpp bin/qrun bin/qinspect; do
  [ -e "$PREFIX/$f" ] || fail "$f not installed"
done
for f in qrunConfig.cmake qrunConfigVersion.cmake qrunTargets.cmake FindCpuinfo.cmake FindPthreadpool.cmake; do
  [ -f "$libdir/cmake/qrun/$f" ] || fail "cmake/qrun/$f not installed"
done
[ -f "$libdir/pkgconfig/qrun.pc" ] || fail "pkgconfig/qrun.pc not installed"
# Only the public headers: nothing of the build tree (no flatbuffers, no internals).
extra=$(find "$PREFIX/include" -type f ! -name qrun.h ! -name qrun.hpp)
[ -z "$extra" ] || fail "unexpected installed headers: $extra"
# (Self-contained libqrun.a: the examples below link nothing else of qrun.)
echo "  installed CLI:"
"$PREFIX/bin/qrun" "$MODEL" "$INPUT" | sed 's/^/    /'
"$PREFIX/bin/qrun" "$MODEL" "$INPUT" | grep -q "(vertical)" || fail "installed qrun CLI"
"$PREFIX/bin/qinspect" "$MODEL" | grep -q "^plan (native backend" || fail "installed qinspect"

stamp "examples against the static install (CMake package)"
check_cmake_examples "$PREFIX" static

stamp "examples/c against the static install (pkg-config + cc)"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
pkg-config --exists --print-errors "qrun >= 0.1" || fail "pkg-config does not find qrun"
# shellcheck disable=SC2046
cc -std=c99 -Wall -Wextra -pedantic -Werror -o "$WORK/ex-c-pkgconfig" "$SRC/examples/c/main.c" \
  $(pkg-config --cflags --libs --static qrun) || fail "cc + pkg-config"
echo "  examples/c (static, pkg-config):"
expect_vertical "$WORK/ex-c-pkgconfig" "$MODEL" "$INPUT"
unset PKG_CONFIG_PATH

if [ "${QRUN_CHECK_SHARED:-1}" != 0 ]; then
  stamp "shared library build (build-emb-shared)"
  # -O1: this build checks the export list and the package, not speed.
  cmake -S . -B build-emb-shared -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON \
    -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" -DCMAKE_C_FLAGS_RELEASE="-O1 -DNDEBUG" \
    -DQRUN_BUILD_TESTS=OFF -DQRUN_BUILD_BENCH=OFF -DQRUN_BUILD_CONVERTER=OFF >/dev/null
  cmake --build build-emb-shared -j"$JOBS" --target qrun qrun_cli qinspect >/dev/null
  SPREFIX=$WORK/shared
  cmake --install build-emb-shared --prefix "$SPREFIX" >/dev/null
  so=$(find "$SPREFIX" -name 'libqrun.so.*.*.*' | head -1)
  [ -n "$so" ] || fail "no libqrun.so installed"
  exported=$(nm -D --defined-only "$so" | awk '{print $3}' | sort -u)
  bad=$(echo "$exported" | grep -v '^qrun_' || true)
  [ -z "$bad" ] || fail "libqrun.so exports non-API symbols: $(echo "$bad" | head -20)"
  echo "  libqrun.so exports $(echo "$exported" | wc -l) symbols, all qrun_*"
  declared=$(grep -o 'QRUN_API [^(]*(' "$SRC/runtime/include/qrun/qrun.h" | grep -o 'qrun_[a-z0-9_]*(' | tr -d '(' | sort -u)
  [ "$declared" = "$exported" ] || fail "exports differ from qrun.h: $(diff <(echo "$declared") <(echo "$exported") || true)"
  echo "  installed CLI (shared):"
  LD_LIBRARY_PATH="$(dirname "$so")" "$SPREFIX/bin/qrun" "$MODEL" "$INPUT" | grep -q "(vertical)" \
    || fail "installed qrun CLI (shared)"
  stamp "examples against the shared install (CMake package)"
  check_cmake_examples "$SPREFIX" shared
fi

stamp "done: install checks passed"

#!/usr/bin/env bash
# CI: fuzzes the model loader + interpreter for SECONDS (default 60) with
# libFuzzer, ASan and UBSan (clang). Builds build-fuzz (RelWithDebInfo, only
# the fuzz target and the seed-corpus generator), regenerates the seed
# corpus (one valid model per op type and variant, plus the bundled
# example), replays the committed regression inputs in fuzz/regressions/,
# then fuzzes. Exits non-zero on any crash, sanitizer report, timeout, OOM or
# contract violation; the reproducer is left in build-fuzz/artifacts/
# (replay it with: build-fuzz/fuzz/qrun_model_fuzzer FILE).
#
# Needs clang with its runtimes: scripts/setup-debian.sh --sanitizers.
# FUZZ_BUILD_DIR=DIR uses an existing clang build configured with
# -DQRUN_BUILD_FUZZERS=ON (CI reuses its ASan/UBSan build) instead.
#
# Usage: scripts/fuzz.sh [SECONDS]     (FUZZ_JOBS=N runs N fuzzer processes)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${1:-60}
JOBS=${JOBS:-$(nproc)}
FUZZ_JOBS=${FUZZ_JOBS:-1}
start=$(date +%s)
stamp() { echo "== fuzz: $1 ($(( $(date +%s) - start )) s)"; }

B=${FUZZ_BUILD_DIR:-build-fuzz}
if [ -z "${FUZZ_BUILD_DIR:-}" ]; then
  stamp "configure $B (clang, libFuzzer, ASan+UBSan)"
  cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DQRUN_BUILD_FUZZERS=ON -DQRUN_SANITIZE=address,undefined \
    -DQRUN_BUILD_TESTS=OFF -DQRUN_BUILD_BENCH=OFF -DQRUN_BUILD_CONVERTER=OFF >/dev/null
fi
stamp "build"
cmake --build "$B" -j"$JOBS" --target qrun_model_fuzzer qrun_make_seed_corpus
FUZZER="$B"/fuzz/qrun_model_fuzzer

stamp "seed corpus"
rm -rf "$B"/seeds "$B"/artifacts
mkdir -p "$B"/seeds "$B"/corpus "$B"/artifacts
"$B"/fuzz/qrun_make_seed_corpus "$B"/seeds
cp examples/tiny_lines.qfb "$B"/seeds/

export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:allocator_may_return_null=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
if compgen -G "fuzz/regressions/*" >/dev/null; then
  stamp "replay fuzz/regressions/ ($(ls fuzz/regressions | wc -l) inputs)"
  "$FUZZER" -runs=0 fuzz/regressions/* >"$B"/replay.log 2>&1 \
    || { cat "$B"/replay.log; echo "fuzz: FAILED: a regression input crashes" >&2; exit 1; }
fi

stamp "fuzz for ${SECONDS_TO_RUN} s"
# The corpus directory keeps what earlier runs found; the seeds are read too.
# -max_len: the seeds are 0.5-4 KB; room to grow without slow giant inputs.
jobs=()
[ "$FUZZ_JOBS" -gt 1 ] && jobs=(-jobs="$FUZZ_JOBS" -workers="$FUZZ_JOBS")
status=0
# From inside the build directory: with FUZZ_JOBS > 1 libFuzzer writes its
# per-job fuzz-N.log files to the current directory.
dict=$PWD/fuzz/qfb.dict
(cd "$B" && ./fuzz/qrun_model_fuzzer corpus seeds \
  -max_total_time="$SECONDS_TO_RUN" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
  -dict="$dict" -artifact_prefix=artifacts/ -print_final_stats=1 \
  "${jobs[@]}") >"$B"/fuzz.log 2>&1 || status=$?
grep -v -E '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse|RELOAD)' "$B"/fuzz.log | tail -n 60 || true
if [ "$status" -ne 0 ] || compgen -G "$B/artifacts/*" >/dev/null; then
  echo "fuzz: FAILED (exit $status); reproducers:" >&2
  ls -l "$B"/artifacts/ >&2
  exit 1
fi
stamp "done: no findings in ${SECONDS_TO_RUN} s ($(ls "$B"/corpus | wc -l) corpus inputs)"

#!/usr/bin/env bash
# Cross builds: qrun for the target (run through the emulator) prints the same
# outputs and predictions and writes the same output bytes as qrun built for
# the host, on every example input, with both backends and two threads. The
# first line (arena size) may differ: it depends on the kernels each ISA uses.
# Usage: qrun_matches_host.sh HOST_QRUN TARGET_QRUN SOURCE_DIR [EMULATOR [ARGS...]]
set -u
HOST=$1
TARGET=$2
EX=$3/examples
shift 3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failures=0
runs=0
for kind in horizontal vertical diagonal anti_diagonal; do
  for opts in "" "--backend reference" "--threads 2"; do
    # shellcheck disable=SC2086  # opts is a word list
    "$HOST" "$EX/tiny_lines.qfb" "$EX/${kind}_line.bin" $opts -o "$TMP/host.bin" >"$TMP/host.txt" 2>&1
    # shellcheck disable=SC2086
    "$@" "$TARGET" "$EX/tiny_lines.qfb" "$EX/${kind}_line.bin" $opts -o "$TMP/target.bin" >"$TMP/target.txt" 2>&1
    runs=$((runs + 1))
    if ! head -c 6 "$TMP/target.txt" | grep -q "^model "; then
      echo "FAIL: $kind $opts: target qrun failed"; cat "$TMP/target.txt"
      failures=$((failures + 1))
    elif ! cmp -s <(tail -n +2 "$TMP/host.txt") <(tail -n +2 "$TMP/target.txt"); then
      echo "FAIL: $kind $opts: reports differ"; diff "$TMP/host.txt" "$TMP/target.txt"
      failures=$((failures + 1))
    elif ! cmp "$TMP/host.bin" "$TMP/target.bin"; then
      echo "FAIL: $kind $opts: output bytes differ"; failures=$((failures + 1))
    fi
  done
  grep "#1 " "$TMP/target.txt"
done
echo "$runs runs, $failures differ"
[ "$runs" -gt 0 ] && [ "$failures" -eq 0 ]

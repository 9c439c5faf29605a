#!/usr/bin/env bash
# End-to-end checks of the qrun command line on the bundled example.
# Usage: qrun_cli_test.sh QRUN_BINARY SOURCE_DIR [EMULATOR [ARGS...]]
# An emulator command (cross builds: CMake/qemu-run.sh ...) prefixes every run.
set -u
QRUN=$1
EX=$2/examples
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
if [ $# -gt 2 ]; then
  # A one-file wrapper, so that "$QRUN" also works inside the bash -c checks.
  printf '#!/usr/bin/env bash\nexec' >"$TMP/qrun"
  printf ' %q' "${@:3}" "$QRUN" >>"$TMP/qrun"
  printf ' "$@"\n' >>"$TMP/qrun"
  chmod +x "$TMP/qrun"
  QRUN=$TMP/qrun
fi
failures=0
passes=0

check() {  # check NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then passes=$((passes + 1)); else echo "FAIL: $name"; failures=$((failures + 1)); fi
}

# run EXPECTED_EXIT ARGS...: runs qrun, keeps stdout/stderr in $TMP/out, $TMP/err.
run() {
  local want=$1; shift
  "$QRUN" "$@" >"$TMP/out" 2>"$TMP/err"
  local got=$?
  if [ "$got" != "$want" ]; then
    echo "qrun $* exited $got, expected $want"; cat "$TMP/err"; return 1
  fi
}
one_error_line() { [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "^qrun: error: .*$1" "$TMP/err"; }

# Each sample image is classified as its own class.
for kind in horizontal vertical diagonal anti_diagonal; do
  label=${kind/_/-}
  check "predicts $kind" run 0 "$EX/tiny_lines.qfb" "$EX/${kind}_line.bin"
  check "top-1 is $label" grep -q "#1 class [0-9] ($label)" "$TMP/out"
done

# Wrong-size input: exit 1, one line naming expected and given sizes.
head -c 100 "$EX/vertical_line.bin" >"$TMP/short.bin"
check "wrong-size input exits 1" run 1 "$EX/tiny_lines.qfb" "$TMP/short.bin"
check "wrong-size message" one_error_line "expects 256 bytes.*has 100 bytes"

# Truncated model: exit 1, the loader's message.
head -c 1000 "$EX/tiny_lines.qfb" >"$TMP/cut.qfb"
check "truncated model exits 1" run 1 "$TMP/cut.qfb" "$EX/vertical_line.bin"
check "truncated model message" one_error_line "corrupt or truncated"

# Missing files.
check "missing model exits 1" run 1 "$TMP/nope.qfb" "$EX/vertical_line.bin"
check "missing model message" one_error_line "cannot open"
check "missing input file exits non-zero" bash -c "! '$QRUN' '$EX/tiny_lines.qfb' '$TMP/nope.bin' 2>/dev/null"
check "no input given exits 2" run 2 "$EX/tiny_lines.qfb"
check "no input message names it" one_error_line "missing input 'image'"

# A .npy whose shape product wraps 64 bits (2^96 elements, "0 bytes"), with
# no data: rejected by size, not accepted as an empty array.
npy_header() {  # npy_header DICT > file: version 1.0 magic, length, padded dict
  local h="$1"; local n=$(( ${#h} + 1 ))
  printf '\223NUMPY\001\000'
  printf "\\x$(printf %02x $((n & 255)))\\x$(printf %02x $((n >> 8)))"
  printf '%s\n' "$h"
}
npy_header "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }" >"$TMP/wrap.npy"
check "wrapping .npy shape exits 1" run 1 "$EX/tiny_lines.qfb" "$TMP/wrap.npy"
check "wrapping .npy shape message" one_error_line "array too large"

# Not a model at all.
check "foreign file exits 1" run 1 "$EX/vertical_line.bin" "$EX/vertical_line.bin"
check "foreign file message" one_error_line "not a qrun model"

# Usage errors.
check "unknown option exits 2" run 2 "$EX/tiny_lines.qfb" --frobnicate
check "bad thread count exits 2" run 2 "$EX/tiny_lines.qfb" "$EX/vertical_line.bin" --threads 0
check "help exits 0" run 0 --help
check "help lists --bench" grep -q -- "--bench N" "$TMP/out"

# Outputs to .npy: header magic and 16 bytes of float32 data.
check "-o npy" run 0 "$EX/tiny_lines.qfb" "$EX/vertical_line.bin" -o "$TMP/out.npy"
check "npy magic" bash -c "head -c 6 '$TMP/out.npy' | grep -q NUMPY"
check "raw output is 16 bytes" bash -c "'$QRUN' '$EX/tiny_lines.qfb' '$EX/vertical_line.bin' -o '$TMP/out.bin' >/dev/null && [ \$(stat -c %s '$TMP/out.bin') -eq 16 ]"

# Benchmark mode prints timings and keeps the same answer.
check "bench runs" run 0 "$EX/tiny_lines.qfb" "$EX/vertical_line.bin" --bench 20 --profile
check "bench median" grep -q "median" "$TMP/out"
check "bench keeps prediction" grep -q "#1 class 1 (vertical)" "$TMP/out"
check "profile names the kernel" grep -q "conv2d" "$TMP/out"
check "no-winograd runs" run 0 "$EX/tiny_lines.qfb" "$EX/vertical_line.bin" --no-winograd
check "no-winograd keeps prediction" grep -q "#1 class 1 (vertical)" "$TMP/out"
check "json" run 0 "$EX/tiny_lines.qfb" "$EX/vertical_line.bin" --bench 5 --json
check "json has median_ms" grep -q '"median_ms"' "$TMP/out"

# Threads and the reference backend give identical outputs.
"$QRUN" "$EX/tiny_lines.qfb" "$EX/diagonal_line.bin" -o "$TMP/a.bin" >/dev/null
"$QRUN" "$EX/tiny_lines.qfb" "$EX/diagonal_line.bin" -o "$TMP/b.bin" --threads 2 --backend reference >/dev/null
check "threads/backends agree" cmp -s "$TMP/a.bin" "$TMP/b.bin"

# --dump: one file per op output plus the input, listed in index.tsv; the
# last op's dump is the model output.
check "dump runs" run 0 "$EX/tiny_lines.qfb" "$EX/vertical_line.bin" --dump "$TMP/dump" -o "$TMP/probs.npy"
check "dump index lists input and 7 ops" bash -c "[ \$(wc -l <'$TMP/dump/index.tsv') -eq 9 ]"
check "dump has every file" bash -c "cut -f9 '$TMP/dump/index.tsv' | tail -n +2 | while read -r f; do [ -s '$TMP/dump/'\$f ] || exit 1; done"
check "dump of the last op is the output" cmp -s "$TMP/dump/006_probabilities.npy" "$TMP/probs.npy"
check "dump into a file fails" run 1 "$EX/tiny_lines.qfb" "$EX/vertical_line.bin" --dump "$EX/tiny_lines.qfb"

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]

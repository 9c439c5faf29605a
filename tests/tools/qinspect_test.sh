#!/usr/bin/env bash
# qinspect on the bundled example: structure, plan, options, tensors, errors.
# Usage: qinspect_test.sh QINSPECT_BINARY SOURCE_DIR [EMULATOR [ARGS...]]
set -u
QI=("${@:3}" "$1")
EX=$2/examples
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failures=0
passes=0
check() {  # check NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then passes=$((passes + 1)); else echo "FAIL: $name"; failures=$((failures + 1)); fi
}
run() {  # run EXPECTED_EXIT ARGS...: output in $TMP/out, $TMP/err
  local want=$1; shift
  "${QI[@]}" "$@" >"$TMP/out" 2>"$TMP/err"
  local got=$?
  if [ "$got" != "$want" ]; then echo "qinspect $* exited $got, expected $want"; cat "$TMP/err"; return 1; fi
}
has() { grep -qE -- "$1" "$TMP/out" || { echo "no line matching '$1' in:"; cat "$TMP/out"; return 1; }; }

check "runs" run 0 "$EX/tiny_lines.qfb" --tensors
check "summary" has "tiny_lines.qfb: 1.9 KB, 7 ops, 11 tensors \(3 constants"
check "metadata" has "^  labels: horizontal,vertical,diagonal,anti-diagonal$"
check "input" has "^input 0 'image': float32 \[1x8x8x1\]$"
check "output" has "^output 0 'probabilities': float32 \[1x4\]$"
check "plan" has "^plan \(native backend, 1 thread\): arena [0-9]+ B, packed weights .*, 2.6K MACs per run$"
check "conv op with its kernel and MACs" has "^   1 CONV_2D +'conv' +[a-z0-9_/.-]*conv[a-z0-9_/.-]* +2.3K MACs$"
check "conv options" has "^       options: \{ pad_top: 1, pad_left: 1, pad_bottom: 1, pad_right: 1, activation: \{ kind: RELU \} \}$"
check "pool options" has "options: \{ kernel_h: 2, kernel_w: 2, stride_h: 2, stride_w: 2 \}"
check "quantized output" has "out: int8 \[1x4\] scale 0.0627451 zp -64$"
check "per-channel weights" has "'detectors' +constant +int8 +36 B \[4x3x3x1\] per-channel \(4 on axis 0\)"

check "reference plan" run 0 "$EX/tiny_lines.qfb" --backend reference
check "reference kernels" has "^   1 CONV_2D .*_ref"

check "missing file exits 1" run 1 "$TMP/none.qfb"
check "missing file message" grep -q "^qinspect: error: cannot open" "$TMP/err"
check "not a model exits 1" run 1 "$EX/vertical_line.bin"
check "not a model message" grep -q "not a qrun model" "$TMP/err"
head -c 1000 "$EX/tiny_lines.qfb" >"$TMP/cut.qfb"
check "truncated model exits 1" run 1 "$TMP/cut.qfb"
check "bad option exits 2" run 2 "$EX/tiny_lines.qfb" --frobnicate
check "help exits 0" run 0 --help
check "help lists --tensors" has "--tensors"

echo "qinspect_test: $passes passed, $failures failed"
[ "$failures" -eq 0 ]

#!/usr/bin/env bash
# Measures qconvert's acceptance numbers (issue #3) with the built binaries.
# Usage: scripts/eval-converter.sh [BUILD_DIR] [OUT_DIR]   (needs ../shared)
set -euo pipefail
B=${1:-build}
OUT=${2:-/tmp/qconvert-eval}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
S=${QRUN_SHARED:-$ROOT/../shared}
M=$S/models
D=$S/data
QC="$B/tools/qconvert/qconvert -q"
QE=$B/tools/qeval/qeval
mkdir -p "$OUT"

echo "== mnist_cnn (test split, 2000 digits)"
$QC $M/mnist_cnn.onnx -o $OUT/mnist_f.qfb --float
$QC $M/mnist_cnn.onnx -o $OUT/mnist_q.qfb --calib $D/mnist/train_images.u8 --calib-count 256 --calib-transform mnist
$QE $OUT/mnist_q.qfb --inputs $D/mnist/test_images.u8 --transform mnist --labels $D/mnist/test_labels.u8 --ref $OUT/mnist_f.qfb

for m in mobilenet_v2 mobilenet_v3_small resnet18; do
  echo "== $m (32 eval crops)"
  $QC $M/$m.onnx -o $OUT/${m}_f.qfb --float
  $QE $OUT/${m}_f.qfb --inputs $D/images/eval --ref-outputs $M/reference_outputs/$m/float32 | tail -1
  $QC $M/$m.onnx -o $OUT/${m}_q.qfb --calib $D/images/calib --calib-transform imagenet ${CALIB_ARGS:-}
  $QE $OUT/${m}_q.qfb --inputs $D/images/eval --ref $OUT/${m}_f.qfb | tail -1
done

echo "== QDQ imports vs ONNX Runtime (reference_outputs) and vs float"
for m in mnist_cnn mobilenet_v2 mobilenet_v3_small resnet18; do
  for v in qdq:int8-qdq qdq_u8s8:int8-qdq-u8s8; do
    f=${v%%:*}; r=${v##*:}
    $QC $M/$m.$f.onnx -o $OUT/$m.$f.qfb
    if [ $m = mnist_cnn ]; then in=$D/mnist/samples; else in=$D/images/eval; fi
    echo "-- $m.$f"
    $QE $OUT/$m.$f.qfb --inputs $in --format f32 --ref-outputs $M/reference_outputs/$m/$r | tail -1
  done
done

#!/usr/bin/env bash
# End-to-end benchmark: every model in ../shared/models through qrun (native and
# XNNPACK backends, 1 and 2 threads) and ONNX Runtime 1.30 (U8S8 and S8S8 QDQ,
# float), measured side by side in one run, plus qrun's memory (issue #5 item 4,
# #6 item 3, #7 item 4). Prints two Markdown tables; raw JSON lines go to OUT_DIR.
#
# Usage: scripts/bench-models.sh BUILD_DIR [OUT_DIR]
#   BUILD_DIR must have qconvert and qrun_model_bench built:
#     cmake --build BUILD_DIR -j2 --target qconvert qrun_model_bench
# Environment (defaults):
#   MODELS="mnist_cnn mobilenet_v2 mobilenet_v3_small resnet18"
#   VARIANTS="calib qdq qdq_u8s8"   qfb from: the float model calibrated by qconvert,
#                                   or the imported S8S8 / U8S8 QDQ model
#   THREADS="1 2"  BACKENDS="native xnnpack"  REPS=1 (repetitions of the whole sweep)
#   ITERS=15 MIN_SECONDS=1        qrun timed invokes (after WARMUP=5)
#   ORT=1 ORT_MIN_SECONDS=1       0 skips ONNX Runtime
#   IDLE_WAIT=10                    max seconds to wait for an idle machine per model
#   QRUN_SHARED=<repo>/../shared    QRUN_ANCHORS_CACHE=${XDG_CACHE_HOME:-~/.cache}/qrun-anchors
set -euo pipefail
B=${1:?usage: scripts/bench-models.sh BUILD_DIR [OUT_DIR]}
OUT=${2:-/tmp/qrun-bench-models}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
S=${QRUN_SHARED:-$ROOT/../shared}
M=$S/models
D=$S/data
MODELS=${MODELS:-mnist_cnn mobilenet_v2 mobilenet_v3_small resnet18}
VARIANTS=${VARIANTS:-calib qdq qdq_u8s8}
THREADS=${THREADS:-1 2}
BACKENDS=${BACKENDS:-native xnnpack}
REPS=${REPS:-1}
WARMUP=${WARMUP:-5}
ITERS=${ITERS:-15}
MIN_SECONDS=${MIN_SECONDS:-1}
ORT=${ORT:-1}
ORT_MIN_SECONDS=${ORT_MIN_SECONDS:-1}
IDLE_WAIT=${IDLE_WAIT:-10}
CACHE=${QRUN_ANCHORS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/qrun-anchors}
QC=$B/tools/qconvert/qconvert
BENCH=$B/bench/qrun_model_bench
MEASURE="python3 $ROOT/bench/e2e/measure.py"

for f in "$QC" "$BENCH"; do
  [ -x "$f" ] || { echo "missing $f: cmake --build $B -j2 --target qconvert qrun_model_bench" >&2; exit 1; }
done
mkdir -p "$OUT"
log() { echo "$*" >&2; }

# --- ONNX Runtime: the anchors' node script in a writable cache (shared/ is read-only)
if [ "$ORT" = 1 ]; then
  if [ ! -d "$CACHE/node_modules/onnxruntime-node" ]; then
    log "== installing onnxruntime-node into $CACHE (once)"
    mkdir -p "$CACHE"
    cp "$S"/anchors/*.js "$S"/anchors/package.json "$S"/anchors/package-lock.json "$CACHE"/
    (cd "$CACHE" && npm install --ignore-scripts --no-audit --no-fund >&2)
  fi
  cp -u "$S"/anchors/ort_bench.js "$CACHE"/
fi

# --- conversions (cached: redone when the .onnx or qconvert is newer than the .qfb)
convert() {  # out.qfb in.onnx [qconvert args]
  local out=$1 in=$2; shift 2
  if [ -f "$out" ] && [ "$out" -nt "$in" ] && [ "$out" -nt "$QC" ]; then return; fi
  log "== qconvert $(basename "$in") -> $(basename "$out") $*"
  "$QC" -q "$in" -o "$out" "$@"
}
qfb() { echo "$OUT/$1.$2.qfb"; }  # model variant
for m in $MODELS; do
  for v in $VARIANTS; do
    case $v in
      calib)
        # eval-converter.sh's conventions: MNIST on 256 train digits, the rest on the 64 calib crops.
        if [ "$m" = mnist_cnn ]; then
          convert "$(qfb $m $v)" "$M/$m.onnx" --calib "$D/mnist/train_images.u8" --calib-count 256 --calib-transform mnist
        else
          convert "$(qfb $m $v)" "$M/$m.onnx" --calib "$D/images/calib" --calib-transform imagenet
        fi ;;
      qdq|qdq_u8s8) convert "$(qfb $m $v)" "$M/$m.$v.onnx" ;;
      *) echo "unknown variant $v" >&2; exit 1 ;;
    esac
  done
done

# Same input file for qrun and ORT (float32 NCHW; qrun's converted models keep
# ONNX's float input and NCHW shape): run_ort_bench.py's choice.
input_for() {
  if [ "$1" = mnist_cnn ]; then
    echo "$D/mnist/samples/$(jq -r '.samples[0].file' "$D/mnist/split.json").f32"
  else
    echo "$D/images/eval/eval_00.f32"
  fi
}

RAW=$OUT/results.jsonl
: > "$RAW"
log "== measuring (raw lines: $RAW); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
START=$(date -u +%FT%TZ)
for rep in $(seq 1 "$REPS"); do
  for m in $MODELS; do
    in=$(input_for "$m")
    wait=$IDLE_WAIT  # only the model's first measurement waits for idle
    for t in $THREADS; do
      # qrun and ORT interleaved per model and thread count: measured side by side.
      for v in $VARIANTS; do
        for be in $BACKENDS; do
          $MEASURE --idle-wait "$wait" --tag system=qrun --tag backend=$be --tag threads=$t --tag model_name=$m --tag variant=$v --tag rep=$rep -- \
            "$BENCH" "$(qfb $m $v)" --threads "$t" --backend "$be" --input "$in" \
            --warmup "$WARMUP" --iters "$ITERS" --min-seconds "$MIN_SECONDS" --label "$m.$v" | tee -a "$RAW" >&2
          wait=0
        done
      done
      if [ "$ORT" = 1 ]; then
        for v in u8s8 s8s8 float; do
          case $v in u8s8) f=$M/$m.qdq_u8s8.onnx ;; s8s8) f=$M/$m.qdq.onnx ;; float) f=$M/$m.onnx ;; esac
          (cd "$CACHE" && NODE_PATH="$CACHE/node_modules" $MEASURE --tag system=onnxruntime --tag threads=$t --tag model_name=$m --tag variant=$v --tag rep=$rep -- \
            node ort_bench.js bench --model "$f" --input "$in" --threads "$t" --label "$m/$v" \
            --warmup 10 --warmup-seconds 0.5 --min-iters "$ITERS" --min-seconds "$ORT_MIN_SECONDS") | tee -a "$RAW" >&2
        done
      fi
    done
  done
done

REPORT=$OUT/report.md
{
  flags=$(grep -m1 '^flags' /proc/cpuinfo | grep -o -w -E 'avx2|avx512f|avx512_vnni|avx_vnni|asimddp|i8mm' | sort -u | tr '\n' ' ' || true)
  echo "Run $START .. $(date -u +%FT%TZ) on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')," \
       "$(nproc) CPUs (int8-relevant flags: ${flags% }); qrun $(jq -r 'select(.system=="qrun") | .version' "$RAW" | head -1);" \
       "REPS=$REPS ITERS=$ITERS MIN_SECONDS=$MIN_SECONDS ORT_MIN_SECONDS=$ORT_MIN_SECONDS."
  echo
  python3 "$ROOT/bench/e2e/report.py" "$RAW"
} > "$REPORT"
cat "$REPORT"

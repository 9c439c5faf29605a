#!/usr/bin/env bash
# The README's first command: install dependencies, build (Release), convert
# the bundled MNIST CNN (ONNX, float) to an int8 .qfb with post-training
# quantization, and classify a handwritten digit with qrun.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-debian.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"

run() { echo; echo "\$ $*"; "$@"; }
run build/tools/qconvert/qconvert examples/mnist/mnist_cnn.onnx -o build/mnist_cnn.qfb \
  --calib examples/mnist/train_images_100.u8 --calib-transform mnist
run build/tools/qrun/qrun build/mnist_cnn.qfb examples/mnist/digit_7_3.f32

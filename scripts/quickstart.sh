#!/usr/bin/env bash
# The README's first command: install dependencies, build (Release), and run
# the bundled example model with qrun.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-debian.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
echo
echo "$ build/tools/qrun/qrun examples/tiny_lines.qfb examples/vertical_line.bin"
build/tools/qrun/qrun examples/tiny_lines.qfb examples/vertical_line.bin

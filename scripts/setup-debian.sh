#!/usr/bin/env bash
# Installs every Debian 12 package qrun needs to build and test. Idempotent.
# Usage: scripts/setup-debian.sh            (build + tests)
set -euo pipefail

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

PACKAGES=(
  build-essential cmake pkg-config
  libflatbuffers-dev flatbuffers-compiler
  libcpuinfo-dev libpthreadpool-dev libxnnpack-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup-debian: all ${#PACKAGES[@]} packages already installed"
fi

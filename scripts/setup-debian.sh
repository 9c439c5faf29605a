#!/usr/bin/env bash
# Installs every Debian 12 package qrun needs to build and test. Idempotent.
# Usage: scripts/setup-debian.sh            (build + tests, x86-64 host)
#        scripts/setup-debian.sh --arm      (also: ARM cross-compilation, see below)
#        scripts/setup-debian.sh --sanitizers   (also: clang and its sanitizer and
#                                            libFuzzer runtimes, for the CI's
#                                            ASan/UBSan build and scripts/fuzz.sh)
#
# --arm adds the arm64 and armhf dpkg architectures and installs the cross
# compilers (g++-aarch64-linux-gnu, g++-arm-linux-gnueabihf), qemu-user and the
# arm64/armhf builds of the multiarch-safe dev packages. XNNPACK, pthreadpool
# and cpuinfo's -dev package cannot be installed next to their amd64 versions,
# so their arm64/armhf .debs are downloaded and unpacked into a private sysroot
# overlay, one per target:
#     ${QRUN_SYSROOT:-/opt/qrun-sysroot}/aarch64-linux-gnu
#     ${QRUN_SYSROOT:-/opt/qrun-sysroot}/arm-linux-gnueabihf
# which CMake/toolchain-*.cmake search first (docs/raspberry-pi.md).
set -euo pipefail

ARM=0
SANITIZERS=0
for arg in "$@"; do
  case "$arg" in
    --arm) ARM=1 ;;
    --sanitizers) SANITIZERS=1 ;;
    -h|--help) sed -n '2,/^set -/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup-debian: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

PACKAGES=(
  build-essential cmake pkg-config
  libflatbuffers-dev flatbuffers-compiler
  libcpuinfo-dev libpthreadpool-dev libxnnpack-dev
  libgtest-dev libgmock-dev libbenchmark-dev libsimde-dev
  libonnx-dev libprotobuf-dev protobuf-compiler
)

# The ARM targets: dpkg architecture -> GNU triplet.
declare -A TRIPLET=([arm64]=aarch64-linux-gnu [armhf]=arm-linux-gnueabihf)
# Multi-Arch: same, co-installable with the amd64 packages.
ARM_MULTIARCH=(libflatbuffers-dev libgtest-dev libbenchmark-dev libcpuinfo0)
# Not co-installable: unpacked into the sysroot overlay instead (libcpuinfo0
# too: the -dev symlink libcpuinfo.so is relative to the overlay).
ARM_OVERLAY=(libcpuinfo0 libcpuinfo-dev libpthreadpool0 libpthreadpool-dev libxnnpack0 libxnnpack-dev)

# libclang-rt-14-dev is only a Recommends of clang-14 (not installed here).
if [ "$SANITIZERS" = 1 ]; then
  PACKAGES+=(clang libclang-rt-14-dev)
fi

if [ "$ARM" = 1 ]; then
  PACKAGES+=(g++-aarch64-linux-gnu g++-arm-linux-gnueabihf qemu-user)
  for arch in "${!TRIPLET[@]}"; do
    for p in "${ARM_MULTIARCH[@]}"; do PACKAGES+=("$p:$arch"); done
  done
fi

apt_updated=0
apt_update() {
  [ "$apt_updated" = 1 ] && return 0
  apt_updated=1
  # A mirror mid-sync can fail one index (seen for bookworm-security armhf);
  # what is needed is usually in the others, so warn and carry on.
  $SUDO apt-get update -q || echo "setup-debian: warning: apt-get update reported errors; continuing" >&2
}

if [ "$ARM" = 1 ]; then
  for arch in "${!TRIPLET[@]}"; do
    if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
      $SUDO dpkg --add-architecture "$arch"
      apt_updated=0; apt_update
    fi
  done
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  apt_update
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup-debian: all ${#PACKAGES[@]} packages already installed"
fi

[ "$ARM" = 1 ] || exit 0

# Sysroot overlays: the exact versions apt would install, unpacked with
# dpkg-deb -x. A stamp lists the .debs unpacked; nothing is done when it matches.
SYSROOT=${QRUN_SYSROOT:-/opt/qrun-sysroot}
specs=()
for arch in "${!TRIPLET[@]}"; do
  for p in "${ARM_OVERLAY[@]}"; do specs+=("$p:$arch"); done
done
# One apt-cache call (each costs seconds): "pkg:arch=candidate" per line.
candidates() {
  apt-cache policy "${specs[@]}" | awk '/^[^ ].*:$/ {p=substr($0,1,length($0)-1)} /Candidate:/ {print p "=" $2}'
}
versions=$(candidates)
if [ "$(grep -c -v '=(none)$' <<<"$versions")" != "${#specs[@]}" ]; then
  apt_update
  versions=$(candidates)
fi
for arch in "${!TRIPLET[@]}"; do
  dir=$SYSROOT/${TRIPLET[$arch]}
  want=$(grep ":$arch=" <<<"$versions" | sort)
  if [ -f "$dir/.qrun-overlay" ] && [ "$(cat "$dir/.qrun-overlay")" = "$want" ]; then
    echo "setup-debian: sysroot overlay $dir up to date"
    continue
  fi
  echo "setup-debian: building sysroot overlay $dir"
  $SUDO rm -rf "$dir"
  $SUDO mkdir -p "$dir"
  tmp=$(mktemp -d)
  # apt-get download fetches as the _apt user when run as root.
  if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then chown _apt "$tmp"; fi
  mapfile -t debs <<<"$want"
  ( cd "$tmp" && apt-get download -q "${debs[@]}" )
  for deb in "$tmp"/*.deb; do $SUDO dpkg-deb -x "$deb" "$dir"; done
  rm -rf "$tmp"
  printf '%s\n' "$want" | $SUDO tee "$dir/.qrun-overlay" >/dev/null
done
echo "setup-debian: ARM ready (toolchain files: CMake/toolchain-aarch64-linux-gnu.cmake, CMake/toolchain-arm-linux-gnueabihf.cmake)"

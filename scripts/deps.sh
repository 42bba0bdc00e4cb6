#!/bin/bash
# Install the Debian 12 packages the project needs, if any is missing.
set -euo pipefail

pkgs=(
	# kernel source, config and build
	linux-source-6.12 linux-config-6.12 build-essential bc bison flex
	libelf-dev libssl-dev cpio xz-utils kmod python3 ccache rsync dwarves
	# boot tests and demo
	qemu-system-x86 busybox-static ncurses-term ncurses-base
	# real-guest boot tests: QEMU's firmware in their initramfs
	seabios qemu-system-data
	# existing /proc consumers checked in the booted kernel
	procps sysstat
	# gtop
	libncurses-dev libproc2-dev zlib1g-dev pkg-config clang libclang-rt-14-dev tmux jq
	prometheus
	# tests and benchmarks
	gawk curl
	# arm64 (scripts/arm64.sh): cross compiler, libc for gvmm, QEMU
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
# arm64 (scripts/arm64.sh) downloads busybox-static, libproc2-dev, zlib1g-dev and
# libncurses-dev for arm64 (apt-get download, unpacked under build/arm64,
# nothing installed): apt needs arm64 among dpkg's architectures.
arm64=
dpkg --print-foreign-architectures | grep -x arm64 >/dev/null || arm64=1
[ ${#missing[@]} -eq 0 ] && [ -z "$arm64" ] && exit 0

sudo=
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null ||
		{ echo "deps: need root to install: ${missing[*]}${arm64:+ (and dpkg --add-architecture arm64)}" >&2; exit 1; }
	sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
if [ -n "$arm64" ]; then
	echo "deps: dpkg --add-architecture arm64"
	$sudo dpkg --add-architecture arm64
fi
$sudo apt-get update -q || echo "deps: apt-get update failed; trying with the lists at hand" >&2
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}"
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"

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
	libncurses-dev libproc2-dev pkg-config clang libclang-rt-14-dev tmux jq
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
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
sudo=
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null ||
		{ echo "deps: need root to install: ${missing[*]}" >&2; exit 1; }
	sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q || echo "deps: apt-get update failed; trying with the lists at hand" >&2
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# qemu-system-aarch64 in place of qemu-system-x86_64 for tests/qemu/boot.sh
# (QEMU=tests/boot-arm64/qemu.sh): the virt machine with EL2
# (virtualization=on, so the kernel boots at EL2 and KVM runs, VHE with
# -cpu max), the console on the PL011 (console=ttyAMA0 for ttyS0), every
# other argument as boot.sh gives it (-accel tcg,thread=single -cpu max
# -smp -m -nographic -no-reboot -kernel -initrd -append).
# ARM64_QEMU_MACHINE overrides the machine (default virt,virtualization=on).
set -euo pipefail
args=()
while [ $# -gt 0 ]; do
	case "$1" in
	-append)
		args+=(-append "$(sed 's/console=ttyS0/console=ttyAMA0/g' <<<"${2:?}")")
		shift ;;
	*)	args+=("$1") ;;
	esac
	shift
done
exec qemu-system-aarch64 -M "${ARM64_QEMU_MACHINE:-virt,virtualization=on}" "${args[@]}"

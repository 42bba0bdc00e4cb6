#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-stress: the debug-kernel soak (issue 8, item 3).  Builds
# gstress, the 32-bit real guest (tests/guest/mkguest32.sh) and an
# initramfs with the debug kernel's KVM modules, boots the debug kernel
# (build/kernel-debug, config/debug-kernel.config: make builds it first)
# under QEMU TCG and runs tests/boot/stress.sh in it.
#
#   check-stress.sh [--obj DIR] [--flips N] [--qemu 0|1] [--nohz-full]
#                   [--out DIR] [--timeout SECS] [-- SCENARIO ARGS...]
#   --obj DIR      the debug kernel's object tree (default build/kernel-debug)
#   --flips N      changes of each sysctl (default $STRESS_FLIPS, else 2000;
#                  the issue's full soak is 10000: tests/README.md)
#   --qemu 0|1     1: a real QEMU/KVM guest runs through the soak (default
#                  $STRESS_QEMU, else 1)
#   --nohz-full    boot with nohz_full=1, the vCPU threads on CPU 1 (vtime)
#   --out DIR      logs and the initramfs in DIR (default build/tests/logs
#                  and build/tests), so that soaks can run side by side
#   --timeout S    bound of the boot (default 1800 s + 1 s a flip)
#   ARGS           more stress.sh arguments (qboot=SECS, min=SECS, seed=N,
#                  vslack=MS; maxt=SECS, by default 2/3 of the timeout: the
#                  flipper then stops, and the figures are printed, before
#                  the boot times out)
# Log: build/tests/logs/stress.log (console), stress.out (its TAP).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
b=$top/build
obj=$b/kernel-debug
flips=${STRESS_FLIPS:-2000}
qemu=${STRESS_QEMU:-1}
nohz=0
out=
timeout=
while [ $# -gt 0 ]; do
	case "$1" in
	--obj)		obj=${2:?}; shift ;;
	--flips)	flips=${2:?}; shift ;;
	--qemu)		qemu=${2:?}; shift ;;
	--nohz-full)	nohz=1 ;;
	--out)		out=${2:?}; shift ;;
	--timeout)	timeout=${2:?}; shift ;;
	--)		shift; break ;;
	*)		echo "check-stress.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done
case "$flips" in ''|*[!0-9]*) echo "check-stress.sh: --flips takes a number" >&2; exit 2 ;; esac
case "$qemu" in 0|1) ;; *) echo "check-stress.sh: --qemu takes 0 or 1" >&2; exit 2 ;; esac
# 1 s a flip, the flipper stopped at 2/3 of it: twice the 0.36 s a flip
# (two writes) of the 10000-flip soak with the QEMU guest at load 11
# (tests/README.md); 30 min for the boot, the guest and the end
timeout=${timeout:-$((1800 + flips))}
kimg=$obj/arch/x86/boot/bzImage
[ -f "$kimg" ] || { echo "check-stress.sh: no debug kernel at $kimg (make check-stress builds it)" >&2; exit 1; }

make -s -C "$top/tests/vmm" O="$b/tests"
make -s -C "$top/tests/stress" O="$b/tests"
# the real guest: an i386 tinyconfig kernel and its initramfs
"$top/tests/guest/mkguest32.sh" --src "$b/linux" --dir "$b/realguest"
logs=${out:-$b/tests/logs}
mkdir -p "$logs"
initrd=${out:-$b/tests}/stress-initramfs.cpio.gz
files=()
for f in /usr/share/qemu/qboot.rom /usr/share/seabios/bios-256k.bin \
	 /usr/share/qemu/linuxboot_dma.bin /usr/share/qemu/kvmvapic.bin; do
	files+=(--file "$f:$f")
done
"$top/tests/initramfs/mkinitramfs.sh" -o "$initrd" --kvm-modules "$obj" \
	--bin "$b/tests/gstress" --bin /usr/bin/qemu-system-x86_64 "${files[@]}" \
	--file "$b/realguest/guest32-bzImage:/guest/bzImage32" \
	--file "$b/realguest/guest32-initrd.cpio.gz:/guest/initrd32.cpio.gz"

append="log_buf_len=8M"
scen=("qemu=$qemu")
if [ $nohz = 1 ]; then
	append="$append nohz_full=1"
	scen+=(nohz=1)
fi
echo "check-stress: $flips flips of each sysctl, qemu=$qemu, nohz_full=$nohz, on $kimg (timeout ${timeout}s)"
t0=$(date +%s)
rc=0
# 2 GiB: KASAN's shadow, kmemleak's metadata and the QEMU guest's 160 MiB;
# a log buffer that holds every splat of a long soak.
"$top/tests/qemu/boot.sh" --kernel "$kimg" --initrd "$initrd" --mem 2048 \
	--append "$append" --timeout "$timeout" --log "$logs/stress.log" \
	stress "$flips" "${scen[@]}" "maxt=$((timeout * 2 / 3))" "$@" >"$logs/stress.out" 2>&1 || rc=$?
t1=$(date +%s)
grep -aE '^(ok|not ok|#|Bail out|[0-9]+ passed)' "$logs/stress.out" | tr -d '\r' | sed 's/^/  /'
echo "check-stress: boot and soak took $((t1 - t0)) s ($(((t1 - t0) / 60)) min $(((t1 - t0) % 60)) s)"
if [ $rc -ne 0 ]; then
	echo "check-stress: FAILED (exit $rc; log $logs/stress.log)"
	tail -n 30 "$logs/stress.out" | tr -d '\r' | sed 's/^/#   /'
	exit 1
fi
echo "check-stress: passed"

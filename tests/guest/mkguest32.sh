#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the 32-bit real-guest (L2): an i386 tinyconfig kernel with
# kvmclock (tinyconfig + tests/guest/guest32.config, built out of tree
# from the kernel source) and its initramfs (mkguest.sh with Debian's
# busybox-static:i386, which also runs on an x86_64 host).
#
# usage: mkguest32.sh --src DIR --dir DIR [-j N]
#   --src DIR    kernel source tree (read only; build/linux)
#   --dir DIR    output directory: DIR/g32obj (kernel objects),
#                DIR/guest32-bzImage, DIR/guest32-initrd.cpio.gz,
#                DIR/busybox-i386 (the unpacked .deb)
#   -j N         make jobs (default 2; the build runs under nice -n 5)
#   -h, --help
#
# A 64-bit L2 guest (the test bzImage) dies or freezes under QEMU 7.2
# TCG's nested SVM in about half the boots (issue 13); the 32-bit guest is
# the stable one. make realguest-initramfs puts both in the
# realguest initramfs (/guest/bzImage32, /guest/initrd32.cpio.gz).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src= dir= jobs=2

usage() {
	awk 'NR > 3 && !/^#/ { exit } NR > 3 { sub(/^# ?/, ""); print }' "$0"
}
die() { echo "mkguest32.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case "$1" in
	--src)		src=${2:?}; shift ;;
	--dir)		dir=${2:?}; shift ;;
	-j)		jobs=${2:?}; shift ;;
	-h|--help)	usage; exit 0 ;;
	*)		echo "mkguest32.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
	shift
done
[ -n "$src" ] && [ -f "$src/Makefile" ] || die "no kernel source (--src)"
[ -n "$dir" ] || die "no output directory (--dir)"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
src=$(cd "$src" && pwd)

# busybox-static:i386 (needs the i386 architecture in dpkg)
busybox() {
	local bb=$dir/busybox-i386/bin/busybox deb
	[ -x "$bb" ] && return 0
	if ! dpkg --print-foreign-architectures | grep -qx i386; then
		[ "$(id -u)" = 0 ] || die "need dpkg --add-architecture i386 (as root) for busybox-static:i386"
		dpkg --add-architecture i386 || die "cannot add the i386 architecture"
		# a stale mirror index (security) must not stop us: the
		# download below says if busybox-static:i386 is missing
		apt-get update -q >/dev/null 2>&1 || true
	fi
	rm -f "$dir"/busybox-static_*_i386.deb
	(cd "$dir" && apt-get download -q busybox-static:i386 >/dev/null 2>&1) ||
		die "apt-get download busybox-static:i386 failed"
	deb=$(ls -t "$dir"/busybox-static_*_i386.deb | head -n 1)
	rm -rf "$dir/busybox-i386"
	dpkg-deb -x "$deb" "$dir/busybox-i386" || die "cannot unpack $deb"
	[ -x "$bb" ] || die "no bin/busybox in $deb"
}

kernel() {
	local obj=$dir/g32obj cc=gcc
	command -v ccache >/dev/null && cc="ccache gcc"
	mkdir -p "$obj"
	local mk=(nice -n 5 make -C "$src" O="$obj" ARCH=i386 "CC=$cc" -j"$jobs")
	"${mk[@]}" -s tinyconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
		"$here/guest32.config" >/dev/null
	"${mk[@]}" -s olddefconfig
	# the fragment must have stuck
	local bad=0 l
	while read -r l; do
		case "$l" in
		CONFIG_*=y)	grep -qx "$l" "$obj/.config" || { echo "mkguest32.sh: $l did not stick" >&2; bad=1; } ;;
		esac
	done <"$here/guest32.config"
	[ $bad = 0 ] || die "guest32.config does not apply (see above)"
	"${mk[@]}" bzImage >"$dir/guest32-build.log" 2>&1 ||
		{ tail -n 30 "$dir/guest32-build.log" >&2; die "kernel build failed ($dir/guest32-build.log)"; }
	cp "$obj/arch/x86/boot/bzImage" "$dir/guest32-bzImage"
	echo "mkguest32.sh: wrote $dir/guest32-bzImage ($(du -k "$dir/guest32-bzImage" | cut -f1) KiB)"
}

busybox
kernel
"$here/mkguest.sh" -o "$dir/guest32-initrd.cpio.gz" --busybox "$dir/busybox-i386/bin/busybox"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the real-guest (L2) initramfs: busybox-static, its applet links
# and tests/guest/init (gzip'd newc cpio, no root needed).
#
# usage: mkguest.sh -o OUT.cpio.gz [--busybox PATH]
#   -o, --output FILE   output file (required)
#   --busybox PATH      static busybox (default: /bin/busybox, Debian's
#                       busybox-static)
#   -h, --help
#
# The L1 initramfs of the realguest scenarios (make realguest-initramfs)
# carries this archive as /guest/initrd.cpio.gz, next to the guest kernel
# (/guest/bzImage) and Debian's qemu-system-x86_64.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=
busybox=/bin/busybox

usage() {
	awk 'NR > 3 && !/^#/ { exit } NR > 3 { sub(/^# ?/, ""); print }' "$0"
}

while [ $# -gt 0 ]; do
	case "$1" in
	-o|--output)	out=${2:?}; shift ;;
	--busybox)	busybox=${2:?}; shift ;;
	-h|--help)	usage; exit 0 ;;
	*)		echo "mkguest.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
	shift
done
[ -n "$out" ] || { echo "mkguest.sh: no output file (-o)" >&2; exit 2; }
[ -x "$busybox" ] || { echo "mkguest.sh: no busybox at $busybox" >&2; exit 1; }
if ldd "$busybox" >/dev/null 2>&1; then
	echo "mkguest.sh: $busybox is dynamically linked; install busybox-static" >&2
	exit 1
fi

stage=$(mktemp -d "${TMPDIR:-/tmp}/gtest-guest.XXXXXX")
trap 'rm -rf "$stage"' EXIT
for d in bin sbin usr/bin usr/sbin etc proc sys dev tmp; do
	mkdir -p "$stage/$d"
done
cp "$busybox" "$stage/bin/busybox"
chmod 0755 "$stage/bin/busybox"
"$busybox" --list-full | while read -r applet; do
	[ -e "$stage/$applet" ] || ln -s /bin/busybox "$stage/$applet"
done
[ -e "$stage/bin/sh" ] || ln -s /bin/busybox "$stage/bin/sh"
install -m 0755 "$here/init" "$stage/init"
echo 'root:x:0:0:root:/:/bin/sh' >"$stage/etc/passwd"

mkdir -p "$(dirname "$out")"
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --quiet) | gzip -9 >"$out.tmp"
mv "$out.tmp" "$out"
echo "mkguest.sh: wrote $out ($(du -k "$out" | cut -f1) KiB)"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the gtest initramfs (gzip'd newc cpio, no root needed).
#
# usage: mkinitramfs.sh -o OUT.cpio.gz [options]
#   -o, --output FILE     output file (required)
#   --gvmm PATH           gvmm binary (default: build/tests/gvmm)
#   --tests DIR           scenario dir copied to /tests (default: tests/boot)
#   --bin SRC[:DST]       host binary plus its shared libraries (ldd) and
#                         loader; DST defaults to SRC for /usr, /bin and
#                         /sbin paths, else /usr/local/bin/NAME
#   --tools               --bin for procps top, ps, vmstat and sysstat
#                         mpstat, pidstat
#   --file SRC:DST        plain file or directory copied to DST
#   --module FILE.ko[.xz] kernel module insmod'ed by /init, in given order
#   --busybox PATH        busybox binary (default: /bin/busybox, must be
#                         static: Debian's busybox-static)
#   -h, --help
#
# The archive holds busybox with all applet symlinks, /init
# (tests/initramfs/init), gvmm in /usr/bin, the scenarios in /tests,
# terminfo for linux, screen, screen-256color, tmux, tmux-256color,
# xterm, xterm-256color, vt100 and dumb (procps top -b needs it), and
# /etc/passwd and /etc/group. Device nodes come from devtmpfs at boot.
#
# Debian's busybox-static ash runs a same-named applet before searching
# PATH, so for each --bin named like an applet (top, ps, free, ...)
# /etc/gtest-overrides.sh defines a shell function calling the real
# binary; /etc/profile and tests/boot/lib.sh source it. Applets that
# exec commands themselves (timeout, env, watch, xargs) still prefer
# the applet: give them the full path (timeout 5 /usr/bin/top -b -n 1).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

out=
gvmm="$top/build/tests/gvmm"
tests="$top/tests/boot"
busybox=/bin/busybox
bins=()
files=()
modules=()

usage() {
	awk 'NR > 3 && !/^#/ { exit } NR > 3 { sub(/^# ?/, ""); print }' "$0"
}

die() {
	echo "mkinitramfs.sh: $*" >&2
	exit 1
}

bad_usage() {
	echo "mkinitramfs.sh: $*" >&2
	usage >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	-o|--output)	out=${2:?}; shift ;;
	--gvmm)		gvmm=${2:?}; shift ;;
	--tests)	tests=${2:?}; shift ;;
	--bin)		bins+=("${2:?}"); shift ;;
	--file)		files+=("${2:?}"); shift ;;
	--tools)	bins+=(/usr/bin/top /usr/bin/ps /usr/bin/vmstat
			       /usr/bin/mpstat /usr/bin/pidstat) ;;
	--module)	modules+=("${2:?}"); shift ;;
	--busybox)	busybox=${2:?}; shift ;;
	-h|--help)	usage; exit 0 ;;
	*)		bad_usage "unknown argument '$1'" ;;
	esac
	shift
done
[ -n "$out" ] || bad_usage "no output file (-o)"

[ -x "$gvmm" ] || die "no gvmm at $gvmm (make -C tests/vmm O=build/tests)"
[ -d "$tests" ] || die "no scenario dir $tests"
[ -x "$busybox" ] || die "no busybox at $busybox (apt-get install busybox-static)"
if ldd "$busybox" >/dev/null 2>&1; then
	die "$busybox is dynamically linked; install busybox-static"
fi

stage=$(mktemp -d "${TMPDIR:-/tmp}/gtest-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT

# copy SRC to DST inside the stage (dereferencing symlinks)
put() {
	mkdir -p "$stage$(dirname "$2")"
	cp -L "$1" "$stage$2"
}

# a binary and everything ldd says it needs, at the same paths
put_with_libs() {
	local src=$1 dst=$2 lib

	put "$src" "$dst"
	chmod 0755 "$stage$dst"
	# (ldd fails on a static binary: nothing to add)
	{ ldd "$src" 2>/dev/null || true; } | while read -r a b c _; do
		if [ "$b" = "=>" ] && [ "${c#/}" != "$c" ]; then
			lib=$c
		elif [ "${a#/}" != "$a" ]; then
			lib=$a			# the loader
		else
			continue
		fi
		[ -e "$stage$lib" ] || put "$lib" "$lib"
	done
	if ldd "$src" 2>&1 | grep -q "not found"; then
		die "missing libraries for $src"
	fi
}

for d in bin sbin usr/bin usr/sbin usr/local/bin etc root tests proc sys dev \
	 tmp run mnt var/log lib/modules; do
	mkdir -p "$stage/$d"
done
chmod 1777 "$stage/tmp"

# busybox and its applets
put "$busybox" /bin/busybox
chmod 0755 "$stage/bin/busybox"
"$busybox" --list-full | while read -r applet; do
	[ -e "$stage/$applet" ] || ln -s /bin/busybox "$stage/$applet"
done
[ -e "$stage/bin/sh" ] || ln -s /bin/busybox "$stage/bin/sh"

install -m 0755 "$here/init" "$stage/init"
install -m 0755 "$gvmm" "$stage/usr/bin/gvmm"
cp -a "$tests/." "$stage/tests/"

cat >"$stage/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$stage/etc/group" <<'GROUP'
root:x:0:
nogroup:x:65534:
GROUP
echo gtest >"$stage/etc/hostname"
cat >"$stage/etc/profile" <<'PROFILE'
export PS1="gtest:\w# "
export TERM=${TERM:-linux}
export S_COLORS=never
[ -r /etc/gtest-overrides.sh ] && . /etc/gtest-overrides.sh
PROFILE
: >"$stage/etc/gtest-overrides.sh"

for t in linux screen screen-256color tmux tmux-256color xterm \
	xterm-256color vt100 dumb; do
	for dir in /etc/terminfo /lib/terminfo /usr/share/terminfo; do
		f="$dir/${t:0:1}/$t"
		if [ -e "$f" ]; then
			put "$f" "/usr/share/terminfo/${t:0:1}/$t"
			break
		fi
	done
	[ -e "$stage/usr/share/terminfo/${t:0:1}/$t" ] ||
		echo "mkinitramfs.sh: warning: no terminfo for $t" >&2
done

for b in "${bins[@]}"; do
	src=${b%%:*}
	dst=${b#*:}
	if [ "$dst" = "$b" ]; then
		case "$src" in
		/usr/*|/bin/*|/sbin/*)	dst=$src ;;
		*)			dst=/usr/local/bin/$(basename "$src") ;;
		esac
	fi
	[ -f "$src" ] || die "no such binary: $src"
	rm -f "$stage$dst"		# may be a busybox applet link
	put_with_libs "$src" "$dst"
	# Debian's busybox ash runs its own applet before any PATH lookup
	# (FEATURE_SH_STANDALONE): shadow same-named applets with functions.
	name=$(basename "$dst")
	if "$busybox" --list | grep -qx -- "$name"; then
		echo "$name() { $dst \"\$@\"; }" >>"$stage/etc/gtest-overrides.sh"
	fi
done

for f in "${files[@]}"; do
	src=${f%%:*}
	dst=${f#*:}
	[ "$dst" != "$f" ] && [ "${dst#/}" != "$dst" ] ||
		bad_usage "--file wants SRC:/ABS/DST, got '$f'"
	[ -e "$src" ] || die "no such file: $src"
	mkdir -p "$stage$(dirname "$dst")"
	rm -rf "${stage:?}$dst"
	cp -aL "$src" "$stage$dst"
done

: >"$stage/etc/gtest-modules"
for m in "${modules[@]}"; do
	[ -f "$m" ] || die "no such module: $m"
	name=$(basename "$m")
	case "$m" in
	*.xz)	name=${name%.xz}; xz -dc "$m" >"$stage/lib/modules/$name" ;;
	*.zst)	name=${name%.zst}; zstd -qdc "$m" >"$stage/lib/modules/$name" ;;
	*.gz)	name=${name%.gz}; gzip -dc "$m" >"$stage/lib/modules/$name" ;;
	*)	cp "$m" "$stage/lib/modules/$name" ;;
	esac
	echo "/lib/modules/$name" >>"$stage/etc/gtest-modules"
done

mkdir -p "$(dirname "$out")"
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --quiet) | gzip -9 >"$out.tmp"
mv "$out.tmp" "$out"
echo "mkinitramfs.sh: wrote $out ($(du -k "$out" | cut -f1) KiB)"

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
#   --try-module FILE.ko[.xz]
#                         the same, but one that may refuse to load (a
#                         vendor module on the other vendor's CPU): /init
#                         says so, it is not an error
#   --kvm-modules OBJ|none
#                         the KVM modules of the kernel built in the object
#                         tree OBJ: --module kvm.ko and the modules it
#                         depends on (irqbypass.ko: modinfo), then
#                         --try-module kvm-amd.ko and kvm-intel.ko (a CPU
#                         has SVM or VMX, not both), before any other
#                         --module.  /init loads them only into the kernel
#                         of that very build (uname -v), and skips a module
#                         built into it.  Default: build/kernel (the test
#                         kernel, make kernel) if it has
#                         arch/x86/kvm/kvm.ko, else none
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
kvm_obj=default

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
	--try-module)	modules+=("${2:?}:optional"); shift ;;
	--kvm-modules)	kvm_obj=${2:?}; shift ;;
	--busybox)	busybox=${2:?}; shift ;;
	-h|--help)	usage; exit 0 ;;
	*)		bad_usage "unknown argument '$1'" ;;
	esac
	shift
done
[ -n "$out" ] || bad_usage "no output file (-o)"

# The KVM modules of a kernel build, ahead of the other modules.
uts_version=
if [ "$kvm_obj" = default ]; then
	kvm_obj=none
	[ -f "$top/build/kernel/arch/x86/kvm/kvm.ko" ] && kvm_obj=$top/build/kernel
fi
# kmod_file OBJ NAME: the .ko of module NAME (- or _) built in OBJ
kmod_file() {
	local f
	f=$(sed -n 's/\.o$/.ko/p' "$1/modules.order" |
		awk -v n="$(echo "$2" | tr - _)" '{ b = $0; sub(/.*\//, "", b)
			sub(/\.ko$/, "", b); gsub(/-/, "_", b) } b == n { print; exit }')
	[ -n "$f" ] && [ -f "$1/$f" ] || die "no module $2 in $1 (make kernel)"
	echo "$1/$f"
}
# kmod_deps OBJ NAME: NAME's .ko after the .ko of everything it needs
kmod_deps() {
	local f d
	f=$(kmod_file "$1" "$2") || exit 1
	for d in $(modinfo -F depends "$f" | tr , ' '); do
		kmod_deps "$1" "$d"
	done
	echo "$f"
}
if [ "$kvm_obj" != none ]; then
	command -v modinfo >/dev/null || die "no modinfo (apt-get install kmod)"
	[ -f "$kvm_obj/modules.order" ] || die "no $kvm_obj/modules.order (a kernel with KVM=m: make kernel)"
	uts_version=$(sed -n 's/^#define UTS_VERSION "\(.*\)"$/\1/p' \
		"$kvm_obj/include/generated/utsversion.h" 2>/dev/null) || true
	[ -n "$uts_version" ] || die "no UTS_VERSION in $kvm_obj/include/generated/utsversion.h"
	kmods=()
	deps=$(kmod_deps "$kvm_obj" kvm) || exit 1
	for m in $(echo "$deps" | awk '!seen[$0]++'); do
		kmods+=("$m")
	done
	kmods+=("$(kmod_file "$kvm_obj" kvm-amd):optional"
		"$(kmod_file "$kvm_obj" kvm-intel):optional")
	modules=("${kmods[@]}" "${modules[@]}")
fi

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

# /etc/gtest-modules: "PATH [optional]" a line, in load order, after a
# "#uts_version VERSION" line when the modules are a kernel build's.
: >"$stage/etc/gtest-modules"
[ -z "$uts_version" ] || echo "#uts_version $uts_version" >>"$stage/etc/gtest-modules"
for m in "${modules[@]}"; do
	opt=
	case "$m" in *:optional) m=${m%:optional}; opt=" optional" ;; esac
	[ -f "$m" ] || die "no such module: $m"
	name=$(basename "$m")
	case "$m" in
	*.xz)	name=${name%.xz}; xz -dc "$m" >"$stage/lib/modules/$name" ;;
	*.zst)	name=${name%.zst}; zstd -qdc "$m" >"$stage/lib/modules/$name" ;;
	*.gz)	name=${name%.gz}; gzip -dc "$m" >"$stage/lib/modules/$name" ;;
	*)	cp "$m" "$stage/lib/modules/$name" ;;
	esac
	echo "/lib/modules/$name$opt" >>"$stage/etc/gtest-modules"
done

mkdir -p "$(dirname "$out")"
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --quiet) | gzip -9 >"$out.tmp"
mv "$out.tmp" "$out"
echo "mkinitramfs.sh: wrote $out ($(du -k "$out" | cut -f1) KiB)${uts_version:+, KVM modules of $kvm_obj ($uts_version)}"

#!/bin/bash
# Kernel tree and kernel builds for the project.
#
#   kernel.sh tree SRC          unpack linux-source-6.12 into SRC and apply
#                               patches/series with fuzz 0 (new files included)
#   kernel.sh build SRC OBJ FRAGMENT...
#                               tinyconfig + the FRAGMENTs (a later line wins
#                               over an earlier one for the same option), out
#                               of tree in OBJ: bzImage, and the modules when
#                               the config has any (=m); fails if the config
#                               lost an option.  One build per OBJ at a time
#                               (flock OBJ/.build-lock).
#   kernel.sh debian SRC OBJ    Debian's amd64 config (KVM=m): compile the
#                               touched objects and the KVM modules (modpost
#                               included), check KVM's imports are exported
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
tarball=/usr/src/linux-source-6.12.tar.xz
jobs=$(nproc)
cc=gcc
command -v ccache >/dev/null && cc="ccache gcc"
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.ccache}
# Hits across clones of the repository at other paths.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$top} CCACHE_NOHASHDIR=1

tree() {
	local src=$1 stamp
	stamp=$( (cd "$top" && cat patches/series $(sed 's|^|patches/|' patches/series)) |
		sha1sum | cut -c1-16)
	if [ -f "$src/.gu-stamp" ] && [ "$(cat "$src/.gu-stamp")" = "$stamp" ]; then
		return 0
	fi
	[ -f "$tarball" ] || { echo "kernel.sh: $tarball missing (apt-get install linux-source-6.12)" >&2; exit 1; }
	rm -rf "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xJf "$tarball" -C "$src.tmp" --strip-components=1
	while read -r p; do
		case "$p" in ''|'#'*) continue ;; esac
		patch -d "$src.tmp" -p1 --fuzz=0 --no-backup-if-mismatch -s < "$top/patches/$p" ||
			{ echo "kernel.sh: $p does not apply with fuzz 0" >&2; exit 1; }
	done < "$top/patches/series"
	if [ -d "$src" ]; then
		# Only files whose content changed get a new mtime, so that a
		# build in an existing object tree stays incremental.
		rm -f "$src/.gu-stamp"
		rsync -a --checksum --delete "$src.tmp/" "$src/"
		rm -rf "$src.tmp"
	else
		mv "$src.tmp" "$src"
	fi
	echo "$stamp" > "$src/.gu-stamp"
}

build_once() {
	local src obj
	mkdir -p "$2"
	src=$(cd "$1" && pwd)
	obj=$(cd "$2" && pwd)
	shift 2
	[ $# -ge 1 ] || { echo "kernel.sh build: no config fragment" >&2; exit 2; }
	local frags=() f
	for f in "$@"; do frags+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")"); done
	# Two builds in one object tree at once corrupt it: wait for the other.
	exec 9>"$obj/.build-lock"
	if ! flock -n 9; then
		echo "kernel.sh: another build of $obj is running, waiting for it" >&2
		flock 9
	fi
	make -s -C "$src" O="$obj" CC="$cc" tinyconfig
	"$src/scripts/kconfig/merge_config.sh" -Q -m -O "$obj" "$obj/.config" "${frags[@]}" >/dev/null
	make -s -C "$src" O="$obj" CC="$cc" olddefconfig
	# Every option of the fragments, as the last line that sets it says,
	# must have survived olddefconfig.
	local bad=0 line opt
	while read -r line; do
		case "$line" in
		'# CONFIG_'*' is not set') opt=${line#\# }; opt=${opt%% *}
			grep -q "^$opt=" "$obj/.config" && { echo "lost: $line" >&2; bad=1; } ;;
		CONFIG_*) grep -qx "$line" "$obj/.config" || { echo "lost: $line" >&2; bad=1; } ;;
		esac
	done < <(cat "${frags[@]}" | awk '
		/^CONFIG_[A-Za-z0-9_]+=/ { o = $0; sub(/=.*/, "", o) }
		/^# CONFIG_[A-Za-z0-9_]+ is not set/ { o = $2 }
		o != "" { if (!(o in v)) n[++k] = o; v[o] = $0; o = "" }
		END { for (i = 1; i <= k; i++) print v[n[i]] }')
	[ $bad = 0 ] || { echo "kernel.sh: config fragment not satisfied" >&2; exit 1; }
	local targets=bzImage
	grep -q '^CONFIG_[A-Za-z0-9_]*=m$' "$obj/.config" && targets="bzImage modules"
	# shellcheck disable=SC2086
	make -C "$src" O="$obj" CC="$cc" -j"$jobs" $targets
}

build() {
	# A tree that kernel.sh tree updates during the build (another make in
	# the same checkout) leaves objects of both versions: build again.
	local try s0 s1
	for try in 1 2 3; do
		s0=$(cat "$1/.gu-stamp" 2>/dev/null) || s0=none
		build_once "$@"
		s1=$(cat "$1/.gu-stamp" 2>/dev/null) || s1=none
		[ "$s0" != "$s1" ] || return 0
		echo "kernel.sh: $1 changed during the build (kernel.sh tree), building again" >&2
		sleep 5
	done
	echo "kernel.sh: $1 kept changing, giving up" >&2
	exit 1
}

# Objects the series touches, compiled with Debian's own config.
debian_objs="kernel/guest_util.o kernel/sched/build_policy.o kernel/exit.o
	kernel/fork.o fs/proc/stat.o fs/proc/array.o"
kvm_mods="arch/x86/kvm/kvm.o arch/x86/kvm/kvm-amd.o arch/x86/kvm/kvm-intel.o"

debian() {
	local src obj cfg=/usr/src/linux-config-6.12/config.amd64_none_amd64.xz
	mkdir -p "$2"
	src=$(cd "$1" && pwd)
	obj=$(cd "$2" && pwd)
	[ -f "$cfg" ] || { echo "kernel.sh: $cfg missing (apt-get install linux-config-6.12)" >&2; exit 1; }
	xzcat "$cfg" > "$obj/.config"
	# No Debian signing keys here; nothing else changes.
	"$src/scripts/config" --file "$obj/.config" \
		--set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS "" \
		--disable MODULE_SIG_ALL
	make -s -C "$src" O="$obj" CC="$cc" olddefconfig
	for o in CONFIG_KVM=m CONFIG_KVM_AMD=m CONFIG_KVM_INTEL=m CONFIG_NO_HZ_FULL=y \
		 CONFIG_VIRT_CPU_ACCOUNTING_GEN=y CONFIG_MODVERSIONS=y; do
		grep -qx "$o" "$obj/.config" || { echo "kernel.sh: Debian config lacks $o" >&2; exit 1; }
	done
	make -s -C "$src" O="$obj" CC="$cc" -j"$jobs" prepare
	# shellcheck disable=SC2086
	make -s -C "$src" O="$obj" CC="$cc" -j"$jobs" KCFLAGS=-Werror $debian_objs arch/x86/kvm/
	# modpost on the KVM modules, as the full build runs it (-M -m -E),
	# with no vmlinux to resolve against (-w): the imports are checked
	# below instead.
	(cd "$obj" && scripts/mod/modpost -M -m -E -w -o kvm.symvers \
		-T arch/x86/kvm/modules.order 2>&1) |
		grep -v -e 'undefined!$' -e 'suppressed .* unresolved symbol' || true
	local m sym o bad=0
	for m in $kvm_mods; do
		[ -f "$obj/${m%.o}.mod.c" ] || { echo "kernel.sh: modpost did not process $m" >&2; exit 1; }
	done
	# Every symbol KVM takes from the objects the series touches must be
	# exported, GPL.
	local syms defs
	# shellcheck disable=SC2086
	syms=$(cd "$obj" && nm -u $kvm_mods | awk '{ print $NF }' | sort -u)
	for o in $debian_objs; do
		defs=$(nm --defined-only "$obj/$o" | awk '{ print $3 }')
		for sym in $(comm -12 <(echo "$syms") <(echo "$defs" | sort -u)); do
			if ! grep -qx "__export_symbol_$sym" <<<"$defs"; then
				echo "kernel.sh: KVM uses $sym from $o, which does not export it" >&2
				bad=1
			elif ! grep -rqs "EXPORT_SYMBOL_GPL($sym)" "$src/kernel" "$src/fs/proc"; then
				echo "kernel.sh: $sym is exported, but not GPL" >&2
				bad=1
			else
				echo "export ok: $sym ($o)"
			fi
		done
	done
	# And what kvm-amd and kvm-intel take from kvm, which modpost only
	# warns about without vmlinux.
	defs=$(nm --defined-only "$obj/arch/x86/kvm/kvm.o" | awk '{ print $3 }')
	syms=$(cd "$obj" && nm -u arch/x86/kvm/kvm-amd.o arch/x86/kvm/kvm-intel.o |
		awk '{ print $NF }' | sort -u)
	local n=0
	for sym in $(comm -12 <(echo "$syms") <(echo "$defs" | sort -u)); do
		n=$((n + 1))
		grep -qx "__export_symbol_$sym" <<<"$defs" ||
			{ echo "kernel.sh: kvm-amd/kvm-intel use $sym, which kvm does not export" >&2; bad=1; }
	done
	echo "kvm exports all $n symbols kvm-amd and kvm-intel take from it"
	[ $bad = 0 ] || exit 1
	echo "kernel.sh: Debian amd64 config (KVM=m): touched objects and KVM modules build, modpost passes"
}

case "${1:-}" in
tree) tree "$2" ;;
build) shift; build "$@" ;;
debian) debian "$2" "$3" ;;
*) echo "usage: kernel.sh tree SRC | build SRC OBJ FRAGMENT... | debian SRC OBJ" >&2; exit 2 ;;
esac

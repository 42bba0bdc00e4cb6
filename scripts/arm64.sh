#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# arm64: the split and exit timing on arm64 KVM, booted under
# qemu-system-aarch64 -M virt,virtualization=on -cpu max (TCG), where the
# cross-built test kernel runs at EL2 and KVM uses VHE.
#
#   arm64.sh tree       build/arm64/linux: the patched tree (scripts/kernel.sh
#                       tree), plus ARM64_PATCHES (default
#                       build/arm64/patches-out/*.patch) whose Subject the
#                       series does not have yet
#   arm64.sh kernel     tinyconfig + config/test-kernel-arm64.config, built
#                       with aarch64-linux-gnu- (ccache) in build/arm64/kernel,
#                       left at build/arm64/Image
#   arm64.sh vmm        gvmm for arm64 (tests/vmm, GVMM_ARCH=arm64) ->
#                       build/arm64/tests/gvmm
#   arm64.sh busybox    Debian's busybox-static:arm64 -> build/arm64/busybox
#   arm64.sh initramfs  build/arm64/initramfs.cpio.gz
#   arm64.sh boot [boot.sh options] SCENARIO [ARGS]
#                       tests/qemu/boot.sh with qemu-system-aarch64
#   arm64.sh kunit      the KUnit suites on arm64 (tick and nohz_full=1)
#   arm64.sh check [NAME...]
#                       all of the above, then the arm64 boot tests; logs
#                       in build/arm64/logs
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
B=$top/build/arm64
src=$B/linux
obj=$B/kernel
frag=$top/config/test-kernel-arm64.config
cross=aarch64-linux-gnu-
cc="${cross}gcc"
command -v ccache >/dev/null && cc="ccache ${cross}gcc"
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.ccache}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$top} CCACHE_NOHASHDIR=1
jobs=$(nproc)
kmake=(make -C "$src" O="$obj" ARCH=arm64 CROSS_COMPILE="$cross" CC="$cc")

die() { echo "arm64.sh: $*" >&2; exit 1; }

subject() { sed -n 's/^Subject: \(\[PATCH[^]]*\] \)\?//p' "$1" | head -n 1; }

tree() {
	local p s extra=() stamp
	"$top/scripts/kernel.sh" tree "$src" || exit 1
	for p in ${ARM64_PATCHES:-$B/patches-out/*.patch}; do
		[ -f "$p" ] || continue
		s=$(subject "$p")
		grep -qxF "Subject: [PATCH] $s" $(sed "s|^|$top/patches/|" "$top/patches/series") 2>/dev/null &&
			continue
		extra+=("$p")
	done
	stamp=$( (cat "$src/.gu-stamp"; cat "${extra[@]}" </dev/null) | sha1sum | cut -c1-16)
	[ -f "$src/.arm64-stamp" ] && [ "$(cat "$src/.arm64-stamp")" = "$stamp" ] && return 0
	if [ -f "$src/.arm64-stamp" ]; then
		# Extra patches applied before: start again from a clean tree.
		rm -rf "$src"
		"$top/scripts/kernel.sh" tree "$src" || exit 1
	fi
	for p in "${extra[@]}"; do
		echo "arm64.sh: applying $(basename "$p") (not in patches/series yet)"
		patch -d "$src" -p1 --fuzz=0 --no-backup-if-mismatch -s < "$p" ||
			die "$p does not apply with fuzz 0"
	done
	echo "$stamp" > "$src/.arm64-stamp"
}

kernel() {
	command -v "${cross}gcc" >/dev/null || die "no ${cross}gcc (scripts/deps.sh)"
	tree
	mkdir -p "$obj"
	"${kmake[@]}" -s tinyconfig
	"$src/scripts/kconfig/merge_config.sh" -Q -m -O "$obj" "$obj/.config" "$frag" >/dev/null
	"${kmake[@]}" -s olddefconfig
	local bad=0 line opt
	while read -r line; do
		case "$line" in
		'# CONFIG_'*' is not set') opt=${line#\# }; opt=${opt%% *}
			grep -q "^$opt=" "$obj/.config" && { echo "lost: $line" >&2; bad=1; } ;;
		CONFIG_*) grep -qx "$line" "$obj/.config" || { echo "lost: $line" >&2; bad=1; } ;;
		esac
	done < "$frag"
	[ $bad = 0 ] || die "config fragment not satisfied"
	"${kmake[@]}" -j"$jobs" KCFLAGS=-Werror Image Image.gz || die "kernel build failed"
	cp "$obj/arch/arm64/boot/Image" "$B/Image"
}

vmm() {
	make -s -C "$top/tests/vmm" GVMM_ARCH=arm64 O="$B/tests" || die "gvmm build failed"
}

busybox() {
	local bb=$B/busybox/bin/busybox deb
	[ -x "$bb" ] && return 0
	mkdir -p "$B/busybox"
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		[ "$(id -u)" = 0 ] || die "need dpkg --add-architecture arm64 (as root) for busybox-static:arm64"
		dpkg --add-architecture arm64 && apt-get update -q >/dev/null ||
			die "cannot add the arm64 architecture"
	fi
	(cd "$B" && apt-get download -q busybox-static:arm64 >/dev/null 2>&1) ||
		die "apt-get download busybox-static:arm64 failed"
	deb=$(ls -t "$B"/busybox-static_*_arm64.deb | head -n 1)
	dpkg-deb -x "$deb" "$B/busybox" || die "cannot unpack $deb"
	[ -x "$bb" ] || die "no bin/busybox in $deb"
}

# The x86 gtest initramfs layout (tests/initramfs/mkinitramfs.sh) with
# arm64 binaries: mkinitramfs.sh runs busybox --list-full on this machine
# to make the applet links, so it gets the host's busybox-static (the same
# Debian version, the same applets), and the arm64 one replaces it in a
# second cpio archive appended to the first (the kernel unpacks both, in
# order).  The scenarios: tests/boot plus tests/boot-arm64.
initramfs() {
	local stage=$B/initramfs.d tests=$B/initramfs-tests
	vmm
	busybox
	rm -rf "$stage" "$tests"
	mkdir -p "$stage/bin" "$tests"
	cp "$top"/tests/boot/*.sh "$tests/"
	cp "$top"/tests/boot-arm64/*.sh "$tests/"
	rm -f "$tests/qemu.sh"
	"$top/tests/initramfs/mkinitramfs.sh" -o "$B/initramfs.cpio.gz" \
		--gvmm "$B/tests/gvmm" --tests "$tests" --busybox /bin/busybox ||
		die "mkinitramfs.sh failed"
	cp "$B/busybox/bin/busybox" "$stage/bin/busybox"
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc --owner=0:0 --quiet | gzip -9n) >> "$B/initramfs.cpio.gz"
	rm -rf "$stage" "$tests"
}

boot() {
	QEMU="$top/tests/boot-arm64/qemu.sh" "$top/tests/qemu/boot.sh" \
		--kernel "$B/Image" --initrd "$B/initramfs.cpio.gz" "$@"
}

kunit() {
	local log=$B/kunit rc=0 name
	mkdir -p "$log"
	grep -E '^CONFIG_(KUNIT|.*KUNIT_TEST)=y' "$frag" > "$obj/.kunitconfig"
	for name in tick vtime; do
		echo "kunit (arm64): $name"
		local args=()
		[ $name = vtime ] && args=(--kernel_args=nohz_full=1)
		python3 "$src/tools/testing/kunit/kunit.py" exec --arch=arm64 \
			--build_dir="$obj" --timeout=300 --qemu_args='-smp 2' \
			"${args[@]}" > "$log/$name.log" 2>&1
		local r=$?
		grep -E '^\[..:..:..\] (Testing complete|Ran|Elapsed)' "$log/$name.log" |
			sed 's/^\[..:..:..\] /  /'
		[ $r -eq 0 ] || { echo "kunit (arm64): $name failed (see $log/$name.log)"; rc=1; }
	done
	grep -q '\[PASSED\] guest_util_vtime$' "$log/vtime.log" ||
		{ echo "kunit (arm64): guest_util_vtime did not pass with nohz_full=1"; rc=1; }
	return $rc
}

# name | boot.sh options | scenario and its arguments
scenarios=(
	"split-tick||split tick"
	"split-vtime|--append nohz_full=1|split vtime"
	"exits||exits_arm64"
)

check() {
	local t0=$SECONDS logs=$B/logs pass=0 fail=0 failed=() s name opts args rc
	kernel || exit 1
	initramfs || exit 1
	echo "arm64.sh: kernel and initramfs ready after $((SECONDS - t0)) s"
	mkdir -p "$logs"
	for s in "${scenarios[@]}"; do
		IFS='|' read -r name opts args <<<"$s"
		if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then
			continue
		fi
		echo "=== arm64 boot test $name"
		local t1=$SECONDS
		# shellcheck disable=SC2086
		boot --timeout 900 --log "$logs/$name.log" $opts $args > "$logs/$name.out" 2>&1
		rc=$?
		grep -aE '^(ok|not ok|#|Bail out)' "$logs/$name.out" | tr -d '\r' | sed 's/^/  /'
		if [ $rc -eq 0 ]; then
			pass=$((pass + 1))
			echo "ok - arm64 $name ($((SECONDS - t1)) s)"
		else
			fail=$((fail + 1))
			failed+=("$name")
			echo "not ok - arm64 $name (status $rc, $((SECONDS - t1)) s; log $logs/$name.log)"
		fi
	done
	if [ $# -eq 0 ] || printf '%s\n' "$@" | grep -qx kunit; then
		if kunit; then
			pass=$((pass + 1)); echo "ok - arm64 kunit"
		else
			fail=$((fail + 1)); failed+=(kunit); echo "not ok - arm64 kunit"
		fi
	fi
	echo "arm64.sh: $pass passed, $fail failed${failed:+ (${failed[*]})}, $((SECONDS - t0)) s"
	[ $fail = 0 ]
}

case "${1:-}" in
tree|kernel|vmm|busybox|initramfs|kunit) "$1" ;;
boot) shift; boot "$@" ;;
check) shift; check "$@" ;;
*) sed -n '4,26p' "$0" | sed 's/^# \?//' >&2; exit 2 ;;
esac

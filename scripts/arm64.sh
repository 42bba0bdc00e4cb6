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
#   arm64.sh gtop       tools/gtop for arm64, static, with Debian's
#                       libproc2-dev, libncurses-dev, zlib1g-dev (arm64) ->
#                       build/arm64/gtop/gtop
#   arm64.sh initramfs  build/arm64/initramfs.cpio.gz
#   arm64.sh boot [boot.sh options] SCENARIO [ARGS]
#                       tests/qemu/boot.sh with qemu-system-aarch64
#   arm64.sh kunit      the KUnit suites on arm64 (tick and nohz_full=1)
#   arm64.sh check [NAME...]
#                       all of the above, then the arm64 boot tests, VHE
#                       and nVHE (kvm-arm.mode=nvhe); logs in
#                       build/arm64/logs
#
# The arm64 packages are downloaded (apt-get download) and unpacked under
# build/arm64, not installed: dpkg needs arm64 among its architectures
# (dpkg --add-architecture arm64, done here when run as root).
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

# debs DIR PKG...: Debian's arm64 packages PKG, downloaded to build/arm64/debs
# and unpacked into DIR (again when a newer version comes).
debs() {
	local dir=$1 p deb stamp=
	shift
	mkdir -p "$B/debs" "$dir"
	if ! dpkg --print-foreign-architectures | grep -x arm64 >/dev/null; then
		[ "$(id -u)" = 0 ] || die "need dpkg --add-architecture arm64 (as root) for $*"
		dpkg --add-architecture arm64 && apt-get update -q >/dev/null ||
			die "cannot add the arm64 architecture"
	fi
	for p in "$@"; do
		# (--print-uris says nothing of a file already in the directory)
		mkdir -p "$B/debs/.uris"
		deb=$(cd "$B/debs/.uris" && apt-get download --print-uris -q "$p:arm64" 2>/dev/null |
			awk '{ print $2 }')
		[ -n "$deb" ] || die "apt-get: no $p:arm64 (apt-get update?)"
		if [ ! -f "$B/debs/$deb" ]; then
			(cd "$B/debs" && apt-get download -q "$p:arm64" >/dev/null 2>&1) ||
				die "apt-get download $p:arm64 failed"
		fi
		stamp+="$deb "
	done
	[ "$(cat "$dir/.debs" 2>/dev/null)" = "$stamp" ] && return 0
	for deb in $stamp; do
		dpkg-deb -x "$B/debs/$deb" "$dir" || die "cannot unpack $deb"
	done
	echo "$stamp" > "$dir/.debs"
}

busybox() {
	debs "$B/busybox" busybox-static
	[ -x "$B/busybox/bin/busybox" ] || die "no bin/busybox in busybox-static:arm64"
}

# gtop for arm64, linked statically (busybox initramfs) against the arm64
# libproc2.a, libncursesw.a and libz.a of build/arm64/sysroot, by tools/gtop's
# Makefile with the cross compiler (its STATIC=1 build); GTOP_SRC: another
# copy of tools/gtop.
gtop() {
	local sr=$B/sysroot lib=$B/sysroot/usr/lib/aarch64-linux-gnu
	debs "$sr" libproc2-dev libncurses-dev zlib1g-dev
	make -s -j"$jobs" -C "${GTOP_SRC:-$top/tools/gtop}" O="$B/gtop" BIN="$B/gtop/gtop" \
		STATIC=1 CC="${cross}gcc" CFLAGS="-O2 -g" LDFLAGS="-static -L$lib" \
		PKG_CONFIG="env PKG_CONFIG_SYSROOT_DIR=$sr PKG_CONFIG_LIBDIR=$lib/pkgconfig pkg-config" \
		2> >(grep -v "statically linked applications requires at runtime\|in function \`" >&2) ||
		die "gtop build failed"
	local elf
	elf=$("${cross}readelf" -hl "$B/gtop/gtop") &&
		grep -q 'Machine: *AArch64' <<<"$elf" && ! grep -q INTERP <<<"$elf" ||
		die "$B/gtop/gtop is not a static arm64 binary"
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
	gtop
	rm -rf "$stage" "$tests"
	mkdir -p "$stage/bin" "$tests"
	cp "$top"/tests/boot/*.sh "$tests/"
	cp "$top"/tests/boot-arm64/*.sh "$tests/"
	rm -f "$tests/qemu.sh"
	"$top/tests/initramfs/mkinitramfs.sh" -o "$B/initramfs.cpio.gz" \
		--gvmm "$B/tests/gvmm" --tests "$tests" --busybox /bin/busybox \
		--kvm-modules none \
		--bin "$B/gtop/gtop" ||
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
	# as scripts/kunit.sh: both suites ran and passed, by tick and by vtime
	for name in tick vtime; do
		for su in guest_util kvm_exit_timing; do
			grep -qE "^\[..:..:..\] =+ \[PASSED\] $su =+$" "$log/$name.log" ||
				{ echo "kunit (arm64): suite $su did not run and pass ($name)"; rc=1; }
		done
	done
	# the vtime cases skip by tick and must pass with nohz_full=1; no other
	# case may skip
	local vt="guest_util_vtime guest_util_vtime_off guest_util_vtime_pending guest_util_nohz_sampler"
	for c in $vt; do
		grep -q "\[PASSED\] $c\$" "$log/vtime.log" ||
			{ echo "kunit (arm64): $c did not pass with nohz_full=1"; rc=1; }
	done
	for c in $(sed -n 's/^\[..:..:..\] \[SKIPPED\] \([a-z0-9_]*\).*/\1/p' "$log/tick.log"); do
		[[ " $vt " = *" $c "* ]] ||
			{ echo "kunit (arm64): $c was skipped (tick)"; rc=1; }
	done
	if grep -q '\[SKIPPED\]' "$log/vtime.log"; then
		echo "kunit (arm64): a case was skipped with nohz_full=1"; rc=1
	fi
	return $rc
}

# nVHE: 6.12 has no option that leaves it out (CONFIG_ARM64_VHE is gone):
# KVM=y always builds the nVHE hypervisor (arch/arm64/kvm/hyp/nvhe), and
# kvm-arm.mode=nvhe picks it at boot.  That it was built and linked, with
# the arm64 hooks of the series in the code VHE and nVHE share (arm.c):
nvhe() {
	local o=$obj/arch/arm64/kvm rc=0 sym syms
	[ -f "$o/hyp/nvhe/kvm_nvhe.o" ] ||
		{ echo "nvhe: no $o/hyp/nvhe/kvm_nvhe.o"; rc=1; }
	syms=$("${cross}nm" "$obj/vmlinux") || { echo "nvhe: nm $obj/vmlinux failed"; return 1; }
	for sym in __kvm_nvhe___kvm_vcpu_run __kvm_nvhe___guest_exit \
		   kvm_arch_exit_reason_name kvm_arch_exit_timing_scale; do
		grep -q " $sym\$" <<<"$syms" ||
			{ echo "nvhe: vmlinux has no $sym"; rc=1; }
	done
	return $rc
}

# name | boot.sh options | scenario and its arguments
nv="--append kvm-arm.mode=nvhe"
scenarios=(
	"split-tick||split tick"
	"split-vtime|--append nohz_full=1|split vtime"
	"exits||exits_arm64"
	"gtop||gtop_arm64"
	"split-tick-nvhe|$nv|nvhe split tick"
	"exits-nvhe|$nv|nvhe exits_arm64"
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
		# every arm64 check is required: a skipped one fails the test
		if [ $rc -eq 0 ] && grep -aq '^ok [0-9]* - .* # SKIP' "$logs/$name.out"; then
			echo "  arm64 $name: a check was skipped"
			rc=1
		fi
		if [ $rc -eq 0 ]; then
			pass=$((pass + 1))
			echo "ok - arm64 $name ($((SECONDS - t1)) s)"
		else
			fail=$((fail + 1))
			failed+=("$name")
			echo "not ok - arm64 $name (status $rc, $((SECONDS - t1)) s; log $logs/$name.log)"
		fi
	done
	if [ $# -eq 0 ] || printf '%s\n' "$@" | grep -qx nvhe-build; then
		if nvhe; then
			pass=$((pass + 1)); echo "ok - arm64 nvhe-build"
		else
			fail=$((fail + 1)); failed+=(nvhe-build); echo "not ok - arm64 nvhe-build"
		fi
	fi
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
tree|kernel|vmm|busybox|gtop|initramfs|kunit|nvhe) "$1" ;;
boot) shift; boot "$@" ;;
check) shift; check "$@" ;;
*) sed -n '4,/^set /{/^#/p}' "$0" | sed 's/^# \?//' >&2; exit 2 ;;
esac

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The KVM selftests of the 6.12 source on the patched kernel (issue 8,
# item 4; tests/README.md, "KVM selftests").
#
#   run.sh build      build the x86 selftests (tools/testing/selftests/kvm)
#                     into build/selftests/bin
#   run.sh baseline   every x86 selftest on the UNPATCHED kernel: pristine
#                     linux-source-6.12 with the test kernel's config
#                     (config/test-kernel.config, KVM as modules), built in
#                     build/selftests/vanilla-obj; writes
#                     tests/selftests/baseline.txt (make selftests-baseline)
#   run.sh check      the tests baseline.txt says pass, on the patched test
#                     kernel (build/bzImage, build/kernel's KVM modules):
#                     all with both sysctls 1, then those that took at most
#                     SELFTESTS_FLIP_MAX s (15) on the baseline with the
#                     split 1 while exit timing is flipped every 0.1-0.3 s;
#                     fails if any of them does not
#                     pass (fails twice, times out, skips, is missing: a test
#                     that fails runs once more, and says so), if a sysctl
#                     was not as the pass wants it, if /proc/stat's guest
#                     time did not go to guest_user + guest_system, or on a
#                     splat in dmesg (make check-selftests)
#
# Environment: SELFTESTS_MODES (check: default "on flip"),
# SELFTESTS_FLIP_MAX (check: see above),
# SELFTESTS_TIMEOUT (baseline: seconds a test may take, default 180),
# SELFTESTS_ONLY (a regex: run only the tests it matches; check then
# fails, as a test is missing, unless all the baseline's are matched),
# SELFTESTS_BASELINE (another baseline file, to read or write),
# SELFTESTS_KERNEL and SELFTESTS_KVM_OBJ (check: another kernel image and
# the object tree of its KVM modules).
# Logs: build/selftests/logs/{baseline,check}.{out,log}.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
S=$top/build/selftests
src=$top/build/linux
baseline=${SELFTESTS_BASELINE:-$top/tests/selftests/baseline.txt}
tarball=/usr/src/linux-source-6.12.tar.xz
mem=2048
smp=2

die() { echo "selftests: $*" >&2; exit 1; }

# The series must leave the selftests and the UAPI headers alone, so
# that the tests built from the patched tree (build/linux) are those of
# the pristine source, the same binaries for both kernels.
pristine_guard() {
	local touched
	touched=$(cd "$top" && sed 's|^|patches/|' patches/series | xargs grep -h '^+++ b/' |
		sed 's|^+++ b/||' | grep -E '^tools/|/uapi/' || true)
	[ -z "$touched" ] ||
		die "the series changes $touched: build the selftests from the pristine source instead"
}

build() {
	pristine_guard
	[ -f "$src/.gu-stamp" ] || die "no kernel tree $src (make tree)"
	mkdir -p "$S"
	# The UAPI headers for the selftests, out of the source tree.
	nice make -s -C "$src" O="$S/hdr" headers_install
	local kdir=$src/tools/testing/selftests/kvm
	# Linked dynamically: mkinitramfs.sh --bin brings glibc along once.
	# (Static, the 84 binaries are 84 MiB stripped, a 39 MiB initramfs
	# that gzip -9 takes minutes to make on a loaded machine.)
	if ! nice make -C "$kdir" -j"$(nproc)" ARCH=x86 OUTPUT="$S/kvm" \
		KHDR_INCLUDES="-isystem $S/hdr/usr/include" \
		> "$S/build.log" 2>&1; then
		tail -30 "$S/build.log"
		die "selftests build failed (log $S/build.log)"
	fi
	# The x86 tests, as the selftests' Makefile lists them
	# (TEST_GEN_PROGS; nx_huge_pages_test.sh, a bash script around a
	# helper, is TEST_PROGS: not run, see tests/README.md).
	make -s -C "$kdir" ARCH=x86 OUTPUT="$S/kvm" -f Makefile \
		-f <(printf 'print-tests:\n\t@echo $(TEST_GEN_PROGS)\n') print-tests |
		tr ' ' '\n' | sed -n "s|^$S/kvm/||p" > "$S/all-tests.txt"
	[ "$(wc -l < "$S/all-tests.txt")" -gt 50 ] || die "could not list the x86 selftests"
	rm -rf "$S/bin.tmp"
	local t
	while read -r t; do
		mkdir -p "$S/bin.tmp/$(dirname "$t")"
		strip -o "$S/bin.tmp/$t" "$S/kvm/$t"
	done < "$S/all-tests.txt"
	rm -rf "$S/bin"
	mv "$S/bin.tmp" "$S/bin"
	echo "selftests: $(wc -l < "$S/all-tests.txt") x86 selftests built in $S/bin"
}

# with_args [TIMEOUT]: stdin "NAME [TIME]" lines -> "NAME TIMEOUT
# [ARGS...]", ARGS from tests/selftests/args
with_args() {
	awk -v tmo="$1" 'NR == FNR { if ($0 !~ /^#/ && NF > 1) { n = $1; $1 = ""; a[n] = $0 } next }
		{ t = tmo; if (t == "") { t = int(4 * $2 + 60); if (t > 600) t = 600 }
		  print $1, t a[$1] }' "$top/tests/selftests/args" -
}

# boot_tests NAME KERNEL KVM_OBJ LIST TIMEOUT MODE... [-- SRC:DST...]: an
# initramfs with the binaries of the tests LIST names, LIST as
# /selftests/list, the files SRC:DST and OBJ's KVM modules; boots it.
boot_tests() {
	local name=$1 kernel=$2 obj=$3 list=$4 tmo=$5 modes=() files=()
	shift 5
	while [ $# -gt 0 ] && [ "$1" != -- ]; do modes+=("$1"); shift; done
	[ $# -eq 0 ] || shift
	for f in "$@"; do files+=(--file "$f"); done
	mkdir -p "$S/logs"
	# The listed tests only, with the libraries they need.
	local bins=() t
	for t in $(awk '{ print $1 }' "$list"); do
		[ -f "$S/bin/$t" ] && bins+=(--bin "$S/bin/$t:/selftests/$t")
	done
	# glibc's pthread_cancel() dlopen()s libgcc_s (ldd does not say so):
	# without it xapic_ipi_test, recalc_apic_map_test and sync_regs_test
	# abort.
	local gcc_s
	gcc_s=$(realpath "$(gcc -print-file-name=libgcc_s.so.1)")
	[ -f "$gcc_s" ] || die "no libgcc_s.so.1 (apt-get install libgcc-s1)"
	"$top/tests/initramfs/mkinitramfs.sh" -o "$S/initramfs-$name.cpio.gz" \
		--kvm-modules "$obj" "${bins[@]}" \
		--file "$gcc_s:/lib/x86_64-linux-gnu/libgcc_s.so.1" \
		--file "$list:/selftests/list" "${files[@]}" \
		--file "$top/tests/selftests/guest.sh:/tests/kvm-selftests.sh"
	local rc=0
	"$top/tests/qemu/boot.sh" --kernel "$kernel" --initrd "$S/initramfs-$name.cpio.gz" \
		--smp $smp --mem $mem --timeout "$tmo" --log "$S/logs/$name.log" \
		kvm-selftests "${modes[@]}" > "$S/logs/$name.out" 2>&1 || rc=$?
	tr -d '\r' < "$S/logs/$name.out" > "$S/logs/$name.txt"
	return $rc
}

# reason NAME MODE FILE: one line saying why NAME did not pass: the
# test's own skip or assertion message, from the lines after its result.
reason() {
	awk -v n="$1" -v m="$2" '
		$1 == "SELFTEST" && $2 == m && $3 == n { on = 1; next }
		on && /^#   / { sub(/^#   /, ""); l[++k] = $0; next }
		on { exit }
		END {
			for (i = k; i >= 1; i--)
				if (l[i] ~ /SKIP|[Rr]equirement|not supported|not available|Unsupported/) { print l[i]; exit }
			for (i = 1; i <= k; i++)
				if (l[i] ~ /Test Assertion Failure/ && i + 1 <= k) {
					r = l[i + 1]
					for (j = i + 2; j <= k && j <= i + 5; j++)
						if (l[j] !~ /pid=[0-9]+ tid=|addr2line|^ *0x[0-9a-f]+: |Random seed/)
							r = r " | " l[j]
					print r; exit
				}
			if (k) print l[k]
		}' "$3" | tr -s ' \t' ' ' | sed 's/^ //' | cut -c1-220
}

baseline() {
	build
	local vsrc=$S/vanilla vobj=$S/vanilla-obj
	if [ ! -f "$vsrc/Makefile" ]; then
		[ -f "$tarball" ] || die "$tarball missing (apt-get install linux-source-6.12)"
		rm -rf "$vsrc"
		mkdir -p "$vsrc"
		tar -xJf "$tarball" -C "$vsrc" --strip-components=1
	fi
	echo "selftests: the unpatched kernel (pristine source, config/test-kernel.config) in $vobj"
	nice "$top/scripts/kernel.sh" build "$vsrc" "$vobj" "$top/config/test-kernel.config" \
		> "$S/vanilla-build.log" 2>&1 ||
		{ tail -20 "$S/vanilla-build.log"; die "unpatched kernel build failed"; }
	! grep -q GUEST_UTIL "$vobj/.config" || die "$vobj is not an unpatched kernel"
	local tmo=${SELFTESTS_TIMEOUT:-180} list=$S/list-baseline
	grep -E "${SELFTESTS_ONLY:-.}" "$S/all-tests.txt" | with_args "$tmo" > "$list"
	local n total start=$SECONDS
	n=$(wc -l < "$list")
	total=$((n * (tmo + 5) + 300))
	echo "selftests: $n tests on the unpatched kernel, up to $tmo s each"
	boot_tests baseline "$vobj/arch/x86/boot/bzImage" "$vobj" "$list" "$total" none ||
		die "the baseline boot failed (exit $?, log $S/logs/baseline.txt)"
	local out=$S/logs/baseline.txt
	grep -q '^SELFTEST-END' "$out" || die "the baseline run did not finish ($out)"
	local kver qemu splats
	kver=$(sed -n 's/^SELFTEST-KERNEL //p' "$out")
	qemu=$(qemu-system-x86_64 --version | head -1)
	splats=$(sed -n 's/^SELFTEST-DMESG //p' "$out")
	{
		cat <<-EOF
		# KVM selftests: the x86 tests of the 6.12 source
		# (tools/testing/selftests/kvm, TEST_GEN_PROGS for x86) on the UNPATCHED
		# kernel: the baseline make check-selftests compares the patched one with.
		# Made by \`make selftests-baseline\` (tests/selftests/run.sh baseline) on
		# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg) at the end.
		# Source: $(dpkg-query -W -f='${Package} ${Version}' linux-source-6.12 2>/dev/null), pristine
		# (no patch of the series), tinyconfig + config/test-kernel.config (KVM,
		# kvm-amd, kvm-intel as modules, loaded by the initramfs' /init).
		# Kernel: $kver
		# $qemu, -accel tcg,thread=single -cpu max (SVM: kvm_amd nested),
		# -smp $smp -m $mem; each test run alone, as root, with the arguments of
		# tests/selftests/args (else none), killed after $tmo s with what it left
		# running; one boot for all, $((SECONDS - start)) s in all. dmesg splat lines after the run: $splats.
		# Results: pass (exit 0), skip (exit 4: KSFT_SKIP), fail, timeout; a
		# test that fails runs once more, its result is the second run's.
		# make check-selftests runs the pass ones; the others, with the test's
		# own reason, are listed with why in tests/README.md ("KVM selftests").
		# NAME RESULT SECONDS [REASON]
		EOF
		local name r t first
		while read -r _ _ name r _ t _ first; do
			t=${t#time=}
			if [ "$r" = pass ] && [ "${first#first=}" != "$first" ]; then
				echo "$name $r $t on its second run; the first: $(reason "$name" none "$out")"
			elif [ "$r" = pass ]; then
				echo "$name $r $t"
			else
				echo "$name $r $t $(reason "$name" none "$out")"
			fi
		done < <(grep '^SELFTEST none ' "$out")
	} > "$baseline.tmp"
	mv "$baseline.tmp" "$baseline"
	echo "selftests: wrote $baseline:"
	awk '!/^#/ { n[$2]++ } END { for (r in n) printf "  %s %d\n", r, n[r] }' "$baseline"
}

check() {
	[ -f "$baseline" ] || die "no $baseline (make selftests-baseline)"
	local kernel=${SELFTESTS_KERNEL:-$top/build/bzImage} obj=${SELFTESTS_KVM_OBJ:-$top/build/kernel}
	[ -f "$kernel" ] && [ -f "$obj/arch/x86/kvm/kvm.ko" ] || die "no test kernel (make kernel)"
	build
	local modes=${SELFTESTS_MODES:-on flip} list=$S/list-check flipmax=${SELFTESTS_FLIP_MAX:-15}
	# Tests each pass must run: "on", every test that passes on the
	# unpatched kernel; "flip", those of them that took at most
	# SELFTESTS_FLIP_MAX seconds there (the CI budget).
	awk '!/^#/ && $2 == "pass" { print $1, $3 }' "$baseline" > "$S/want-on"
	awk -v x="$flipmax" '!/^#/ && $2 == "pass" && $3 <= x { print $1, $3 }' "$baseline" > "$S/want-flip"
	# A test's timeout: 4 times its baseline time plus 60 s (a loaded CI
	# machine runs TCG slower), at most 600 s.
	local m files=() total=300 start=$SECONDS rc=0
	for m in $modes; do
		[ -f "$S/want-$m" ] || die "unknown mode $m"
		grep -E "^[^ ]*(${SELFTESTS_ONLY:-.})" "$S/want-$m" | with_args "" > "$list.$m" || true
		files+=("$list.$m:/selftests/list.$m")
		total=$((total + $(awk '{ s += $2 } END { print int(s) }' "$list.$m")))
		echo "selftests: $m: $(wc -l < "$list.$m") of the baseline's $(wc -l < "$S/want-on") passing tests"
	done
	# Every test at its timeout would take hours: 40 minutes at most.
	[ "$total" -le 2400 ] || total=2400
	# All the lists' tests, for the initramfs (and its /selftests/list).
	sort -u -k1,1 "${files[@]%%:*}" > "$list"
	echo "selftests: modes: $modes, boot timeout $total s"
	boot_tests check "$kernel" "$obj" "$list" "$total" $modes -- "${files[@]}" || rc=$?
	local out=$S/logs/check.txt
	local fail=0 pass=0 m name r line
	ok() { echo "ok - $*"; pass=$((pass + 1)); }
	nok() { echo "not ok - $*"; fail=$((fail + 1)); }
	[ $rc -eq 0 ] || nok "the boot ended with exit $rc (124: timeout; log $S/logs/check.log)"
	grep -a '^SELFTEST-\(KERNEL\|MODULE\|SYSCTL\|STAT\|FLIPS\|PASS-END\|DMESG\|ERROR\)' "$out" | sed 's/^/# /'
	grep -q '^SELFTEST-MODULE kvm_amd loaded' "$out" && ok "kvm_amd loaded" || nok "kvm_amd loaded"
	for m in $modes; do
		# The sysctls as the pass wants them, before and after it.
		local u e
		case $m in on) u=1 e=1 ;; flip) u=1 e='[01]' ;; *) u='.*' e='.*' ;; esac
		for w in before after; do
			line=$(grep "^SELFTEST-SYSCTL $m $w " "$out" || true)
			if [[ "$line" =~ collect_guest_utilization=$u\ collect_guest_exit_timing=$e$ ]]; then
				ok "$m: sysctls $w the tests: ${line#* * * }"
			else
				nok "$m: sysctls $w the tests: ${line:-no line}"
			fi
		done
		while read -r name; do
			line=$(grep "^SELFTEST $m $name " "$out" || true)
			r=$(echo "$line" | cut -d' ' -f4)
			if [ -z "$line" ]; then
				nok "$m $name: no result (the boot died before it?)"
			elif [ "$r" != pass ]; then
				nok "$m $name: $r, passes on the unpatched kernel (${line#* * * * }): $(reason "$name" "$m" "$out")"
			elif [ "$m" = on ] && [ "${line##*sysctl=}" != 11 ]; then
				nok "$m $name: passed, but the sysctls were ${line##*sysctl=}, not 11"
			elif [ "$m" = flip ] && [ "$(echo "${line##*sysctl=}" | cut -c1)" != 1 ]; then
				nok "$m $name: passed, but the split was off (sysctl=${line##*sysctl=})"
			else
				ok "$m $name (${line#* * * * })"
				[ "${line%first=*}" = "$line" ] ||
					echo "# $m $name passed on its second run; the first: $(reason "$name" "$m" "$out")"
			fi
		done < <(awk '{ print $1 }' "$S/want-$m")
		# The split was on: guest time went to guest_user + guest_system,
		# as much as to guest + guest_nice (/proc/stat's cpu line, in
		# ticks: each column is truncated on its own, hence 5 ticks).
		line=$(sed -n "s/^SELFTEST-STAT $m guest,guest_nice,guest_user,guest_system //p" "$out")
		if awk -v l="$line" 'BEGIN { n = split(l, a, " "); if (n != 10) exit 1
			g = a[7] + a[8] - a[2] - a[3]; s = a[9] + a[10] - a[4] - a[5]
			d = g - s; if (d < 0) d = -d; exit !(g > 0 && d <= 5) }'; then
			ok "$m: guest time split while the tests ran (/proc/stat $line)"
		else
			nok "$m: guest time not split as it grew (/proc/stat ${line:-no line})"
		fi
		if [ "$m" = flip ]; then
			local f
			f=$(sed -n "s/^SELFTEST-FLIPS $m //p" "$out")
			[ "${f:-0}" -gt 0 ] && ok "flip: exit timing written $f times during the tests" ||
				nok "flip: exit timing was not flipped"
		fi
	done
	local splats
	splats=$(sed -n 's/^SELFTEST-DMESG //p' "$out")
	[ "$splats" = 0 ] && ok "no splat in dmesg" || nok "dmesg: ${splats:-no count} splat lines (log $S/logs/check.log)"
	echo "selftests: $pass checks passed, $fail failed, in $((SECONDS - start)) s; tests per pass:$(for m in $modes; do printf ' %s %s' "$m" "$(wc -l < "$S/want-$m")"; done); not run: $(awk '!/^#/ && $2 != "pass"' "$baseline" | wc -l) tests that do not pass on the unpatched kernel ($baseline)"
	[ $fail -eq 0 ]
}

case "${1:-}" in
build)		build ;;
baseline)	baseline ;;
check)		check ;;
*)		echo "usage: run.sh build | baseline | check" >&2; exit 2 ;;
esac

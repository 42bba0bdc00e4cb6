#!/bin/bash
# KUnit: run the built-in KUnit suites of the KUnit kernel (make
# kunit-kernel: the test kernel's config plus config/kunit.config, KVM
# built in) with kunit.py, under QEMU (x86_64: the vtime path needs a
# nohz_full x86 CPU, which UML cannot give).  Twice: tick-based
# accounting, then nohz_full=1 (vtime), where the vtime cases must run,
# not be skipped.  Every suite must run and pass in both: a suite missing
# from the kernel (KVM=m leaves kvm_exit_timing in kvm.ko, which nothing
# loads here) fails the check.
#
#   kunit.sh SRC OBJ     (make check-kunit: build/linux build/kernel-kunit)
set -uo pipefail
src=$(cd "${1:?src}" && pwd) obj=$(cd "${2:?obj}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
# The suites: guest_util (kernel/, CONFIG_GUEST_UTIL_KUNIT_TEST) and
# kvm_exit_timing (virt/kvm/, CONFIG_KVM_EXIT_TIMING_KUNIT_TEST).
suites="guest_util kvm_exit_timing"
# kunit.py wants a kunitconfig in the build dir; exec does not rebuild.
grep -E '^CONFIG_(KUNIT|.*KUNIT_TEST)=y' "$top/config/kunit.config" > "$obj/.kunitconfig"
for o in CONFIG_KVM=y $(cat "$obj/.kunitconfig"); do
	grep -qx "$o" "$obj/.config" ||
		{ echo "kunit: $obj/.config lacks $o (make kunit-kernel)"; exit 1; }
done
log=$top/build/kunit
mkdir -p "$log"
rc=0

run() {
	local name=$1; shift
	echo "kunit: $name"
	python3 "$src/tools/testing/kunit/kunit.py" exec --arch=x86_64 \
		--build_dir="$obj" --timeout=300 --qemu_args='-smp 2 -cpu max' \
		"$@" > "$log/$name.log" 2>&1
	local r=$?
	grep -E '^\[..:..:..\] (=|\[|Testing complete|Ran|Elapsed)' "$log/$name.log" |
		sed 's/^\[..:..:..\] //' | grep -v '^=\+$'
	[ $r -eq 0 ] || { echo "kunit: $name failed (see $log/$name.log)"; rc=1; }
}

run tick
run vtime --kernel_args=nohz_full=1
for l in tick vtime; do
	for su in $suites; do
		grep -qE "^\[..:..:..\] =+ \[PASSED\] $su =+$" "$log/$l.log" ||
			{ echo "kunit: suite $su did not run and pass ($l)"; rc=1; }
	done
done
for c in guest_util_vtime guest_util_vtime_off guest_util_vtime_pending \
	 guest_util_nohz_sampler; do
	grep -q "\[PASSED\] $c\$" "$log/vtime.log" ||
		{ echo "kunit: $c did not pass with nohz_full=1"; rc=1; }
done
exit $rc

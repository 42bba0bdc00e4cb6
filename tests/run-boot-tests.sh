#!/bin/bash
# Boot tests: each scenario boots build/bzImage under QEMU TCG (-cpu max:
# SVM, so kvm_amd runs nested) with the test initramfs.
#
#   run-boot-tests.sh [NAME...]   (default: all)
#   run-boot-tests.sh --realguest  the realguest scenarios only
#   run-boot-tests.sh --no-realguest  all but the realguest scenarios
# Logs in build/tests/logs/NAME.log; a TAP summary at the end.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
logs=$top/build/tests/logs
mkdir -p "$logs"

# The realguest scenarios boot their own initramfs (Debian's QEMU and the
# 32-bit Linux guest in it: make realguest-initramfs) and take a few
# minutes each: QEMU 7.2's TCG kills or freezes a nested guest now and then
# (tests/README.md), so each case boots up to 4 guests; both variants of
# the guest's timekeeping (kvmclock, and the exit-heavy no-kvmclock: PIT
# reads) run. RGARGS replaces the realguest.sh arguments after guest=32
# tries=4. realguest-vtime-busy runs with --realguest (make check-realguest)
# only: there the guest's own irq time now and then takes in the stalls of
# L1's CPU 1 (8 of 10 s as irq in one run), and its figures stop being a
# reference (tests/README.md, "The reference").
rg="--initrd $top/build/realguest/initramfs.cpio.gz --timeout 2400"
rga="guest=32 tries=4 ${RGARGS:-variants=kvmclock+no-kvmclock}"
only=all
case "${1:-}" in
--realguest)	only=realguest; shift ;;
--no-realguest)	only=other; shift ;;
esac

# name | boot.sh options | scenario and its arguments
scenarios=(
	"smoke||smoke"
	"gvmm-modes||gvmm_modes"
	"split-tick||split tick"
	"split-vtime|--append nohz_full=1|split vtime"
	"consumers||consumers"
	"exits||exits"
	"gtop||gtop"
	"realguest-tick|$rg|realguest tick $rga"
	"realguest-vtime|$rg --append nohz_full=1|realguest vtime $rga"
	"realguest-tick-busy|$rg|realguest tick busy $rga"
	"realguest-vtime-busy|$rg --append nohz_full=1|realguest vtime busy $rga"
)

pass=0 fail=0 failed=()
for s in "${scenarios[@]}"; do
	IFS='|' read -r name opts args <<<"$s"
	if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then
		continue
	fi
	case "$name" in
	realguest-vtime-busy) [ $only = realguest ] || [ $# -gt 0 ] || continue ;;
	realguest-*) [ $only != other ] || continue ;;
	*) [ $only != realguest ] || continue ;;
	esac
	echo "=== boot test $name"
	# shellcheck disable=SC2086
	"$top/tests/qemu/boot.sh" --timeout 600 --log "$logs/$name.log" $opts $args \
		> "$logs/$name.out" 2>&1
	rc=$?
	grep -aE '^(ok|not ok|#|Bail out)' "$logs/$name.out" | tr -d '\r' | sed 's/^/  /'
	# gtop's JSON lines, copied to the console, must parse as JSON.
	if [ $rc -eq 0 ] && grep -aq '^GTOP-JSON ' "$logs/$name.out"; then
		tr -d '\r' < "$logs/$name.out" | sed -n 's/^GTOP-JSON //p' |
			python3 -c 'import json, sys
for n, l in enumerate(sys.stdin, 1):
    o = json.loads(l)
    assert isinstance(o.get("vms"), list) and isinstance(o.get("cpus"), list), n' ||
			{ echo "  not ok - gtop JSON lines parse as JSON"; rc=1; }
	fi
	if [ $rc -eq 0 ]; then
		echo "ok - boot test $name"
		pass=$((pass + 1))
	else
		echo "not ok - boot test $name (exit $rc, log $logs/$name.log)"
		tail -n 30 "$logs/$name.out" | tr -d '\r' | sed 's/^/#   /'
		fail=$((fail + 1)); failed+=("$name")
	fi
done
echo "boot tests: $pass passed, $fail failed${failed:+ (${failed[*]})}"
[ $fail -eq 0 ]

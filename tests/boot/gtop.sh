#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# gtop end to end, in the booted kernel, with real vCPU threads: a VM
# bound to guest user mode (CPL3) and one bound to the guest kernel (CPL0).
# gtop -b -o json must see the first above 80% guest_user_pct and the
# second above 80% guest_system_pct, and --sort=guest_user rank them so.
# The JSON lines are also printed as "GTOP-JSON ..." for the host to
# validate (tests/run-boot-tests.sh).
. "$(dirname "$0")/lib.sh"

echo 1 >/proc/sys/kernel/collect_guest_utilization
"$GVMM" -q --name vm-user user >/dev/null 2>&1 &
U=$!
"$GVMM" -q --name vm-kernel kernel >/dev/null 2>&1 &
K=$!
sleep 2

# vm PID FIELD FILE: FIELD of VM PID in the last JSON line of FILE (its
# own figure, before its "vcpus" array)
vm() {
	tail -n 1 "$3" | sed 's/{"pid":/\n&/g' | awk -v pid="$1" -v f="$2" '
		index($0, "{\"pid\":" pid ",") == 1 {
			sub(/"vcpus":.*/, "")
			if (match($0, "\"" f "\":(null|-?[0-9.eE+-]+|\"[^\"]*\")")) {
				v = substr($0, RSTART, RLENGTH); sub(/^"[^"]*":/, "", v)
				gsub(/"/, "", v); print v
			}
		}'
}

gtop -b -o json -n 2 -d 2 >/tmp/gtop.json 2>/tmp/gtop.err
r=$?
check "[ $r -eq 0 ]" "gtop -b -o json -n 2 exits 0"
sed 's/^/# stderr: /' /tmp/gtop.err
check "[ \$(wc -l </tmp/gtop.json) -eq 2 ]" "one JSON line per iteration"
sed 's/^/GTOP-JSON /' /tmp/gtop.json
gu=$(vm $U guest_user_pct /tmp/gtop.json)
gs=$(vm $K guest_system_pct /tmp/gtop.json)
diag "vm-user guest_user_pct $gu (guest_system_pct $(vm $U guest_system_pct /tmp/gtop.json))"
diag "vm-kernel guest_system_pct $gs (guest_user_pct $(vm $K guest_user_pct /tmp/gtop.json))"
check "[ \"\$(vm $U name /tmp/gtop.json)\" = vm-user ]" "the VM's name comes from --name"
check "gt '$gu' 80" "the CPL3-bound VM: guest_user_pct > 80"
check "gt '$gs' 80" "the CPL0-bound VM: guest_system_pct > 80"
check "lt '$(vm $U guest_system_pct /tmp/gtop.json)' 10 && lt '$(vm $K guest_user_pct /tmp/gtop.json)' 10" \
	"and little of the other"

gtop -b -o json -n 2 -d 1 --sort=guest_user >/tmp/sorted.json 2>/dev/null
order=$(tail -n 1 /tmp/sorted.json | sed 's/{"pid":/\n&/g' |
	awk -F'[:,]' '/^\{"pid":/ { printf "%s ", $2 }')
diag "--sort=guest_user order: $order"
check "[ \"\$(echo $order | cut -d' ' -f1)\" = $U ] && [ \"\$(echo $order | cut -d' ' -f2)\" = $K ]" \
	"--sort=guest_user ranks the CPL3 VM first, the CPL0 VM second"

echo 0 >/proc/sys/kernel/collect_guest_utilization
gtop -b -n 1 >/tmp/gtop.txt 2>&1
sed 's/^/# /' /tmp/gtop.txt | head -20
check "grep -q -i 'collect_guest_utilization' /tmp/gtop.txt" \
	"with the sysctl at 0, gtop says so"
kill $U $K
finish

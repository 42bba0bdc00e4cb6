#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# nvhe.sh SCENARIO [ARGS]: a boot scenario with arm64 KVM in nVHE mode
# (booted with kvm-arm.mode=nvhe: the kernel leaves EL2 to KVM's nVHE
# hypervisor and runs at EL1; the split and exit timing read the guest's
# state from the vCPU context the nVHE world switch saved).  First KVM
# must say it runs nVHE, then SCENARIO (a tests/ script) runs as it is.
d=$(dirname "$0")
. "$d/lib.sh"
s=${1:?nvhe.sh: SCENARIO}
shift
m=$(dmesg | grep -o 'kvm \[[0-9]*\]: [A-Za-z ]*VHE mode initialized successfully' | head -n 1)
check "[ \"\${m#*: }\" = 'Hyp nVHE mode initialized successfully' ]" \
	"KVM runs in nVHE mode (${m:-no KVM init message in dmesg})"
grep -q 'kvm-arm.mode=nvhe' /proc/cmdline ||
	bail "not booted with kvm-arm.mode=nvhe: $(cat /proc/cmdline)"
run=/tmp/nvhe_$s.sh
sed -e '/^\. "\$(dirname "\$0")\/lib.sh"$/d' -e '/^\. "\$d\/lib.sh"$/d' \
	"$d/$s.sh" > "$run"
[ "$(wc -l < "$run")" = $(($(wc -l < "$d/$s.sh") - 1)) ] ||
	bail "$s.sh does not source lib.sh as nvhe.sh expects"
. "$run"

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Per-vCPU exit timing on arm64: tests/boot/exits.sh, run with arm64 KVM's
# names of the reasons its gvmm guest exits for: HVC64 (hvc, answered in
# the kernel, x86's cpuid), DABT_LOW (an MMIO store that goes out to the
# VMM, x86's port I/O) and WFx (wfi, x86's hlt); then the IRQ row (host
# interrupts, the asynchronous exits).
d=$(dirname "$0")
. "$d/lib.sh"
sed -e 's/^CPUID=cpuid IO=io$/CPUID=HVC64 IO=DABT_LOW/' \
    -e 's/^HLT=hlt$/HLT=WFx/' \
    -e '/^\. "\$(dirname "\$0")\/lib.sh"$/d' \
    -e '$ s/^finish$/: finished/' "$d/exits.sh" > /tmp/exits_arm64_run.sh
grep -q '^CPUID=HVC64 IO=DABT_LOW$' /tmp/exits_arm64_run.sh &&
	grep -q '^HLT=WFx$' /tmp/exits_arm64_run.sh &&
	grep -q '^: finished$' /tmp/exits_arm64_run.sh &&
	! grep -q 'lib.sh"$' /tmp/exits_arm64_run.sh ||
	bail "exits.sh no longer reads as exits_arm64.sh expects"
. /tmp/exits_arm64_run.sh

# A host interrupt exit (ARM_EXCEPTION_IRQ) is timed under its type's name.
echo 1 >/proc/sys/kernel/collect_guest_utilization
echo 1 >/proc/sys/kernel/collect_guest_exit_timing
gvmm_start kernel || bail "gvmm kernel starts"
sleep 2
F=$(ls -d /sys/kernel/debug/kvm/"$GVMM_PID"-*/vcpu0/exit_timing | head -n 1)
sed 's/^/# /' "$F"
n=$(awk '$1 == "IRQ" { print $2 }' "$F")
check "gt '${n:-0}' 20" "an EL1 loop is exited by host interrupts: the IRQ row counts them (${n:-0})"
gvmm_stop
echo 0 >/proc/sys/kernel/collect_guest_exit_timing
echo 0 >/proc/sys/kernel/collect_guest_utilization
finish

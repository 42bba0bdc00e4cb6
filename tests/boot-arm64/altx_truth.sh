#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What is the true EL0 share of an altx guest's guest time on arm64?  For
# alt:75, altx:75 and altx:75:400 (one vCPU alone, 10 s), side by side:
#   split   guest_user / (guest_user + guest_system) of the vCPU thread
#   gvmm    gvmm --sample: random signals, the EL where KVM_RUN returns
#   exits   exit timing's guest_time_ns and exit_time_ns (the VM's files)
# A signal that arrives while the host handles the guest's hvc makes
# KVM_RUN return before the next entry, with the guest at EL1 (just past
# its hvc): gvmm's share is of the vCPU's time in KVM_RUN, guest and host,
# and counts the host's time on hvc exits as EL1.  Without that time:
#   EL0 samples / (samples - samples * exit_ns / (guest_ns + exit_ns)),
#   the share of guest time (roughly: the exits other than hvc are IRQ
#   exits, whose time lands at either EL).
# Diagnostic: no check depends on the figures.
. "$(dirname "$0")/lib.sh"

SECS=${1:-10}
PIN=
[ "$(cat /sys/devices/system/cpu/nohz_full 2>/dev/null)" = 1 ] && PIN=@1
diag "cmdline: $(cat /proc/cmdline)"
echo 1 >/proc/sys/kernel/collect_guest_utilization
echo 1 >/proc/sys/kernel/collect_guest_exit_timing

# samples N: "SAMPLES EL0" of vCPU 0 as gvmm last printed them, after a
# new line has come
samples() {
	_n=$(grep -c '^vcpu 0 samples ' "$GVMM_OUT")
	_i=0
	while [ "$(grep -c '^vcpu 0 samples ' "$GVMM_OUT")" -le "$_n" ] &&
	      [ $_i -lt 30 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	awk '$1 == "vcpu" && $2 == 0 && $3 == "samples" { s = $4; c = $6 }
		END { print s + 0, c + 0 }' "$GVMM_OUT"
}

# xtimes: "GUEST_NS EXIT_NS EXITS HVC_EXITS" of the VM (its one vCPU), from
# KVM's debugfs files (arm64 has no vCPU directories there)
xtimes() {
	echo $(cat "$D/guest_time_ns" "$D/exit_time_ns" "$D/timed_exits" \
		"$D/hvc_exit_stat")
}

stat3() {
	tr '\n' ' ' <"/proc/$GVMM_PID/task/$1/stat" | sed 's/.*) //' |
		awk '{ print $12, $13, $41, $51, $52 }'
}

for spec in alt:75 altx:75 altx:75:400; do
	gvmm_start --sample 200 "$spec$PIN" || bail "gvmm $spec starts"
	tid=$(gvmm_tid 0)
	sleep 1
	D=$(ls -d /sys/kernel/debug/kvm/"$GVMM_PID"-* | head -n 1)
	r0=$(samples)
	t0=$(xtimes)
	s0=$(stat3 "$tid")
	sleep "$SECS"
	r1=$(samples)
	t1=$(xtimes)
	s1=$(stat3 "$tid")
	gvmm_stop
	# shellcheck disable=SC2086
	set -- $r0 $r1 $t0 $t1 $s0 $s1
	n=$(($3 - $1)) el0=$(($4 - $2))
	g=$((${9} - $5)) e=$((${10} - $6)) x=$((${11} - $7)) hc=$((${12} - $8))
	shift 12
	ut=$(($6 - $1)) st=$(($7 - $2)) gt=$(($8 - $3)) gu=$(($9 - $4)) gs=$((${10} - $5))
	split=$(calc "100 * $gu / ($gu + $gs + ($gu + $gs == 0))")
	ref=$(calc "100 * $el0 / ($n + ($n == 0))")
	frac=$(calc "$e / ($g + $e + ($g + $e == 0))")
	cor=$(calc "100 * $el0 / ($n - $n * $frac + ($n == 0))")
	diag "$spec: thread utime $ut stime $st ticks, guest $gt: guest_user $gu guest_system $gs: split $split% EL0"
	diag "$spec: exit timing: guest $((g / 1000000)) ms, $x exits ($hc hvc) $((e / 1000000)) ms: $(calc "100 * $frac")% of guest + exits"
	diag "$spec: gvmm: $n samples, $el0 at EL0: $ref% of time in KVM_RUN; without the exits' time: $cor% of guest time"
	ok "$spec measured"
done
echo 0 >/proc/sys/kernel/collect_guest_exit_timing
echo 0 >/proc/sys/kernel/collect_guest_utilization
finish

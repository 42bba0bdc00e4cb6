#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Cost of a cpuid exit round trip, for bench/exit-cost.sh:
#   bench-exit.sh off|split|on|trace [N1] [N2] [REPEAT]
# off: kernel.collect_guest_utilization=0 (or a kernel without it); split:
# 1 with kernel.collect_guest_exit_timing=0 (CPL sampling only); on: both 1;
# trace: the kvm_exit and kvm_entry tracepoints on (the way perf kvm stat
# and bcc tools time exits).  Booted with QEMU -icount shift=0,sleep=off,
# CLOCK_MONOTONIC counts guest instructions: the difference between a run
# of N2 and of N1 cpuid exits, over N2 - N1, is the instructions one exit
# round trip costs (the VMM's setup cancels out).
. "$(dirname "$0")/lib.sh"

MODE=${1:-off}
N1=${2:-2000}
N2=${3:-12000}
REP=${4:-3}
SYSCTL=/proc/sys/kernel/collect_guest_utilization

case "$MODE" in
off)	[ -f $SYSCTL ] && echo 0 >$SYSCTL ;;
split)	echo 1 >$SYSCTL || bail "no $SYSCTL: not a patched kernel"
	echo 0 >/proc/sys/kernel/collect_guest_exit_timing ||
		bail "no kernel.collect_guest_exit_timing" ;;
on)	echo 1 >$SYSCTL || bail "no $SYSCTL: not a patched kernel"
	echo 1 >/proc/sys/kernel/collect_guest_exit_timing ||
		bail "no kernel.collect_guest_exit_timing" ;;
trace)	[ -f $SYSCTL ] && echo 0 >$SYSCTL
	T=/sys/kernel/tracing
	[ -d $T/events/kvm ] || mount -t tracefs tracefs $T 2>/dev/null
	echo 1 >$T/events/kvm/kvm_exit/enable &&
		echo 1 >$T/events/kvm/kvm_entry/enable ||
		bail "cannot enable the kvm_exit/kvm_entry tracepoints" ;;
*)	bail "mode $MODE" ;;
esac

# run N: instructions (ns under icount) for N cpuid exits
run() {
	gvmm_start "exits:$1:0" || return 1
	gvmm_wait_line '^vcpu 0 time ns ' 600 || return 1
	awk '$1 == "vcpu" && $3 == "time" { print $5 }' "$GVMM_OUT"
	gvmm_stop
}

i=0
while [ $i -lt "$REP" ]; do
	a=$(run "$N1") && b=$(run "$N2") || bail "gvmm runs"
	per=$(awk -v a="$a" -v b="$b" -v n1="$N1" -v n2="$N2" \
		'BEGIN { printf "%.1f", (b - a) / (n2 - n1) }')
	echo "BENCH mode=$MODE kernel=$(uname -r) n1=$N1 t1=$a n2=$N2 t2=$b per_exit=$per"
	check "gt $per 0" "$MODE: $per instructions per cpuid exit round trip"
	i=$((i + 1))
done
finish

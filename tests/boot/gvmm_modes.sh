#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# gvmm self-test inside the test kernel: every vCPU mode and modifier
# behaves as documented (independent of the guest time split patches).
. "$(dirname "$0")/lib.sh"

DBG=/sys/kernel/debug/kvm

# kvm_stat NAME: a global KVM debugfs counter (empty if absent)
kvm_stat() {
	cat "$DBG/$1" 2>/dev/null
}

# --- exits:N:M counts, io and cpuid exit in-kernel counters
io0=$(kvm_stat io_exits)
gvmm_start -t 600 exits:1000:200 || bail "gvmm exits:1000:200 starts"
check "gvmm_wait_line '^vcpu 0 done cpuid 1000 io 200\$' 120" \
	"exits:1000:200 reports 1000 cpuid and 200 io"
io1=$(kvm_stat io_exits)
if [ -n "$io0" ]; then
	check "ge '$io1' '$((io0 + 200))'" "debugfs io_exits grew by >= 200 ($io0 -> $io1)"
fi
t0=$(gvmm_tid 0)
check "[ -d /proc/$GVMM_PID/task/$t0 ]" "finished exits vCPU thread stays alive"
gvmm_stop

# --- busy modes run without faulting
gvmm_start -t 600 alt:25 io cpuid idle || bail "gvmm alt io cpuid idle starts"
e0=$(kvm_stat exits)
sleep 2
e1=$(kvm_stat exits)
check "kill -0 $GVMM_PID" "alt, io, cpuid, idle vCPUs run for 2 s"
[ -n "$e0" ] && diag "debugfs exits $e0 -> $e1"
check "[ \"$(tid_stat "$GVMM_PID" "$(gvmm_tid 3)" 3)\" = S ]" \
	"idle vCPU without irqchip sleeps in userspace"
check "gt '$(tid_guest "$GVMM_PID" "$(gvmm_tid 0)")' 0" "alt vCPU accumulates guest time"
gvmm_stop
check "[ $? -eq 0 ]" "gvmm exits 0 on SIGTERM"

# --- idle with an in-kernel irqchip halts inside KVM_RUN
gvmm_start -t 600 --irqchip idle idle || bail "gvmm --irqchip idle idle starts"
sleep 1
for i in 0 1; do
	t=$(gvmm_tid $i)
	check "[ \"$(tid_stat "$GVMM_PID" "$t" 3)\" = S ]" "irqchip idle vCPU $i is blocked"
	check "le '$(tid_guest "$GVMM_PID" "$t")' 10" "irqchip idle vCPU $i has ~no guest time"
done
gvmm_stop

# --- +exit=S: the thread leaves, the process keeps its time
gvmm_start -t 600 user+exit=2 kernel || bail "gvmm user+exit=2 kernel starts"
t0=$(gvmm_tid 0)
t1=$(gvmm_tid 1)
sleep 1
g0=$(tid_guest "$GVMM_PID" "$t0")
check "gvmm_wait_line '^vcpu 0 exited\$' 60" "vCPU 0 thread reports its exit"
check "task_gone $GVMM_PID $t0" "exited vCPU thread is gone"
g1=$(tid_guest "$GVMM_PID" "$t1")
gp=$(pid_guest "$GVMM_PID")
diag "guest ticks: exited thread >= $g0 (at 1 s), live thread $g1, process $gp"
check "ge '$gp' '$((g0 + g1))'" "process guest_time keeps the exited thread's time"
gvmm_stop

# --- @CPU pins the thread
if [ "$(nproc)" -ge 2 ]; then
	gvmm_start -t 600 kernel@1 || bail "gvmm kernel@1 starts"
	aff=$(awk '/^Cpus_allowed_list/ { print $2 }' \
		"/proc/$GVMM_PID/task/$(gvmm_tid 0)/status")
	check "[ '$aff' = 1 ]" "kernel@1 pins the vCPU thread to CPU 1 ($aff)"
	gvmm_stop
else
	skip "@CPU pinning" "one CPU"
fi

# --- alt:P spends about P% at CPL3, altx as well, with a cpuid exit per
# cycle: gvmm's own sampling (--sample: signals at random times, the CPL
# where each stops the guest) must find the duty cycle; this does not
# depend on the kernel's guest time split.
for spec in alt:25 altx:25; do
	e0=$(kvm_stat exits)
	gvmm_start -t 600 --sample 200 "$spec" || bail "gvmm --sample 200 $spec starts"
	r0=$(gvmm_samples 0)
	sleep 5
	r1=$(gvmm_samples 0)
	e1=$(kvm_stat exits)
	gvmm_stop
	read -r n pct <<EOF2
$(sample_share "$r0" "$r1")
EOF2
	diag "$spec: $n samples, $pct% at CPL3; KVM exits $e0 -> $e1"
	check "gt $n 200" "$spec: gvmm --sample interrupts the guest ($n samples in 5 s)"
	check "approx $pct 25 0 6" "$spec: gvmm finds the guest at CPL3 ~25% of its time ($pct%)"
	eval "exits_${spec%%:*}=$((e1 - e0))"
done
check "gt $exits_altx $((exits_alt * 2))" \
	"altx:25 exits much more than alt:25 ($exits_altx vs $exits_alt KVM exits)"
check "gvmm --sample 0 user >/dev/null 2>&1; [ \$? -eq 2 ]" "gvmm --sample 0 is bad usage (exit 2)"

finish

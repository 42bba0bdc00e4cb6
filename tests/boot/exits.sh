#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Per-vCPU exit timing (issue 3), in the booted test kernel: a guest makes
# exactly N cpuid and M port-I/O exits; its vcpu0/exit_timing must show
# them, consistent with itself, with KVM's stats and with the thread's CPU
# time; nothing moves with the sysctl at 0; a write resets it; halted time
# is kept apart.
. "$(dirname "$0")/lib.sh"

N=${1:-3000}
M=${2:-700}
SYSCTL=/proc/sys/kernel/collect_guest_utilization
KVMDBG=/sys/kernel/debug/kvm

# et_file PID [VCPU]: the exit_timing file of a VM's vCPU
et_file() {
	ls -d "$KVMDBG/$1"-*/vcpu"${2:-0}"/exit_timing 2>/dev/null | head -n 1
}
# row FILE NAME: the fields of row NAME, or nothing
row() {
	awk -v n="$2" 'NR > 1 && $1 == n { print; exit }' "$1"
}
# col FILE NAME COLUMN: column COLUMN (a name of the header line: count,
# min_ns, max_ns, total_ns, avg_ns, user_exits, open_ns) of row NAME; 0 if
# the row is absent (parsers find columns by name: exit-timing.rst)
col() {
	awk -v n="$2" -v c="$3" 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next }
		$1 == n && k[c] { v = $(k[c]) } END { print v + 0 }' "$1"
}
# rows FILE COND: the names of the rows for which COND holds, an awk
# expression on the columns by name (c["count"], c["min_ns"], ...)
rows() {
	awk 'NR == 1 { for (i = 1; i <= NF; i++) k[i] = $i; next }
		{ for (i = 2; i <= NF; i++) c[k[i]] = $i; if ('"$2"') print $1 }' "$1"
}

# Exit timing has a switch of its own, off by default.
ET=/proc/sys/kernel/collect_guest_exit_timing
check "[ \"\$(cat $ET)\" = 0 ]" "kernel.collect_guest_exit_timing defaults to 0"
check "! echo 2 >$ET 2>/dev/null && [ \"\$(cat $ET)\" = 0 ]" "it refuses 2"
echo 1 >$ET
echo 1 >$SYSCTL
gvmm_start "exits:$N:$M" || bail "gvmm starts"
P=$GVMM_PID
T=$(gvmm_tid 0)
check "gvmm_wait_line '^vcpu 0 done cpuid $N io $M\$' 120" \
	"the guest made $N cpuid and $M I/O exits"
sleep 0.5
F=$(et_file "$P")
check "[ -n '$F' ] && [ -r '$F' ]" "vcpu0/exit_timing exists"
cp "$F" /tmp/et.txt
sed 's/^/# /' /tmp/et.txt

hdr="reason count min_ns max_ns total_ns avg_ns user_exits open_ns"
check "[ \"\$(head -n 1 /tmp/et.txt | tr -s ' ')\" = '$hdr' ]" "header line"
# The vendor names the reasons: cpuid/io on SVM, CPUID/IO_INSTRUCTION on VMX.
CPUID=cpuid IO=io
grep -q '^CPUID ' /tmp/et.txt && { CPUID=CPUID; IO=IO_INSTRUCTION; }
nc=$(col /tmp/et.txt $CPUID count)
ni=$(col /tmp/et.txt $IO count)
check "ge $nc $N && le $nc $((N + 10))" "$CPUID row: count $nc ~ $N"
# The completion report is an I/O exit too, still open: the VMM stopped.
check "ge $ni $M && le $ni $((M + 2))" "$IO row: count $ni ~ $M"
open=$(col /tmp/et.txt $IO open_ns)
diag "the completion report's I/O exit, in progress: $open ns"
check "gt $open 400000000 && [ $(rows /tmp/et.txt 'c["open_ns"] > 0' | wc -l) = 1 ]" \
	"the exit the VMM sits on shows in progress (open_ns), in its row only"
check "[ $(col /tmp/et.txt $IO user_exits) = $ni ]" "every I/O exit is marked as completed in userspace"
check "[ $(col /tmp/et.txt $CPUID user_exits) = 0 ]" "no cpuid exit went to userspace"

bad=$(rows /tmp/et.txt 'c["count"] > 0 && !(c["min_ns"] <= c["avg_ns"] &&
	c["avg_ns"] <= c["max_ns"] && c["total_ns"] >= c["count"] * c["min_ns"] &&
	c["total_ns"] <= c["count"] * c["max_ns"] && c["user_exits"] <= c["count"])')
check "[ -z '$bad' ]" "every row: min <= avg <= max, min*count <= total <= max*count"
bad=$(rows /tmp/et.txt 'c["count"] == 0 && (c["total_ns"] > 0 || c["min_ns"] > 0 || c["max_ns"] > 0)')
check "[ -z '$bad' ]" "no row with count 0 and time > 0"
avg_c=$(col /tmp/et.txt $CPUID avg_ns)
avg_i=$(col /tmp/et.txt $IO avg_ns)
diag "avg exit: $CPUID $avg_c ns, $IO $avg_i ns (with the VMM)"
check "gt $avg_i $avg_c" "an I/O exit through the VMM costs more than an in-kernel cpuid"
check "[ -n \"\$(row /tmp/et.txt '<guest>')\" ] && [ -n \"\$(row /tmp/et.txt '<halted>')\" ]" \
	"<guest> and <halted> rows"

# KVM's binary stats (seen through the VM's debugfs stat files) agree.
D=$(dirname "$(dirname "$F")")
exits=$(rows /tmp/et.txt '$1 !~ /^</' | while read -r n; do col /tmp/et.txt "$n" count; done | awk '{ s += $1 } END { print s + 0 }')
ens=$(rows /tmp/et.txt '$1 !~ /^</' | while read -r n; do col /tmp/et.txt "$n" total_ns; done | awk '{ s += $1 } END { print s + 0 }')
check "[ \"\$(cat $D/timed_exits)\" = $exits ]" "stat timed_exits = the rows' counts ($exits)"
# The exit in progress goes on growing between the two reads.
check "ge \$(cat $D/exit_time_ns) $ens && le \$(cat $D/exit_time_ns) $((ens + 5000000000))" \
	"stat exit_time_ns = the rows' totals (and the exit in progress since)"
check "[ \"\$(cat $D/guest_time_ns)\" = $(col /tmp/et.txt '<guest>' total_ns) ]" \
	"stat guest_time_ns = the <guest> row"

# Exit + guest time is the vCPU thread's CPU time (nothing else ran it),
# but for the exit in progress: the thread sleeps in it.
cpu_ns=$(( ($(tid_utime "$P" "$T") + $(tid_stime "$P" "$T")) * 10000000 ))
run_ns=$((ens - open + $(col /tmp/et.txt '<guest>' total_ns)))
diag "vCPU thread CPU time $cpu_ns ns, exit + guest time $run_ns ns"
check "approx $run_ns $cpu_ns 30 50000000" "exit + guest time ~ the thread's CPU time"
gvmm_stop

# --- off, on, reset ------------------------------------------------------
gvmm_start cpuid || bail "gvmm cpuid starts"
P=$GVMM_PID
sleep 1
F=$(et_file "$P")
c1=$(col "$F" $CPUID count)
echo 0 >$SYSCTL
sleep 0.2
c2=$(col "$F" $CPUID count)
g2=$(col "$F" '<guest>' total_ns)
sleep 1
c3=$(col "$F" $CPUID count)
g3=$(col "$F" '<guest>' total_ns)
diag "cpuid exits: $c1 (on), $c2 -> $c3 (off)"
check "gt $c1 0" "a cpuid loop is timed"
check "[ $c2 = $c3 ] && [ $g2 = $g3 ]" "sysctl 0: nothing moves"
echo 1 >$SYSCTL
sleep 0.5
c4=$(col "$F" $CPUID count)
check "gt $c4 $c3" "sysctl 1 again: counting resumes"
check "lt $(col "$F" '<guest>' max_ns) 1000000000" \
	"the time collection was off is not taken for guest time"
# Exit timing off, the split on: the split goes on.
check "! echo 2 >$ET 2>/dev/null && [ \"\$(cat $ET)\" = 1 ]" "it refuses 2 when 1, too"
echo 0 >$ET
sleep 0.2
c6=$(col "$F" $CPUID count)
s6=$(stat_field /proc/$P/stat 54)
sleep 1
c7=$(col "$F" $CPUID count)
s7=$(stat_field /proc/$P/stat 54)
diag "exit timing 0, split 1: cpuid exits $c6 -> $c7, guest_system $s6 -> $s7"
check "[ $c6 = $c7 ] && gt $s7 $s6" "collect_guest_exit_timing 0: exit timing stops, the split goes on"
echo 1 >$ET
sleep 0.5
c4=$(col "$F" $CPUID count)
check "gt $c4 $c7" "and resumes at 1"
echo 1 >"$F"
c5=$(col "$F" $CPUID count)
check "lt $c5 $c4" "a write resets it (count $c4 -> $c5)"
sleep 0.5
check "gt $(col "$F" $CPUID count) $c5" "and it counts again after the reset"
su -s /bin/sh nobody -c "echo 1 > $F" 2>/dev/null
check "[ $? -ne 0 ]" "non-root cannot reset it"
gvmm_stop

echo 0 >$SYSCTL
gvmm_start cpuid || bail "gvmm cpuid starts"
sleep 1
F=$(et_file "$GVMM_PID")
check "[ \$(awk 'NR > 1 { s += \$2 } END { print s + 0 }' $F) = 0 ]" \
	"sysctl 0 from the start: an empty table"
# The vCPU never leaves KVM_RUN: timing starts all the same.
echo 1 >$SYSCTL
sleep 1
c8=$(col "$F" $CPUID count)
diag "cpuid exits timed once on, the vCPU inside KVM_RUN all along: $c8"
check "gt $c8 0" "a vCPU already inside KVM_RUN is timed from when collection is on"
echo 0 >$SYSCTL
gvmm_stop

# --- halted time ----------------------------------------------------------
echo 1 >$SYSCTL
gvmm_start --irqchip idle || bail "gvmm --irqchip idle starts"
P=$GVMM_PID
sleep 1.5
# A halt in progress counts up to the time of reading.
F=$(et_file "$P")
ht0=$(col "$F" '<halted>' total_ns)
diag "<halted> while the vCPU is still halted: $ht0 ns"
check "gt $ht0 1000000000" "a halt in progress shows in <halted> (${ht0} ns)"
# SIGSTOP ends the halt (the thread leaves KVM_RUN); SIGCONT halts again.
# (The time stopped counts as the HLT exit's, handed to userspace.)
kill -STOP "$P"
sleep 0.05
kill -CONT "$P"
sleep 0.5
F=$(et_file "$P")
sed 's/^/# /' "$F"
hn=$(col "$F" '<halted>' count)
ht=$(col "$F" '<halted>' total_ns)
HLT=hlt
grep -q '^HLT ' "$F" && HLT=HLT
check "ge $hn 1 && gt $ht 1000000000" "<halted> has the 1.5 s the guest was halted"
# The HLT exit itself stays open while the vCPU stays halted.
check "lt $(col "$F" $HLT total_ns) $((ht / 5))" "the halt is not counted as exit time"
gvmm_stop
echo 0 >$SYSCTL
finish

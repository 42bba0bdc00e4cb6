#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Existing /proc consumers keep working on the patched kernel: procps
# (top, ps, vmstat) and sysstat (mpstat, pidstat) run and still report
# guest time, with the new /proc/stat columns and /proc/PID/stat fields.
. "$(dirname "$0")/lib.sh"

echo 1 >/proc/sys/kernel/collect_guest_utilization
gvmm_start user kernel || bail "gvmm starts"
P=$GVMM_PID
T0=$(gvmm_tid 0)
sleep 2

# run NAME CMD...: the command exits 0 within 60 s; output in /tmp/NAME.out
run() {
	_n=$1; shift
	timeout 60 "$@" >/tmp/$_n.out 2>&1
	_r=$?
	check "[ $_r -eq 0 ]" "$* exits 0"
	[ $_r -eq 0 ] || sed 's/^/#   /' /tmp/$_n.out | head -20
}

run top /usr/bin/top -b -n 1
us=$(awk '/^%Cpu/ { for (i = 1; i < NF; i++) if ($(i + 1) ~ /^us/) { print $i; exit } }' /tmp/top.out)
diag "top: $(grep '^%Cpu' /tmp/top.out)"
check "gt '$us' 30 && le '$us' 100" "top: %Cpu us (which includes guest) is 30..100"
check "grep -q gvmm /tmp/top.out" "top lists the VM process"

run ps /usr/bin/ps -eLo pid,tid,comm,time
check "grep -q 'CPU 0/KVM' /tmp/ps.out" "ps lists the vCPU threads"

run vmstat /usr/bin/vmstat 1 2
# procps 4.0.2 vmstat takes guest time out of us and shows it in no
# column (4.0.3 adds gu): the CPUs are busy with guests, so us + sy + id
# + wa + st stays well under 100, and id is low.  A vmstat that misread
# the new trailing columns would show them as idle, or more than 100.
set -- $(awk 'NR == 2 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	NR > 2 { s = $col["us"] + $col["sy"] + $col["id"] + $col["wa"] + $col["st"]
		 id = $col["id"] } END { print s, id }' /tmp/vmstat.out)
diag "vmstat: $(tail -n 1 /tmp/vmstat.out); us+sy+id+wa+st $1, id $2"
check "le '$1' 101 && lt '$2' 50" "vmstat: us+sy+id+wa+st <= 100, id < 50 (guests keep the CPUs busy)"

run mpstat /usr/bin/mpstat -P ALL 1 1
g=$(awk '/%guest/ { for (i = 1; i <= NF; i++) if ($i == "%guest") c = i; next }
	c && $0 ~ /^Average/ && $2 == "all" { print $c; exit }' /tmp/mpstat.out)
diag "mpstat: all %guest $g"
check "gt '$g' 30 && le '$g' 100" "mpstat: %guest of all CPUs is 30..100"

run pidstat /usr/bin/pidstat -t -p "$P" 1 1
g=$(awk -v t="$T0" '/%guest/ { for (i = 1; i <= NF; i++) if ($i == "%guest") c = i; next }
	c && $0 ~ /^Average/ && $0 ~ ("[ ]" t "[ ]") { print $(c - 0); exit }' /tmp/pidstat.out)
diag "pidstat: vCPU 0 thread %guest $g"
check "gt '$g' 10 && le '$g' 100" "pidstat: the vCPU thread's %guest is 10..100"

gvmm_stop
finish

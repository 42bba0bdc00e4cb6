#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Harness smoke test: the booted kernel runs, /proc works, KVM works
# nested, and gvmm's vCPU threads accumulate guest time.
. "$(dirname "$0")/lib.sh"

SECS=${1:-2}

diag "kernel $(uname -r)"
check "[ -n \"$(uname -r)\" ]" "uname works"
check "[ -r /proc/stat ] && [ -r /proc/self/stat ]" "/proc is mounted"
check "[ -d /sys/kernel/debug/kvm ]" "debugfs with kvm is mounted"
check "[ -c /dev/kvm ]" "/dev/kvm exists"
dmesg | grep -i -E 'kvm|svm' | sed 's/^/# dmesg: /'
diag "/proc/stat cpu: $(grep '^cpu ' /proc/stat)"

# lib.sh self-test: comm with spaces and ')'
printf '12 (a) b) (c) R 1 2 3\n' >/tmp/fake_stat
check "[ \"$(stat_field /tmp/fake_stat 3)\" = R ]" "stat_field splits after the last ')'"
check "[ \"$(stat_field /tmp/fake_stat 2)\" = 'a) b) (c' ]" "stat_field returns comm"

gvmm_start -t 600 user kernel exits:100:20 ||
	bail "gvmm starts"
ok "gvmm starts (pid $GVMM_PID, tids $GVMM_TIDS)"
t0=$(gvmm_tid 0)
t1=$(gvmm_tid 1)
check "[ \"$(cat "/proc/$GVMM_PID/task/$t0/comm")\" = 'CPU 0/KVM' ]" "vCPU thread named 'CPU 0/KVM'"
check "gvmm_wait_line '^vcpu 2 done cpuid 100 io 20\$' 60" "exits:100:20 reports its counts"

g0=$(tid_guest "$GVMM_PID" "$t0")
g1=$(tid_guest "$GVMM_PID" "$t1")
sleep "$SECS"
g0b=$(tid_guest "$GVMM_PID" "$t0")
g1b=$(tid_guest "$GVMM_PID" "$t1")
diag "guest_time ticks: user vcpu $g0 -> $g0b, kernel vcpu $g1 -> $g1b"
check "gt '$g0b' '$g0'" "guest_time of the user vCPU thread grows"
check "gt '$g1b' '$g1'" "guest_time of the kernel vCPU thread grows"
check "gt '$(pid_guest "$GVMM_PID")' 0" "process guest_time is non-zero"

gvmm_stop
check "[ $? -eq 0 ]" "gvmm exits 0 on SIGTERM"
finish

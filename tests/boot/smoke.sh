#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Harness smoke test: the booted kernel runs, /proc works, KVM works
# nested, and gvmm's vCPU threads accumulate guest time.  On the test
# kernel (KVM as modules, jump labels): /init loaded kvm and the vendor
# module of the CPU, the other vendor module refused cleanly; both
# sysctls flipped many times while a VM runs, with kvm and kvm-amd each
# patched in turn, and again after kvm-amd was reloaded with the keys on,
# leave sane exit timing rows (issue 8).
#
#   smoke.sh [SECS [FLIPS]]   (2 s of guest time, 400 sysctl writes)
. "$(dirname "$0")/lib.sh"

SECS=${1:-2}
FLIPS=${2:-400}
GU=/proc/sys/kernel/collect_guest_utilization
ET=/proc/sys/kernel/collect_guest_exit_timing
KVMDBG=/sys/kernel/debug/kvm

diag "kernel $(uname -r)"
check "[ -n \"$(uname -r)\" ]" "uname works"
check "[ -r /proc/stat ] && [ -r /proc/self/stat ]" "/proc is mounted"
check "[ -d /sys/kernel/debug/kvm ]" "debugfs with kvm is mounted"
check "[ -c /dev/kvm ]" "/dev/kvm exists"
dmesg | grep -i -E 'kvm|svm|vmx' | sed 's/^/# dmesg: /'

# --- KVM as modules, loaded by /init ------------------------------------
# oopses: dmesg lines of a kernel splat (none may appear)
oopses() {
	dmesg | grep -E 'BUG:|Oops|WARNING:|Call Trace|general protection' || true
}
# modloaded NAME: NAME is in /proc/modules, live
modloaded() {
	awk -v n="$1" '$1 == n && $5 == "Live" { f = 1 } END { exit !f }' /proc/modules
}
MODLOG=/run/gtest-modules.log
VENDOR= OTHER= OTHER_CPU=
grep -qw svm /proc/cpuinfo && { VENDOR=kvm_amd OTHER=kvm_intel OTHER_CPU=VMX; }
grep -qw vmx /proc/cpuinfo && { VENDOR=kvm_intel OTHER=kvm_amd OTHER_CPU=SVM; }
MODULES=0
if [ -d /sys/module/kvm ] && ! grep -q '^kvm ' /proc/modules; then
	skip "KVM modules loaded by /init" "KVM is built into this kernel"
elif ! grep -q '/kvm\.ko' /etc/gtest-modules 2>/dev/null; then
	not_ok "KVM modules loaded by /init: the initramfs has none (mkinitramfs.sh --kvm-modules)"
else
	MODULES=1
	sed 's/^/# modules: /' $MODLOG
	check "[ -n '$VENDOR' ]" "the CPU has SVM or VMX"
	check "grep -qx 'kvm loaded' $MODLOG && modloaded kvm" "/init loaded kvm.ko"
	check "grep -qx '$VENDOR loaded' $MODLOG && modloaded $VENDOR" \
		"/init loaded the CPU's vendor module, $VENDOR"
	check "awk '\$1 == \"kvm\" && \$4 ~ /$VENDOR/' /proc/modules | grep -q ." \
		"kvm is used by $VENDOR"
	# kvm-intel on an SVM CPU: insmod fails, KVM says why, nothing breaks.
	err=$(sed -n "s/^$OTHER refused: //p" $MODLOG)
	diag "$OTHER: insmod said '$err'; dmesg: $(dmesg | grep "$OTHER" | tail -n 1)"
	check "[ -n \"\$err\" ] && ! modloaded $OTHER" "$OTHER refuses to load"
	check "dmesg | grep -q '$OTHER: $OTHER_CPU not supported'" \
		"$OTHER says why: '$OTHER_CPU not supported'"
	# A second try, with the vendor module in place: refused the same way.
	check "! insmod /lib/modules/$(echo $OTHER | tr _ -).ko 2>/dev/null && ! modloaded $OTHER" \
		"$OTHER refuses again with $VENDOR loaded"
	check "[ -z \"\$(oopses)\" ]" "no oops, BUG or WARNING in dmesg after the module loads"
fi
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

# --- flipping both sysctls while a VM runs --------------------------------
# uptime_ns: CLOCK_BOOTTIME, to 10 ms
uptime_ns() {
	awk '{ printf "%.0f\n", $1 * 1e9 }' /proc/uptime
}
# flip N: N writes of 0 or 1 to one of the two sysctls, in a random order;
# a short pause every 8 writes lets the vCPUs exit and enter in each state.
flip() {
	awk -v n="$1" -v seed="$(uptime_ns)" 'BEGIN {
		srand(seed % 1000003)
		for (i = 1; i <= n; i++) {
			print (rand() < 0.5 ? "GU" : "ET"), (rand() < 0.5 ? 0 : 1)
			if (i % 8 == 0) print "sleep"
		}
	}' >/tmp/flips
	while read -r f v; do
		case "$f" in
		GU)	echo "$v" >$GU ;;
		ET)	echo "$v" >$ET ;;
		sleep)	sleep 0.02 ;;
		esac
	done </tmp/flips
}
# sane_tables PID T0 WHAT: the exit timing tables of every vCPU of VM PID
# and its binary stats, read now, against the wall time since T0 (uptime
# ns, taken before the VM started): no value near 2^64, no row (total,
# max, open), and no vCPU's exit + guest + halted time, longer than that
# (10% + 0.5 s slack for the TSC's conversion to ns under TCG).
sane_tables() {
	_t1=$(uptime_ns)
	_wall=$((_t1 - $2))
	_lim=$(calc "$_wall * 1.1 + 500000000")
	_n=0
	: >/tmp/sane.txt
	for _f in "$KVMDBG/$1"-*/vcpu*/exit_timing; do
		[ -r "$_f" ] || continue
		_n=$((_n + 1))
		echo "== $_f" >>/tmp/sane.txt
		cat "$_f" >>/tmp/sane.txt
	done
	_d=$(ls -d "$KVMDBG/$1"-* 2>/dev/null | head -n 1)
	for _s in timed_exits exit_time_ns guest_time_ns halted_time_ns; do
		echo "stat $_s $(cat "$_d/$_s" 2>/dev/null)" >>/tmp/sane.txt
	done
	sed 's/^/#   /' /tmp/sane.txt
	diag "$3: wall $_wall ns since the VM started, $_n vCPU tables"
	check "[ $_n -ge 1 ]" "$3: the VM's exit_timing tables are there"
	_bad=$(awk -v lim="$_lim" '
		/^== / { v = $2; next }
		$1 == "stat" { next }
		$1 == "reason" { next }
		{
			for (i = 2; i <= NF; i++)
				if ($i !~ /^[0-9]+$/ || $i + 0 >= 1e18)
					print v, $1, "field", i, $i
			if ($4 > lim || $5 > lim || $9 > lim)
				print v, $1, "max/total/open", $4, $5, $9, "> wall", lim
			sum[v] += $5
		}
		END { for (v in sum) if (sum[v] > lim)
			print v, "exit + guest + halted", sum[v], "> wall", lim }' /tmp/sane.txt)
	[ -z "$_bad" ] || echo "$_bad" | sed 's/^/# BAD: /'
	check "[ -z \"\$_bad\" ]" "$3: no exit timing value near 2^64, no row and no vCPU's sum above the wall time"
	_bad=$(awk -v lim="$_lim" -v n="$_n" '$1 == "stat" && $2 != "timed_exits" &&
		!($3 ~ /^[0-9]+$/ && $3 <= lim * n) { print $2, $3 }' /tmp/sane.txt)
	check "[ -z \"\$_bad\" ]" "$3: binary stats exit_time_ns, guest_time_ns, halted_time_ns within vCPUs x wall time $_bad"
}

t0=$(uptime_ns)
echo 1 >$GU
echo 1 >$ET
gvmm_start -t 600 --irqchip cpuid io alt:50 idle || bail "gvmm starts for the flips"
sleep 1
f0=$(uptime_ns)
flip "$FLIPS"
f1=$(uptime_ns)
diag "$FLIPS sysctl writes in $(calc "($f1 - $f0) / 1e9") s while 4 vCPUs ran"
echo 1 >$GU
echo 1 >$ET
sleep 1
sane_tables "$GVMM_PID" "$t0" "flips with kvm, $VENDOR loaded"
check "[ -z \"\$(oopses)\" ]" "no oops, BUG or WARNING in dmesg after the flips"
gvmm_stop

if [ $MODULES = 1 ] && [ -n "$VENDOR" ]; then
	# Unload kvm and the vendor module, turn both switches on while they
	# are out, and load them again: their static branches are patched to
	# the keys' state as each module comes in, one after the other.
	# (The VM's last reference to the module may go a moment after gvmm.)
	i=0
	until rmmod $VENDOR 2>/dev/null || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
	check "! modloaded $VENDOR && rmmod kvm && ! modloaded kvm" "rmmod $VENDOR and kvm"
	flip 40
	echo 1 >$GU
	echo 1 >$ET
	VKO=/lib/modules/$(echo $VENDOR | tr _ -).ko
	check "insmod /lib/modules/kvm.ko && insmod $VKO && modloaded $VENDOR && [ -c /dev/kvm ]" \
		"insmod kvm and $VENDOR again, both switches on"
	t0=$(uptime_ns)
	gvmm_start -t 600 --irqchip cpuid io alt:50 idle || bail "gvmm starts after the reload"
	sleep 1
	flip $((FLIPS / 2))
	echo 1 >$GU
	echo 1 >$ET
	sleep 1
	sane_tables "$GVMM_PID" "$t0" "flips after reloading $VENDOR"
	gvmm_stop
	check "[ -z \"\$(oopses)\" ]" "no oops, BUG or WARNING in dmesg after the reload"
fi
echo 0 >$ET
echo 0 >$GU
oopses | sed 's/^/# dmesg: /'
finish

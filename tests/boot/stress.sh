#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Debug-kernel soak (issue 8, item 3; make check-stress): booted on the
# debug kernel (config/debug-kernel.config: lockdep with PROVE_RCU, KASAN,
# UBSAN, DEBUG_ATOMIC_SLEEP, kmemleak, ...), with KVM as modules.  While
# VMs run (a 4-vCPU gvmm VM with an in-kernel irqchip: user, kernel,
# alt:50, idle; short-lived gvmm VMs created and destroyed one after the
# other, whose vCPU threads exit early; a real 32-bit Linux guest under
# Debian's QEMU/KVM, booted again when it dies), gstress
# (tests/stress/gstress.c) flips both sysctls FLIPS times each in random
# order, resets exit timing tables, and reads /proc/stat, every
# /proc/PID/stat and /proc/PID/task/TID/stat, every vCPU's exit_timing and
# the binary stats of every vCPU and VM, checking what it reads (see
# gstress.c: nothing goes back, the split adds up while it stays on, no
# time above the wall time).  Then: no splat in dmesg, lockdep still on,
# kmemleak finds nothing of KVM or the split.
#
#   stress.sh [FLIPS [KEY=VALUE...]]
#   FLIPS       changes of each sysctl (default 500; the issue's figure
#               is 10000: tests/README.md, "The debug-kernel soak")
#   qemu=0      1: also run the real QEMU guest; off by default: under
#               the debug kernel it did not reach its first report in
#               240 s in 6 boots of one soak (tests/README.md)
#   qboot=240   seconds the QEMU guest may take to its first report
#   maxt=SECS   stop flipping after SECS even if not done (a failure)
#   min=SECS    run the soak at least SECS
#   seed=N      gstress's random seed
. "$(dirname "$0")/lib.sh"

FLIPS=${1:-500}
[ $# -gt 0 ] && shift
qemu=0 qboot=240 maxt=5400 min=0 seed=
for a in "$@"; do
	case "$a" in
	qemu=*|qboot=*|maxt=*|min=*|seed=*) eval "${a%%=*}=\${a#*=}" ;;
	*) bail "stress: unknown argument '$a'" ;;
	esac
done
W=/tmp/stress
rm -rf $W
mkdir -p $W
STOP=$W/stop
QEMU=/usr/bin/qemu-system-x86_64
GSTRESS=${GSTRESS:-gstress}

now() {
	read -r _up _ </proc/uptime
	echo "${_up%.*}"
}
T0=$(now)

diag "kernel $(uname -r) $(uname -v); cmdline: $(cat /proc/cmdline)"
diag "soak: $FLIPS flips of each sysctl, qemu=$qemu, maxt=$maxt, min=$min"

# --- the debug kernel: the checkers are there ---------------------------
check "[ -r /proc/lockdep_stats ]" "lockdep is built in (PROVE_LOCKING)"
check "grep -q 'debug_locks: *1' /proc/lockdep_stats" "lockdep is on at the start (debug_locks 1)"
check "dmesg | grep -q 'KernelAddressSanitizer initialized'" "KASAN is on"
check "[ -e /sys/kernel/debug/kmemleak ]" "kmemleak is on"
check "[ -c /dev/kvm ] && grep -q '^kvm_amd ' /proc/modules" "kvm and kvm_amd loaded as modules by /init"
command -v "$GSTRESS" >/dev/null || bail "no gstress in the initramfs"

# splats: dmesg lines that a checker or the kernel print on a bug
SPLAT='BUG:|WARNING:|Oops|KASAN|UBSAN|sleeping function called from invalid context|possible circular locking|possible recursive locking|inconsistent lock state|inconsistent .* usage|suspicious RCU usage|lock held when returning|bad unlock balance|Call Trace|general protection|list_add corruption|list_del corruption|ODEBUG|refcount_t:|self-detected stall|rcu_.* detected stalls|blocked for more than|DEBUG_LOCKS_WARN_ON|lockdep is turned off|Kernel panic|unreferenced object'
splats() {
	dmesg | grep -E "$SPLAT" || true
}
B0=$(splats | wc -l)
check "[ $B0 -eq 0 ]" "no splat in dmesg after the boot"
[ "$B0" -eq 0 ] || splats | head -n 20 | sed 's/^/# boot: /'

# --- workloads ------------------------------------------------------------
# VM A: 4 vCPUs for the whole soak, in-kernel irqchip (the idle vCPU stays
# halted inside KVM_RUN).
gvmm_start --name stress-a -t 100000 --stats --irqchip user kernel alt:50 idle ||
	bail "gvmm starts (VM A)"
APID=$GVMM_PID
AOUT=$GVMM_OUT
diag "VM A: pid $APID, vCPU threads $GVMM_TIDS"

# Churn: VMs created and destroyed one after the other, 3 s each, whose
# vCPU threads exit early (+exit=S) or stop after a number of exits.
churn() {
	_n=0 _bad=0
	while [ ! -e $STOP ]; do
		if gvmm -q --name stress-churn -t 3 --stats --irqchip altx:30+exit=1 \
			exits:300:30 io+exit=2 cpuid >>$W/churn.out 2>&1; then
			_n=$((_n + 1))
		else
			_bad=$((_bad + 1))
		fi
		echo "$_n $_bad" >$W/churn.count
	done
}
churn &
CHURN=$!

# The real guest: Debian's QEMU with KVM, the 32-bit Linux guest
# (make realguest-initramfs builds it), workloads half and sysexit in
# turn, booted again whenever it dies (QEMU 7.2's TCG kills or freezes
# nested guests now and then: tests/README.md, "Dying guests").  A guest
# is dead when QEMU exits, its console shows an oops or panic, or it has
# not reported for 30 s (qboot s before its first report).  Counts in
# $W/qemu.count: boots, deaths, reports.
serial_scan() {
	tr -d '\r' <"$1" 2>/dev/null | awk '
	$1 == "GSTAT" && $2 ~ /^[0-9]+$/ { last = $2 }
	$1 == "GBEAT" && $2 ~ /^[0-9]+$/ && NF == 2 { last = $2 }
	/Kernel panic|BUG:|Oops|general protection fault|double fault|Fatal exception|stack guard page/ { p = 1 }
	BEGIN { last = -1 }
	END { print last, p + 0 }'
}
qemu_loop() {
	_boots=0 _deaths=0 _reports=0 _qp=
	while [ ! -e $STOP ]; do
		_boots=$((_boots + 1))
		case $((_boots % 2)) in
		1) _w=half ;;
		0) _w=sysexit ;;
		esac
		_ser=$W/serial.$_boots
		: >"$_ser"
		$QEMU -name "stress-guest,debug-threads=on" -machine pc,accel=kvm \
			-cpu qemu64,kvm-pv-eoi=off -smp 1 -m 160 -nodefaults \
			-display none -vga none -no-reboot \
			-bios /usr/share/qemu/qboot.rom -serial "file:$_ser" -serial null \
			-kernel /guest/bzImage32 -initrd /guest/initrd32.cpio.gz \
			-append "console=ttyS0 panic=-1 quiet gw=$_w gn=2000 gmax=100000 gfull=0:1 tsc=reliable" \
			</dev/null >$W/qemu.out.$_boots 2>&1 &
		_qp=$!
		_last=-1 _tl=$(now) _why=
		while [ ! -e $STOP ]; do
			sleep 1
			if ! kill -0 $_qp 2>/dev/null; then
				_why="QEMU exited: $(tail -n 2 $W/qemu.out.$_boots | tr '\n' ' ')"
				break
			fi
			set -- $(serial_scan "$_ser")
			if [ "$2" = 1 ]; then
				_why="the guest oopsed or panicked"
				break
			fi
			if [ "$1" -gt "$_last" ]; then
				_last=$1 _tl=$(now)
			elif [ $(($(now) - _tl)) -ge $([ "$_last" -lt 0 ] && echo "$qboot" || echo 30) ]; then
				_why="no report for $(($(now) - _tl)) s (last $_last)"
				break
			fi
		done
		kill -9 $_qp 2>/dev/null
		wait $_qp 2>/dev/null
		_reports=$((_reports + _last + 1))
		if [ -n "$_why" ]; then
			_deaths=$((_deaths + 1))
			echo "boot $_boots ($_w): died after $((_last + 1)) reports: $_why" >>$W/qemu.log
			tr -d '\r' <"$_ser" | grep -E 'BUG:|Oops|panic|RIP' | head -n 3 |
				sed 's/^/    /' >>$W/qemu.log
		else
			echo "boot $_boots ($_w): stopped after $((_last + 1)) reports" >>$W/qemu.log
		fi
		echo "$_boots $_deaths $_reports" >$W/qemu.count
	done
}
if [ "$qemu" = 1 ]; then
	[ -x $QEMU ] && [ -f /guest/bzImage32 ] && [ -f /guest/initrd32.cpio.gz ] ||
		bail "no QEMU or no 32-bit guest in the initramfs (make realguest-initramfs)"
	qemu_loop &
	QLOOP=$!
	# the soak starts once the guest is up (or after qboot s without it;
	# by the clock: a loaded debug kernel takes seconds a fork)
	_t=$(now)
	while [ $(($(now) - _t)) -lt "$qboot" ]; do
		[ "$(serial_scan $W/serial.1 | cut -d' ' -f1)" -ge 0 ] 2>/dev/null && break
		sleep 1
	done
	diag "QEMU guest: first report after $(($(now) - _t)) s (or none)"
fi

# --- the soak ---------------------------------------------------------------
TS0=$(now)
# shellcheck disable=SC2086
"$GSTRESS" -n "$FLIPS" -t "$maxt" -m "$min" ${seed:+-s $seed} >$W/gstress.out 2>&1
GRC=$?
TS1=$(now)
sed 's/^/# /' $W/gstress.out

# --- stop everything, bounded ----------------------------------------------
touch $STOP
# waitpid_bounded PID SECS: wait for a child for SECS at most, then kill it
waitpid_bounded() {
	_i=0
	while kill -0 "$1" 2>/dev/null && [ $_i -lt $(($2 * 10)) ]; do
		usleep 100000
		_i=$((_i + 1))
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
waitpid_bounded $CHURN 60
[ "$qemu" = 1 ] && waitpid_bounded $QLOOP 60
check "kill -0 $APID" "VM A ran through the soak"
gvmm_stop
check "[ $? -eq 0 ]" "VM A's gvmm exits 0"

read -r CHN CHBAD <$W/churn.count 2>/dev/null || { CHN=0; CHBAD=0; }
QB=0 QD=0 QR=0
[ "$qemu" = 1 ] && { read -r QB QD QR <$W/qemu.count 2>/dev/null || :; }
[ "$qemu" = 1 ] && sed 's/^/# qemu: /' $W/qemu.log 2>/dev/null

check "[ $GRC -eq 0 ]" "gstress: all its checks passed and the flips were done (status $GRC)"
check "grep -q '^gstress failures 0\$' $W/gstress.out" "gstress reports no failure"
# the checks had something to check
check "awk '/^gstress split-on intervals/ { exit !(\$9 > 0 && \$12 > 0 && \$15 > 0) }' $W/gstress.out" \
	"split-on intervals with guest time were checked (cpu lines, tasks, processes)"
check "awk '/^gstress checked/ { exit !(\$4 > 0 && \$8 > 0 && \$10 > 0) }' $W/gstress.out" \
	"exit_timing tables, vCPU and VM binary stats were checked"
check "awk '/^gstress resets/ { exit !(\$3 > 0) }' $W/gstress.out" "exit timing tables were reset"
check "[ ${CHN:-0} -ge 1 ] && [ ${CHBAD:-0} -eq 0 ]" \
	"short-lived VMs created and destroyed: $CHN, all exited 0 (${CHBAD:-0} failed)"
if [ "$qemu" = 1 ]; then
	check "[ ${QR:-0} -ge 10 ]" \
		"the real QEMU guest ran during the soak: $QR reports in $QB boots ($QD died)"
fi

# --- the kernel's verdict ------------------------------------------------
if [ -e /sys/kernel/debug/kmemleak ]; then
	# two scans: an object is reported once it is old enough and was
	# unreferenced in a scan before
	echo scan >/sys/kernel/debug/kmemleak
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >$W/kmemleak.txt
	KL=$(grep -c '^unreferenced object' $W/kmemleak.txt)
	KLK=$(awk '/^unreferenced object/ { n += hit; hit = 0 }
		/kvm|exit_timing|guest_util|svm|vcpu/ { hit = 1 }
		END { print n + hit }' $W/kmemleak.txt)
	diag "kmemleak: $KL unreferenced objects, $KLK with KVM or the split in their backtrace"
	head -n 60 $W/kmemleak.txt | sed 's/^/# kmemleak: /'
	check "[ $KLK -eq 0 ]" "kmemleak: no leak of KVM, exit timing or the split"
fi
check "grep -q 'debug_locks: *1' /proc/lockdep_stats" "lockdep is still on at the end (debug_locks 1)"
NS=$(splats | wc -l)
if [ "$NS" -gt 0 ]; then
	diag "dmesg splats ($NS lines), the first with context:"
	dmesg | awk -v re="$SPLAT" '$0 ~ re && !on { on = 1 } on && n < 80 { print; n++ }' |
		sed 's/^/# dmesg| /'
fi
check "[ $NS -eq 0 ]" "no splat or warning in dmesg (lockdep, KASAN, UBSAN, BUG, WARNING, sleeping in atomic, RCU)"

TE=$(now)
VMS=$((1 + CHN + QB))
diag "FIGURES flips $(awk '/^gstress flips/ { print $4 "+" $6 }' $W/gstress.out)" \
	"reads $(awk '/^gstress reads total/ { print $4 }' $W/gstress.out)" \
	"vms $VMS (1 + $CHN churn + $QB QEMU boots)" \
	"max_reader_latency_ms $(awk '/^gstress reads total/ { print $8 }' $W/gstress.out)" \
	"soak_s $((TS1 - TS0)) scenario_s $((TE - T0))"
echo 0 >/proc/sys/kernel/collect_guest_exit_timing
echo 0 >/proc/sys/kernel/collect_guest_utilization
finish

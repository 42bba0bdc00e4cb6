#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Debug-kernel soak (issue 8, item 3; make check-stress): booted on the
# debug kernel (config/debug-kernel.config: lockdep with PROVE_RCU, KASAN,
# UBSAN, DEBUG_ATOMIC_SLEEP, kmemleak, ...), with KVM as modules.  While
# VMs run (a 4-vCPU gvmm VM with an in-kernel irqchip: user, kernel,
# alt:50, idle; short-lived gvmm VMs created and destroyed one after the
# other, whose vCPU threads exit early; a real 32-bit Linux guest under
# Debian's QEMU/KVM, one boot for the whole soak), gstress
# (tests/stress/gstress.c) flips both sysctls FLIPS times each in random
# order, resets exit timing tables, and reads /proc/stat, every
# /proc/PID/stat and /proc/PID/task/TID/stat, every vCPU's exit_timing and
# the binary stats of every vCPU and VM, checking what it reads (see
# gstress.c: nothing goes back, the split adds up while it stays on, no
# time above the wall time).  Then: no splat in dmesg, lockdep still on,
# kmemleak finds nothing of KVM or the split.
#
#   stress.sh [FLIPS [KEY=VALUE...]]
#   FLIPS       changes of each sysctl (default 500)
#   qemu=0      1: also run the real QEMU guest for the whole soak.  Under
#               the debug kernel it does not get far (its boot and init's
#               cpuid calibration take many minutes): what counts is the
#               real exits it takes while the flips happen.  Fails if QEMU
#               exits before the end or its VM takes no exit in the soak;
#               prints its console lines and its exits by kind.
#   qboot=240   seconds to wait for the QEMU guest's first exits before
#               the soak starts (it starts anyway)
#   nohz=0      1: booted with nohz_full=1: every vCPU thread (VM A, the
#               short-lived VMs, QEMU's) runs on the nohz_full CPU 1, all
#               else on CPU 0, so the split is accounted by vtime; gstress
#               then allows the running stretch of guest time (-V)
#   vslack=20   nohz=1: that stretch, ms per CPU at each end of an interval
#   maxt=SECS   stop flipping after SECS even if not done (a failure)
#   min=SECS    run the soak at least SECS
#   seed=N      gstress's random seed
. "$(dirname "$0")/lib.sh"

FLIPS=${1:-500}
[ $# -gt 0 ] && shift
qemu=0 qboot=240 nohz=0 vslack=20 maxt=5400 min=0 seed=
for a in "$@"; do
	case "$a" in
	qemu=*|qboot=*|nohz=*|vslack=*|maxt=*|min=*|seed=*) eval "${a%%=*}=\${a#*=}" ;;
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
diag "soak: $FLIPS flips of each sysctl, qemu=$qemu, nohz=$nohz, maxt=$maxt, min=$min"
# nohz=1: the vCPU threads on CPU 1 (nohz_full, vtime), everything else on
# CPU 0 (this script and what it starts inherit it)
PIN=
if [ "$nohz" = 1 ]; then
	PIN=@1
	taskset -p -c 0 $$ >/dev/null || bail "taskset to CPU 0"
fi

# --- the debug kernel: the checkers are there ---------------------------
check "[ -r /proc/lockdep_stats ]" "lockdep is built in (PROVE_LOCKING)"
check "grep -q 'debug_locks: *1' /proc/lockdep_stats" "lockdep is on at the start (debug_locks 1)"
check "dmesg | grep -q 'KernelAddressSanitizer initialized'" "KASAN is on"
check "[ -e /sys/kernel/debug/kmemleak ]" "kmemleak is on"
check "[ -c /dev/kvm ] && grep -q '^kvm_amd ' /proc/modules" "kvm and kvm_amd loaded as modules by /init"
command -v "$GSTRESS" >/dev/null || bail "no gstress in the initramfs"
if [ "$nohz" = 1 ]; then
	check "[ \"\$(cat /sys/devices/system/cpu/nohz_full)\" = 1 ]" \
		"CPU 1 is nohz_full (vtime accounting)"
fi

# splats: dmesg lines that a checker or the kernel print on a bug
SPLAT='BUG:|WARNING:|Oops|KASAN|UBSAN|sleeping function called from invalid context|possible circular locking|possible recursive locking|inconsistent lock state|inconsistent .* usage|suspicious RCU usage|lock held when returning|bad unlock balance|Call Trace|general protection|list_add corruption|list_del corruption|ODEBUG|refcount_t:|self-detected stall|rcu_.* detected stalls|blocked for more than|DEBUG_LOCKS_WARN_ON|lockdep is turned off|Kernel panic|unreferenced object'
splats() {
	dmesg | grep -E "$SPLAT" || true
}
B0=$(splats | wc -l)
check "[ $B0 -eq 0 ]" "no splat in dmesg after the boot"
if [ "$B0" -gt 0 ]; then
	# the first with context; no soak: lockdep turns itself off at its
	# first report and KASAN reports only once, it would check nothing
	dmesg | awk -v re="$SPLAT" '$0 ~ re && !on { on = 1 } on && n < 60 { print; n++ }' |
		sed 's/^/# boot| /'
	diag "lockdep_stats: $(grep 'debug_locks' /proc/lockdep_stats)"
	bail "a splat during the boot: the checkers are spent, no soak"
fi

# --- workloads ------------------------------------------------------------
# VM A: 4 vCPUs for the whole soak, in-kernel irqchip (the idle vCPU stays
# halted inside KVM_RUN).
gvmm_start --name stress-a -t 100000 --stats --irqchip user$PIN kernel$PIN \
	alt:50$PIN idle$PIN ||
	bail "gvmm starts (VM A)"
APID=$GVMM_PID
AOUT=$GVMM_OUT
diag "VM A: pid $APID, vCPU threads $GVMM_TIDS"

# Churn: VMs created and destroyed one after the other, 3 s each, whose
# vCPU threads exit early (+exit=S) or stop after a number of exits.
churn() {
	_n=0 _bad=0
	while [ ! -e $STOP ]; do
		if gvmm -q --name stress-churn -t 3 --stats --irqchip \
			altx:30$PIN+exit=1 exits:300:30$PIN io$PIN+exit=2 \
			cpuid$PIN >>$W/churn.out 2>&1; then
			_n=$((_n + 1))
		else
			_bad=$((_bad + 1))
		fi
		echo "$_n $_bad" >$W/churn.count
	done
}
churn &
CHURN=$!

# The real guest: Debian's QEMU with KVM and the 32-bit Linux guest
# (make realguest-initramfs builds it), workload half, one boot for the
# whole soak.  Under the debug kernel it is slow: its kernel's boot, then
# init's calibration (8192 cpuid exits) take many minutes before its
# first report, so it need not reach its workload.  It is a load all the
# same: a real VMM's vCPU taking real exits (port I/O and MMIO to QEMU,
# MSRs, CPUID, HLT, interrupts) while the flips happen.  Its console has
# no "quiet": the lines show how far it got.  KVM's debugfs statistics
# of its VM (never reset, unlike exit timing) count its exits.
# vm_stat PID NAME: KVM's debugfs statistic NAME of the VM of process PID
# (its vCPUs summed); 0 while it has none
vm_stat() {
	for _d in /sys/kernel/debug/kvm/"$1"-*; do
		[ -r "$_d/$2" ] && { cat "$_d/$2"; return; }
	done
	echo 0
}
# qemu_status: one line of how far the guest got
QSER=$W/serial
# (the kinds read before the total: each read takes a while on the debug
# kernel, and the guest goes on exiting)
qemu_status() {
	_lines=$(tr -d '\r' <$QSER 2>/dev/null | grep -c .)
	_rep=$(grep -acE '^(GSTAT|GBEAT) ' $QSER 2>/dev/null)
	_kinds="io $(vm_stat $QP io_exits), mmio $(vm_stat $QP mmio_exits),"
	_kinds="$_kinds halt $(vm_stat $QP halt_exits), irq $(vm_stat $QP irq_exits),"
	_kinds="$_kinds irq_window $(vm_stat $QP irq_window_exits),"
	_kinds="$_kinds insn_emulation $(vm_stat $QP insn_emulation)"
	echo "exits $(vm_stat $QP exits) ($_kinds), console lines $_lines, reports $_rep"
}
QP=
if [ "$qemu" = 1 ]; then
	[ -x $QEMU ] && [ -f /guest/bzImage32 ] && [ -f /guest/initrd32.cpio.gz ] ||
		bail "no QEMU or no 32-bit guest in the initramfs (make realguest-initramfs)"
	: >$QSER
	$QEMU -name "stress-guest,debug-threads=on" -machine pc,accel=kvm \
		-cpu qemu64,kvm-pv-eoi=off -smp 1 -m 160 -nodefaults \
		-display none -vga none -no-reboot \
		-bios /usr/share/qemu/qboot.rom -serial "file:$QSER" -serial null \
		-kernel /guest/bzImage32 -initrd /guest/initrd32.cpio.gz \
		-append "console=ttyS0 panic=-1 printk.time=1 gw=half gn=2000 gmax=100000 gfull=0:1 tsc=reliable" \
		</dev/null >$W/qemu.out 2>&1 &
	QP=$!
	# the soak starts once the VM takes exits (or after qboot s without);
	# nohz=1: its vCPU thread ("CPU 0/KVM") moves to CPU 1
	_t=$(now) _pinned=
	while [ $(($(now) - _t)) -lt "$qboot" ] && kill -0 $QP 2>/dev/null; do
		if [ "$nohz" = 1 ] && [ -z "$_pinned" ]; then
			for _c in /proc/$QP/task/*/comm; do
				[ "$(cat $_c 2>/dev/null)" = "CPU 0/KVM" ] || continue
				_tid=${_c%/comm}
				taskset -p -c 1 ${_tid##*/} >/dev/null && _pinned=${_tid##*/}
			done
		fi
		[ "$(vm_stat $QP exits)" -gt 0 ] 2>/dev/null &&
			{ [ "$nohz" = 0 ] || [ -n "$_pinned" ]; } && break
		sleep 1
	done
	diag "QEMU guest: pid $QP, first exits after $(($(now) - _t)) s:" \
		"$(qemu_status)"
	[ "$nohz" = 1 ] && check "[ -n \"$_pinned\" ]" \
		"QEMU's vCPU thread ${_pinned:-?} moved to the nohz_full CPU 1"
fi

# --- the soak ---------------------------------------------------------------
TS0=$(now)
QX0=0
[ "$qemu" = 1 ] && QX0=$(vm_stat $QP exits)
VOPT=
[ "$nohz" = 1 ] && VOPT="-V $vslack"
# shellcheck disable=SC2086
"$GSTRESS" -n "$FLIPS" -t "$maxt" -m "$min" ${seed:+-s $seed} $VOPT >$W/gstress.out 2>&1 &
GSP=$!
# progress on the console every 5 minutes: a long soak shows it is alive
_tp=$TS0
while kill -0 $GSP 2>/dev/null; do
	sleep 5
	[ $(($(now) - _tp)) -ge 300 ] || continue
	_tp=$(now)
	diag "progress $((_tp - TS0)) s: $(grep '^gstress: flips ' $W/gstress.out | tail -n 1)" \
		"$(grep -c FAIL $W/gstress.out) FAIL lines" \
		"$([ "$qemu" = 1 ] && echo "; QEMU guest: $(qemu_status)")"
done
wait $GSP
GRC=$?
TS1=$(now)
grep -v '^gstress: flips [0-9]* of' $W/gstress.out | sed 's/^/# /'

# --- the QEMU guest's part --------------------------------------------------
if [ "$qemu" = 1 ]; then
	QALIVE=0
	kill -0 $QP 2>/dev/null && QALIVE=1
	QX1=$(vm_stat $QP exits)
	diag "QEMU guest at the end of the soak: $(qemu_status)"
	diag "QEMU guest: its console, the last lines:"
	tr -d '\r' <$QSER | grep . | tail -n 8 | sed 's/^/#   | /'
	for _f in /sys/kernel/debug/kvm/"$QP"-*/vcpu0/exit_timing; do
		[ -r "$_f" ] || continue
		diag "QEMU guest: its vCPU's exit timing since the last reset:"
		awk 'NR == 1 || $2 > 0' "$_f" | sed 's/^/#   | /'
	done
	[ "$QALIVE" = 1 ] || { diag "QEMU exited:"; sed 's/^/#   | /' $W/qemu.out; }
	check "[ $QALIVE = 1 ]" "the QEMU guest's QEMU ran through the soak"
	check "[ ${QX1:-0} -gt ${QX0:-0} ]" \
		"the QEMU guest took exits during the soak: $((QX1 - QX0)) ($QX0 before, $QX1 at its end)"
	kill -9 $QP 2>/dev/null
	wait $QP 2>/dev/null
fi

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
check "kill -0 $APID" "VM A ran through the soak"
gvmm_stop
check "[ $? -eq 0 ]" "VM A's gvmm exits 0"

read -r CHN CHBAD <$W/churn.count 2>/dev/null || { CHN=0; CHBAD=0; }

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
	diag "dmesg splats ($NS lines, $B0 of them from the boot), the first with context:"
	dmesg | awk -v re="$SPLAT" '$0 ~ re && !on { on = 1 } on && n < 80 { print; n++ }' |
		sed 's/^/# dmesg| /'
fi
if [ "$NS" -gt "$B0" ] && [ "$B0" -gt 0 ]; then
	diag "the first splat after the boot's, with context:"
	dmesg | awk -v re="$SPLAT" -v b="$B0" '$0 ~ re { k++ } k > b && n < 80 { print; n++ }' |
		sed 's/^/# dmesg| /'
fi
check "[ $NS -eq 0 ]" "no splat or warning in dmesg (lockdep, KASAN, UBSAN, BUG, WARNING, sleeping in atomic, RCU): $B0 lines from the boot, $((NS - B0)) since"

TE=$(now)
QB=0
[ "$qemu" = 1 ] && QB=1
VMS=$((1 + CHN + QB))
diag "FIGURES flips $(awk '/^gstress flips/ { print $4 "+" $6 }' $W/gstress.out)" \
	"reads $(awk '/^gstress reads total/ { print $4 }' $W/gstress.out)" \
	"vms $VMS (1 + $CHN churn + $QB QEMU)" \
	"qemu_exits $([ "$qemu" = 1 ] && echo "$((QX1 - QX0))" || echo -)" \
	"max_reader_latency_ms $(awk '/^gstress reads total/ { print $8 }' $W/gstress.out)" \
	"soak_s $((TS1 - TS0)) scenario_s $((TE - T0))"
echo 0 >/proc/sys/kernel/collect_guest_exit_timing
echo 0 >/proc/sys/kernel/collect_guest_utilization
finish

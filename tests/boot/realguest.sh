#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Real Linux guests (issue 13): inside the booted test kernel ("L1"),
# Debian's qemu-system-x86_64 -enable-kvm runs a Linux guest ("L2": the
# test bzImage plus tests/guest/init) with a known workload, one VM at a
# time, 1 vCPU, its vCPU thread alone on CPU 1 (QEMU's other threads and
# this script on CPU 0). Over the same window right after the guest's
# boot, the vCPU thread's guest_user share (stat fields 53/54) must be
# within BOUND points of the guest's own user share (its /proc/stat, which
# it reports on its serial console every second).
#
#   realguest.sh MODE [busy] [KEY=VALUE...]
#   MODE      tick    tick accounting (boot without nohz_full=)
#             vtime   vtime accounting (boot with nohz_full=1, -smp 2)
#   busy      CPU 0 of L1 busy with other work while measuring (two shell
#             busy loops and a fork/exec loop, pinned to CPU 0)
#   KEY=VALUE (gargs cannot carry commas: lists are joined with '+')
#     workloads=user+kernel+half+sysexit   guest workloads (tests/guest/init)
#     variants=kvmclock+no-kvmclock        guest timekeeping: kvmclock (cheap,
#                    the reference) and no-kvmclock (the guest boots with
#                    no-kvmclock: its timekeeping exits, the hard case)
#     hard=user+sysexit  the workloads of the no-kvmclock variant (a
#                    subset of workloads=, to bound the run time)
#     win=8          window, in guest reports (seconds)
#     skip=2         first report of the window (the guest's workload has
#                    started before report 0)
#     tries=3        boots per case when a guest dies (QEMU 7.2 TCG
#                    makes nested Linux guests panic now and then)
#     boot=180       seconds a guest may take to its first report
#     stall=30       seconds without a new report: the guest is dead
#     bound=5        allowed distance of the guest's user share from the
#                    host's range (tests/README.md, "The reference"), in
#                    points; a range wider than it is retried, as a guest
#                    that died
#     cpu=qemu64,kvm-pv-eoi=off  QEMU -cpu of the guest ('/' for ','); PV
#                    EOI off: a workaround for QEMU 7.2's double delivery
#                    of an injected interrupt (tests/README.md)
#     mem=160        guest memory (MiB)
#     gn=2000        sysexit: busy loop iterations between port writes
#     gappend=A+B    extra guest kernel parameters ('+' for spaces)
#     bios=qboot     guest firmware: qboot (fast) or seabios
#     guest=64       guest kernel: 64 (the test bzImage, /guest/bzImage) or
#                    32 (an i386 tinyconfig kernel with kvmclock,
#                    /guest/bzImage32 and /guest/initrd32.cpio.gz: make
#                    realguest-initramfs, the default); QEMU 7.2 TCG's nested
#                    SVM kills or freezes the 64-bit guest in about half
#                    the boots; the 32-bit one is the candidate stable
#                    guest (tests/README.md)
#
# Output: TAP; per case "# RESULT" lines with both shares, the exit
# counts of KVM's debugfs, tries and wall time, and one ok/not ok per
# case for the bound. A guest that dies is retried (bounded); every wait
# is bounded.
. "$(dirname "$0")/lib.sh"

MODE=${1:-tick}
[ $# -gt 0 ] && shift
BUSY=0
workloads=user+kernel+half+sysexit
variants=kvmclock+no-kvmclock
win=8 skip=2 tries=3 boot=180 stall=30 bound=5 cpu=qemu64,kvm-pv-eoi=off mem=160 gn=2000
gappend= bios=qboot hard=user+sysexit guest=64
for a in "$@"; do
	case "$a" in
	busy)	BUSY=1 ;;
	workloads=*|variants=*|win=*|skip=*|tries=*|boot=*|stall=*|bound=*|\
	cpu=*|mem=*|gn=*|gappend=*|bios=*|hard=*|guest=*)
		eval "${a%%=*}=\${a#*=}" ;;
	*)	bail "realguest: unknown argument '$a'" ;;
	esac
done
workloads=$(echo "$workloads" | tr '+' ' ')
variants=$(echo "$variants" | tr '+' ' ')
gappend=$(echo "$gappend" | tr '+' ' ')
cpu=$(echo "$cpu" | tr '/' ',')
hard=$(echo "$hard" | tr '+' ' ')

QEMU=${QEMU:-/usr/bin/qemu-system-x86_64}
case "$guest" in
64)	GKERNEL=/guest/bzImage GINITRD=/guest/initrd.cpio.gz HARDCS=hpet HARDAPP= ;;
# The PIT is a clocksource only while it is the periodic tick (i8253.c):
# nolapic_timer. Every clock read is then three port accesses that exit
# (latch, low and high byte), and every tick a PIC EOI.
32)	GKERNEL=/guest/bzImage32 GINITRD=/guest/initrd32.cpio.gz HARDCS=pit HARDAPP=nolapic_timer ;;
*)	bail "realguest: guest=$guest: 64 or 32" ;;
esac
SYSCTL=/proc/sys/kernel/collect_guest_utilization
WORK=/tmp/realguest
mkdir -p $WORK

now() {
	read -r _up _ </proc/uptime
	echo "${_up%.*}"
}

T0=$(now)
# L1's TSC frequency, which KVM gives the guest (kHz)
TSCKHZ=$(dmesg | awk '/tsc: (Detected|Refined TSC clocksource calibration:)/ {
	for (i = 1; i < NF; i++) if ($(i + 1) == "MHz") m = $i }
	END { if (m) printf "%d", m * 1000 }')
diag "realguest: mode $MODE, busy $BUSY, workloads '$workloads' (no-kvmclock: '$hard')," \
	"variants '$variants', window ${win}s from report $skip, bound $bound," \
	"tries $tries, -cpu $cpu, -m $mem, bios $bios, ${guest}-bit guest $GKERNEL"
diag "L1 cmdline: $(cat /proc/cmdline)"

# This script and everything it starts stay on CPU 0; only the vCPU
# thread moves to CPU 1.
taskset -p -c 0 $$ >/dev/null || bail "taskset to CPU 0"
if [ "$MODE" = vtime ]; then
	check "[ \"\$(cat /sys/devices/system/cpu/nohz_full)\" = 1 ]" \
		"CPU 1 is nohz_full (vtime accounting)"
fi
[ -e /dev/kvm ] || bail "no /dev/kvm"
[ -x "$QEMU" ] || bail "no QEMU at $QEMU (make realguest-initramfs)"
[ -f $GKERNEL ] && [ -f $GINITRD ] || bail "no guest kernel/initramfs at $GKERNEL $GINITRD (make realguest-initramfs)"
$QEMU --version | head -n 1 | sed 's/^/# /'
echo 1 >$SYSCTL || bail "sysctl kernel.collect_guest_utilization=1"
echo 1 >/proc/sys/kernel/collect_guest_exit_timing ||
	bail "sysctl kernel.collect_guest_exit_timing=1"

BUSY_PIDS=
if [ "$BUSY" = 1 ]; then
	for i in 1 2; do
		taskset -c 0 sh -c 'while :; do :; done' &
		BUSY_PIDS="$BUSY_PIDS $!"
	done
	taskset -c 0 sh -c 'while :; do cat /proc/stat >/dev/null; done' &
	BUSY_PIDS="$BUSY_PIDS $!"
	diag "busy host: CPU 0 runs pids$BUSY_PIDS"
fi

QPID=
cleanup() {
	[ -n "$QPID" ] && kill -9 "$QPID" 2>/dev/null
	# shellcheck disable=SC2086
	[ -n "$BUSY_PIDS" ] && kill $BUSY_PIDS 2>/dev/null
}
trap cleanup EXIT

# serial_scan FILE: "LASTSEQ PANIC" of a guest's console (LASTSEQ -1 before
# the first report; PANIC 1 if an oops or panic was printed)
serial_scan() {
	tr -d '\r' <"$1" 2>/dev/null | awk '
	$1 == "GSTAT" && $2 ~ /^[0-9]+$/ && NF >= 12 { last = $2 }
	$1 == "GBEAT" && $2 ~ /^[0-9]+$/ && NF == 2 { last = $2 }
	/Kernel panic|BUG:|Oops|general protection fault|double fault|Fatal exception|stack guard page/ { p = 1 }
	BEGIN { last = -1 }
	END { print last, p + 0 }'
}

# gstat FILE SEQ: the cpu fields (user nice system idle iowait irq softirq
# steal) and the uptime of report SEQ
gstat() {
	tr -d '\r' <"$1" | awk -v s="$2" '
	$1 == "GSTAT" && $2 == s && $4 == "cpu" {
		print $5, $6, $7, $8, $9, $10, $11, $12, $3; exit }'
}

# host_snap: "utime stime guest guest_user guest_system" of the vCPU thread
host_snap() {
	tr '\n' ' ' <"/proc/$QPID/task/$VTID/stat" 2>/dev/null | awk '{
		sub(/^.*\) /, ""); split($0, f, " ")
		print f[12], f[13], f[41], f[51], f[52] }'
}

EXIT_STATS="exits io_exits mmio_exits halt_exits irq_exits irq_window_exits insn_emulation hypercalls"
# kvm_snap: KVM's per-VM debugfs counters of EXIT_STATS (- if absent)
kvm_snap() {
	_d=$(ls -d /sys/kernel/debug/kvm/"$QPID"-* 2>/dev/null | head -n 1)
	_o=
	for _s in $EXIT_STATS; do
		_v=-
		[ -n "$_d" ] && [ -r "$_d/$_s" ] && _v=$(cat "$_d/$_s")
		_o="$_o $_v"
	done
	echo $_o
}

# cpu1_snap: guest_user guest_system of L1's cpu1 line
cpu1_snap() {
	awk '$1 == "cpu1" { print $12, $13 }' /proc/stat
}

# et_snap OUT: "reason total_ns count user_exits" of every row of the vCPU's exit
# timing table (KVM debugfs) to OUT; empty if there is none
et_snap() {
	_f=$(ls -d /sys/kernel/debug/kvm/"$QPID"-*/vcpu0/exit_timing 2>/dev/null | head -n 1)
	: >"$1"
	[ -n "$_f" ] && awk 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next }
		{ print $1, $(k["total_ns"]), $(k["count"]), $(k["user_exits"]) }' "$_f" >"$1" 2>/dev/null
}

# et_delta BEFORE AFTER: "G S A H N" over the window, in ns: time in the
# guest, host time of exits the guest takes synchronously (every reason
# but the asynchronous ones and hlt), host time of asynchronous exits
# (interrupts, NMI, SMI, preemption timer), of hlt exits, and the number
# of synchronous exits
et_delta() {
	awk 'FNR == NR { t0[$1] = $2; c0[$1] = $3; next }
	{
		d = $2 - t0[$1]; c = $3 - c0[$1]
		if ($1 == "<guest>") g += d
		else if ($1 == "<halted>") ;
		else if ($1 ~ /^(interrupt|nmi|smi|EXTERNAL_INTERRUPT|EXCEPTION_NMI|PREEMPTION_TIMER)$/) a += d
		else if ($1 == "hlt" || $1 == "HLT") h += d
		else { s += d; n += c }
	}
	END { printf "%.0f %.0f %.0f %.0f %.0f\n", g, s, a, h, n }' "$1" "$2"
}

# exit_cost SERIAL ET: "W GUEST HOST N": what a synchronous exit costs the
# guest beyond the host's exit timing of it (ns), from the guest's own
# measurement of N back-to-back cpuid exits (GCAL cpuid lines: GUEST ns
# each, by its clock) and the host's exit timing of the cpuid exits so far
# (table ET: HOST ns each); "- - - 0" without a measurement. Under nested
# TCG the world switch (QEMU's emulation of #VMEXIT and VMRUN, each of
# which flushes its TLB, and the host code around them) is outside the
# host's exit timing window, inside its guest time. W bounds it from
# above: it also holds the guest's few instructions between the exits.
exit_cost() {
	tr -d '\r' <"$1" | awk -v et="$2" '
	$1 == "GCAL" && $2 == "cpuid" && NF == 6 {
		n += $3; t += ($5 - $4) - ($6 - $5) }
	END {
		while ((getline l < et) > 0) {
			split(l, f, " ")
			if (tolower(f[1]) == "cpuid" && f[3] > 0) h = f[2] / f[3]
		}
		if (n <= 0 || h <= 0) { print "- - - 0"; exit }
		g = t * 1e9 / n; w = g - h; if (w < 0) w = 0
		printf "%.0f %.0f %.0f %d\n", w, g, h, n
	}'
}

# range_width RESULT: the width, in points, of the host share's range in the
# guest's terms (one_try's result): raw share x n x W / (G + S)
range_width() {
	awk -F'|' '{
		split($1, h0, " "); split($2, h1, " ")
		split($10, e, " "); split($11, q, " ")
		du = h1[4] - h0[4]; ds = h1[5] - h0[5]
		w = q[1] == "-" ? 0 : q[1]
		printf "%.1f\n", du + ds > 0 && e[1] + e[2] > 0 ?
			100 * du / (du + ds) * e[5] * w / (e[1] + e[2]) : 0
	}' "$1"
}

# cal_summary SERIAL: " NAME:US/N" per kind of the guest's GCAL lines (what
# an exit costs the guest, in us, over N exits)
cal_summary() {
	tr -d '\r' <"$1" | awk '
	$1 == "GCAL" && NF == 6 { n[$2] += $3; t[$2] += ($5 - $4) - ($6 - $5) }
	END { for (k in n) if (n[k] > 0) printf " %s:%.1f/%d", k, t[k] * 1e6 / n[k], n[k] }'
}

# wait_seq SERIAL SEQ LIMIT: wait until report SEQ is on SERIAL; status 1
# with DEAD set if the guest died, panicked or took longer than LIMIT s
wait_seq() {
	_t=$(now)
	while :; do
		set -- "$1" "$2" "$3" $(serial_scan "$1")
		if [ "$5" = 1 ]; then
			DEAD="the guest oopsed or panicked"
			# let it print the oops (panic=-1: QEMU then exits)
			_i=0
			while kill -0 "$QPID" 2>/dev/null && [ $_i -lt 30 ]; do
				usleep 100000
				_i=$((_i + 1))
			done
			return 1
		fi
		[ "$4" -ge "$2" ] && return 0
		kill -0 "$QPID" 2>/dev/null || { DEAD="QEMU exited"; return 1; }
		[ $(($(now) - _t)) -ge "$3" ] &&
			{ DEAD="no report $2 within ${3}s (last $4)"; return 1; }
		usleep 100000
	done
}

# vcpu_state: the vCPU thread's state, utime, stime, guest time (ticks)
# and kernel wait channel, for a guest that stopped reporting
vcpu_state() {
	tr '\n' ' ' <"/proc/$QPID/task/$VTID/stat" 2>/dev/null | awk '{
		sub(/^.*\) /, ""); split($0, f, " ")
		printf "state %s utime %s stime %s guest %s", f[1], f[12], f[13], f[41] }'
	echo " wchan $(cat "/proc/$QPID/task/$VTID/wchan" 2>/dev/null);" \
		"KVM exits so far ($EXIT_STATS): $(kvm_snap)"
}

# mon_dump DIR: what QEMU's monitor (DIR/mon.in, DIR/mon.out) says of the
# guest's local APIC, registers and PIC, for a guest that stopped reporting
mon_dump() {
	[ -p "$1/mon.in" ] && [ -p "$1/mon.out" ] && kill -0 "$QPID" 2>/dev/null || return 0
	# opened read-write: never blocks, even if QEMU is gone
	(exec 4<>"$1/mon.in"; printf 'info lapic\ninfo registers\ninfo pic\n' >&4)
	timeout 3 cat "$1/mon.out" >"$1/mon.txt" 2>/dev/null
	tr -d '\r' <"$1/mon.txt" | grep -v '^(qemu)\|^QEMU .*monitor\|^$' | sed 's/^/#   monitor| /'
}

stop_qemu() {
	[ -n "$QPID" ] || return 0
	kill "$QPID" 2>/dev/null
	_i=0
	while kill -0 "$QPID" 2>/dev/null && [ $_i -lt 50 ]; do
		usleep 100000
		_i=$((_i + 1))
	done
	kill -9 "$QPID" 2>/dev/null
	wait "$QPID" 2>/dev/null
	QPID=
}

# one_try W V DIR: boot a guest, measure; status 0 with the figures in
# DIR/result, 1 with DEAD set
one_try() {
	_w=$1 _v=$2 _dir=$3
	rm -rf "$_dir"
	mkdir -p "$_dir"
	_ser=$_dir/serial
	_app="console=ttyS0 panic=-1 quiet gw=$_w gn=$gn gmax=$((skip + win + 60)) gfull=$skip:$((skip + win))"
	# tsc=reliable: the guest keeps timing its interrupts (irq time
	# accounting needs a TSC it trusts) through the run
	_app="$_app tsc=reliable"
	# no-kvmclock: timekeeping through a device whose every read exits
	# (its TSC frequency given: its own calibration against the PIT fails
	# under nested TCG, and without a TSC it has no irq time accounting)
	[ "$_v" = no-kvmclock ] && _app="$_app no-kvmclock clocksource=$HARDCS${HARDAPP:+ $HARDAPP}${TSCKHZ:+ tsc_early_khz=$TSCKHZ}"
	[ -n "$gappend" ] && _app="$_app $gappend"
	_fw=
	[ "$bios" = qboot ] && _fw="-bios /usr/share/qemu/qboot.rom"
	: >"$_ser"
	mkfifo "$_dir/mon.in" "$_dir/mon.out"
	# shellcheck disable=SC2086
	taskset -c 0 $QEMU -name "rg-$_w,debug-threads=on" -machine pc,accel=kvm \
		-cpu "$cpu" -smp 1 -m "$mem" -nodefaults -display none -vga none \
		-no-reboot $_fw -serial "file:$_ser" -serial null \
		-monitor "pipe:$_dir/mon" \
		-kernel $GKERNEL -initrd $GINITRD -append "$_app" \
		</dev/null >"$_dir/qemu.out" 2>&1 &
	QPID=$!
	_tb=$(now)
	VTID=
	_i=0
	while [ -z "$VTID" ] && [ $_i -lt 200 ]; do
		for _t in /proc/$QPID/task/*; do
			[ "$(cat "$_t/comm" 2>/dev/null)" = "CPU 0/KVM" ] &&
				VTID=${_t##*/}
		done
		[ -n "$VTID" ] && break
		kill -0 "$QPID" 2>/dev/null || break
		usleep 100000
		_i=$((_i + 1))
	done
	if [ -z "$VTID" ]; then
		DEAD="no vCPU thread 'CPU 0/KVM': $(tail -n 3 "$_dir/qemu.out" | tr '\n' ' ')"
		stop_qemu
		return 1
	fi
	taskset -p -c 1 "$VTID" >/dev/null || { DEAD="cannot pin the vCPU"; stop_qemu; return 1; }
	if ! wait_seq "$_ser" "$skip" "$boot"; then
		DEAD="$DEAD; vCPU thread: $(vcpu_state)"
		mon_dump "$_dir" >"$_dir/mon.diag"
		stop_qemu
		return 1
	fi
	_h0=$(host_snap) _k0=$(kvm_snap) _c0=$(cpu1_snap)
	et_snap "$_dir/et0"
	_tw=$(now)
	_boot=$((_tw - _tb))
	_s=$skip
	while [ $_s -lt $((skip + win)) ]; do
		_s=$((_s + 1))
		if ! wait_seq "$_ser" "$_s" "$stall"; then
			DEAD="$DEAD (in the window, after $((_s - 1 - skip)) of ${win}s); vCPU thread: $(vcpu_state)"
			mon_dump "$_dir" >"$_dir/mon.diag"
			stop_qemu
			return 1
		fi
	done
	_h1=$(host_snap) _k1=$(kvm_snap) _c1=$(cpu1_snap)
	et_snap "$_dir/et1"
	cal_summary "$_ser" >"$_dir/cal"
	awk 'FNR == NR { t[$1] = $2; c[$1] = $3; u[$1] = $4; next }
	$3 > c[$1] { printf " %s:%d/%.0fms/u%d", $1, $3 - c[$1], ($2 - t[$1]) / 1e6, $4 - u[$1] }' \
		"$_dir/et0" "$_dir/et1" >"$_dir/etrows"
	_te=$(now)
	_g0=$(gstat "$_ser" "$skip") _g1=$(gstat "$_ser" "$_s")
	_cs=$(tr -d '\r' <"$_ser" | sed -n 's/^GINFO clocksource=\([^ ]*\).*/\1/p' | head -n 1)
	stop_qemu
	echo "$_h0|$_h1|$_g0|$_g1|$_k0|$_k1|$_c0|$_c1|$_boot $((_te - _tw)) ${_cs:-?}|$(et_delta "$_dir/et0" "$_dir/et1")|$(exit_cost "$_ser" "$_dir/et0")" \
		>"$_dir/result"
	return 0
}

# died_excerpt SERIAL: the last report and the oops (first 40 lines from
# the first BUG/Oops/panic line), or the last 8 lines without one
died_excerpt() {
	tr -d '\r' <"$1" | grep -E '^G(STAT|BEAT)' | tail -n 1 | sed 's/^/#   | /'
	tr -d '\r' <"$1" | grep -vE '^G(STAT|BEAT)' | awk '
	/Kernel panic|BUG:|Oops|general protection fault|double fault|Fatal exception/ { on = 1 }
	on && n < 40 { print; n++ }
	{ last[NR % 8] = $0 }
	END { if (!on) for (i = NR - 7; i <= NR; i++) if (i > 0) print last[i % 8] }' |
		sed 's/^/#   | /'
}

RESULTS=$WORK/results
: >$RESULTS
KVMCLOCK_BAD=0
KVMCLOCK_RUNS=0
HARD_BAD=0
HARD_RUNS=0

for v in $variants; do
	for w in $workloads; do
		if [ "$v" = no-kvmclock ] && ! echo " $hard " | grep -q " $w "; then
			continue
		fi
		tc=$(now)
		try=1
		done_ok=0
		while [ $try -le "$tries" ]; do
			dir=$WORK/$v-$w-$try
			DEAD=
			if one_try "$w" "$v" "$dir"; then
				rw=$(range_width "$dir/result")
				if [ "$(awk -v r="$rw" -v b="$bound" 'BEGIN { print (r <= b) }')" = 1 ]; then
					done_ok=1
					break
				fi
				diag "$MODE $v $w: the reference is too uncertain (try $try/$tries): the world switch spans $rw points of the host share, more than the bound (QEMU stalled on a loaded machine?); again"
				try=$((try + 1))
				continue
			fi
			diag "$MODE $v $w: guest DIED (try $try/$tries): $DEAD; its console:"
			died_excerpt "$dir/serial"
			[ -s "$dir/mon.diag" ] && cat "$dir/mon.diag"
			try=$((try + 1))
		done
		wall=$(($(now) - tc))
		if [ $done_ok = 0 ]; then
			not_ok "$MODE $v $w: no measurement in $tries tries: the guest died, or the reference was too uncertain (${wall}s)"
			echo "RESULT $MODE busy=$BUSY g$guest $v $w host=- guest=- diff=- tries=$tries died=$tries wall=${wall}s" >>$RESULTS
			continue
		fi
		# host0|host1|guest0|guest1|kvm0|kvm1|cpu1_0|cpu1_1|boot win cs
		n=$(echo $EXIT_STATS | wc -w)
		r=$(awk -F'|' -v n="$n" '{
			for (i = 1; i <= NF; i++) p[i] = $i
			split(p[1], h0, " "); split(p[2], h1, " ")
			split(p[3], g0, " "); split(p[4], g1, " ")
			split(p[5], k0, " "); split(p[6], k1, " ")
			split(p[7], c0, " "); split(p[8], c1, " ")
			split(p[9], t, " ")
			split(p[10], e, " ")
			split(p[11], q, " ")
			du = h1[4] - h0[4]; ds = h1[5] - h0[5]
			hs = du + ds > 0 ? 100 * du / (du + ds) : -1
			# the guest counts the host time of its synchronous
			# exits as its own kernel time (hc); and the world switch
			# of each, up to W ns outside the host exit timing
			# window, which the host charges partly by the exit CPL
			# (after VMRUN) and partly by the last sample (before
			# #VMEXIT): the guest view is between hl and hc
			w = q[1] == "-" ? 0 : q[1]
			gg = e[1] - e[5] * w; if (gg < 0) gg = 0
			hc = hs >= 0 && e[1] > 0 ? hs * e[1] / (e[1] + e[2]) : -1
			hl = hs >= 0 && e[1] > 0 ? hs * gg / (e[1] + e[2]) : -1
			gu = (g1[1] - g0[1]) + (g1[2] - g0[2])
			gk = (g1[3] - g0[3]) + (g1[6] - g0[6]) + (g1[7] - g0[7])
			gi = (g1[4] - g0[4]) + (g1[5] - g0[5]) + (g1[8] - g0[8])
			# user, nice and system are ticks, each charged with a
			# tick less the irq time since the last one; irq, softirq,
			# idle and steal are measured: scale the ticks to the time
			# they cover (a late tick counts one tick)
			gt = gu + (g1[3] - g0[3])
			gq = (g1[6] - g0[6]) + (g1[7] - g0[7])
			kf = gt > 0 ? (100 * (g1[9] - g0[9]) - gi - gq) / gt : 1
			if (kf < 1) kf = 1
			gs = gu + gk > 0 ? 100 * kf * gu / (kf * gt + gq) : -1
			d = gs < hl ? hl - gs : gs > hc ? gs - hc : 0
			ex = ""
			for (i = 1; i <= n; i++)
				ex = ex " " (k1[i] == "-" ? "-" : k1[i] - k0[i])
			printf "%.1f %.1f %.1f %.1f %.1f %.0f %.0f %d %d %d %d %d %d %.1f %d %d %d %d %s %s %d %.2f%s\n",
				hc, hl, hs, gs, d, e[1] / 1e6, e[2] / 1e6, e[5],
				du, ds, gu, gk, gi, kf,
				c1[1] - c0[1], c1[2] - c0[2], t[1], t[2], t[3],
				(h1[3] - h0[3]),
				(h1[1] - h0[1]) + (h1[2] - h0[2]), g1[9] - g0[9], ex
		}' "$dir/result")
		set -- $(awk -F'|' '{ print $11 }' "$dir/result")
		calw=$1 calg=$2 calh=$3 caln=$4
		set -- $r
		hc=$1 hl=$2 hs=$3 gs=$4 d=$5 etg=$6 ets=$7 etn=$8
		shift 8
		du=$1 ds=$2 gu=$3 gk=$4 gi=$5 gkf=$6
		shift 6
		c1u=$1 c1s=$2 bt=$3 wt=$4 cs=$5 dg=$6 dut=$7 gup=$8
		shift 8
		exits="$*"
		died=$((try - 1))
		if [ "$v" = kvmclock ]; then
			KVMCLOCK_RUNS=$((KVMCLOCK_RUNS + 1))
			[ "$cs" = kvm-clock ] || KVMCLOCK_BAD=$((KVMCLOCK_BAD + 1))
		else
			HARD_RUNS=$((HARD_RUNS + 1))
			[ "$cs" = "$HARDCS" ] || HARD_BAD=$((HARD_BAD + 1))
		fi
		diag "$MODE $v $w: guest clocksource $cs, boot ${bt}s, window ${wt}s wall, try $try, case wall ${wall}s"
		diag "$MODE $v $w: host vCPU thread: guest_user $du guest_system $ds (guest $dg, utime+stime $dut) ticks in ${wt}s -> host share ${hs}%;" \
			"L1 cpu1 guest_user/system $c1u/$c1s"
		if [ "$calw" = - ]; then
			diag "$MODE $v $w: the guest did not measure its exit cost (no GCAL cpuid lines, or no cpuid exit in the host's table): W = 0"
			calw=0
		else
			diag "$MODE $v $w: exit cost: a cpuid exit costs the guest $((calg / 1000)) us ($caln measured), the host's exit timing sees $((calh / 1000)) us: up to W = $((calw / 1000)) us of world switch per exit"
		fi
		diag "$MODE $v $w: exit timing: ${etg} ms in the guest, ${ets} ms of host time on $etn synchronous exits" \
			"-> host share in the guest's view of time ${hl}-${hc}% (= ${hs}% x (guest - $etn x [W..0]) / (guest + synchronous exit time))"
		diag "$MODE $v $w: exit timing rows (reason:exits/time/completed in userspace):$(cat "$dir/etrows")"
		diag "$MODE $v $w: exit cost to the guest, by its clock (kind:us/exits):$(cat "$dir/cal")"
		diag "$MODE $v $w: guest /proc/stat deltas (user nice system idle iowait irq softirq steal uptime):" \
			"$(awk -F'|' '{ split($3, a, " "); split($4, b, " "); for (i = 1; i <= 9; i++) printf " %s", b[i] - a[i] }' "$dir/result")"
		diag "$MODE $v $w: guest /proc/stat: user+nice $gu system+irq+softirq $gk idle+iowait+steal $gi ticks in ${gup}s of its uptime; its ticks cover 1/${gkf} of the time they stand for -> guest share ${gs}%"
		diag "$MODE $v $w: KVM exits in the window ($EXIT_STATS): $exits"
		echo "RESULT $MODE busy=$BUSY g$guest $v $w host=$hc hostw=$hl raw=$hs guest=$gs diff=$d tries=$try died=$died wall=${wall}s boot=${bt}s cs=$cs exits=$(echo "$exits" | cut -d' ' -f1) W=$((calw / 1000))us" >>$RESULTS
		if [ "$guest" = 32 ]; then
			check "[ $caln -gt 0 ]" "$MODE $v $w: the guest measured what an exit costs it ($caln cpuid exits)"
		fi
		if [ "$((du + ds))" -le 0 ] || [ "$((gu + gk))" -le 0 ] || [ "$etg" -le 0 ]; then
			not_ok "$MODE $v $w: no guest time in the window (host $du+$ds ticks, exit timing ${etg} ms, guest $gu+$gk ticks)"
			continue
		fi
		label=
		[ "$v" = no-kvmclock ] && label=" [hard case: exit-heavy timekeeping]"
		check "le $d $bound" \
			"$MODE $v $w: host guest_user share ${hl}-${hc}% (raw ${hs}%) within $bound points of the guest's own ${gs}%$label"
	done
done

if [ $KVMCLOCK_RUNS -gt 0 ]; then
	check "[ $KVMCLOCK_BAD = 0 ]" \
		"kvmclock guests use the kvm-clock clocksource ($KVMCLOCK_BAD of $KVMCLOCK_RUNS did not: CONFIG_KVM_GUEST missing?)"
fi
if [ $HARD_RUNS -gt 0 ]; then
	check "[ $HARD_BAD = 0 ]" \
		"no-kvmclock guests use the $HARDCS clocksource, whose reads exit ($HARD_BAD of $HARD_RUNS did not)"
fi
cleanup
BUSY_PIDS= QPID=
diag "summary (mode $MODE, busy $BUSY, total $(($(now) - T0))s):"
sed 's/^/# /' $RESULTS
finish

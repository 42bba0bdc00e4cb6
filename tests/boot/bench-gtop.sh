#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# gtop's benchmark inside the patched kernel, where gtop also reads one
# debugfs exit_timing file per vCPU at every refresh: VMS idle gvmm VMs
# x VCPUS vCPUs (--irqchip: halted inside KVM_RUN) + EXTRA sleeping
# processes, kernel.collect_guest_utilization=1, then CPU per refresh and
# peak RSS of gtop -b against top -H -b (bench/gtop-rusage, static), and
# gtop's first sample / first screen frame (bench/gtop-pty).  Prints "BENCH key value"
# lines that bench/gtop-bench-kernel.sh turns into the report.  Not a
# pass/fail test (it checks only that the load and the tools ran).
#
#   bench-gtop.sh [VMS [VCPUS [EXTRA [REPS [REFRESHES]]]]]
#   (defaults 500 4 100 5 10; boot with --mem 2048 and a long --timeout)
. "$(dirname "$0")/lib.sh"

VMS=${1:-500}
VCPUS=${2:-4}
EXTRA=${3:-100}
REPS=${4:-5}
K=${5:-10}
RU=/usr/local/bin/gtop-rusage
W=/tmp/bench
mkdir -p $W

[ -x $RU ] || bail "no $RU in the initramfs"
echo 1 >/proc/sys/kernel/collect_guest_utilization
echo 1 >/proc/sys/kernel/collect_guest_exit_timing

specs=$(i=0; while [ $i -lt "$VCPUS" ]; do printf 'idle '; i=$((i + 1)); done)
i=1
while [ $i -le "$VMS" ]; do
	# shellcheck disable=SC2086
	"$GVMM" -q --irqchip --name "bench$i" $specs >/dev/null 2>&1 &
	i=$((i + 1))
done
i=1
while [ $i -le "$EXTRA" ]; do
	sleep 36000 &
	i=$((i + 1))
done
want=$((VMS * VCPUS))
vcpus() {
	cat /proc/[0-9]*/task/[0-9]*/comm 2>/dev/null | grep -c '^CPU [0-9]*/KVM$'
}
t=0
while [ "$(vcpus)" -lt "$want" ]; do
	t=$((t + 5))
	[ $t -le 600 ] || bail "$want vCPU threads did not start ($(vcpus))"
	sleep 5
done
diag "$want vCPU threads after ${t}s; $(grep MemAvailable /proc/meminfo)"
sleep 5
nxt=$(ls /sys/kernel/debug/kvm/*/vcpu*/exit_timing 2>/dev/null | wc -l)
check "[ $nxt -ge $want ]" "$nxt exit_timing files for $want vCPUs"
echo "BENCH kernel $(uname -r)"
echo "BENCH cpus $(grep -c ^processor /proc/cpuinfo)"
echo "BENCH vms $VMS"
echo "BENCH vcpus_per_vm $VCPUS"
echo "BENCH vcpu_threads $want"
echo "BENCH exit_timing_files $nxt"
echo "BENCH processes $(ls -d /proc/[0-9]* | wc -l)"
echo "BENCH threads $(ls -d /proc/[0-9]*/task/[0-9]* | wc -l)"
echo "BENCH reps $REPS"
echo "BENCH refreshes $K"
echo "BENCH load $(cut -d' ' -f1-3 /proc/loadavg)"

# run1 NAME COMMAND...: one run under gtop-rusage, output discarded
run1() {
	name=$1
	shift
	$RU $W/$name.ru "$@" >/dev/null 2>$W/$name.err
}

# warm the dentry caches of /proc and debugfs
/usr/bin/top -H -b -n 1 >/dev/null
gtop -b -n 1 -d 0.05 >/dev/null

# interleaved: each repetition runs every command once, back to back, so
# that what else the host (and so TCG) does falls on top and gtop alike
for n in top1 topK gtop1 gtopK gtopjK gtopn1 gtopnK; do
	: >$W/$n.ru
done
r=0
while [ $r -lt "$REPS" ]; do
	run1 top1 /usr/bin/top -H -b -n 1
	run1 topK /usr/bin/top -H -b -n "$K" -d 0.1
	run1 gtop1 gtop -b -H -n 1 -d 0.1
	run1 gtopK gtop -b -H -n "$K" -d 0.1
	run1 gtopjK gtop -b -n "$K" -d 0.1 -o json
	run1 gtopn1 gtop --no-libproc2 -b -H -n 1 -d 0.1
	run1 gtopnK gtop --no-libproc2 -b -H -n "$K" -d 0.1
	r=$((r + 1))
done
for n in top1 topK gtop1 gtopK gtopjK gtopn1 gtopnK; do
	sed "s/^/# $n: /" $W/$n.ru
done
check "[ \$(awk '\$6 != 0' $W/*.ru | wc -l) -eq 0 ]" "every measured run exited 0"
check "gtop -b -n 1 -d 0.1 -o json | grep -q '\"vm_count\":$VMS,'" \
	"gtop sees the $VMS VMs"

median() {	# median of column $2 of file $1
	awk -v c="$2" '{ print $c }' "$1" | sort -n | awk '{ a[NR] = $1 }
		END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
for n in top1 topK gtop1 gtopK gtopjK gtopn1 gtopnK; do
	echo "BENCH ${n}_cpu_ms $(median $W/$n.ru 2)"
	echo "BENCH ${n}_rss_kb $(median $W/$n.ru 5)"
done

# first complete sample in batch mode
: >$W/first
r=0
while [ $r -lt "$REPS" ]; do
	GTOP_STATS=1 gtop -b -n 1 -d 0.05 2>&1 >/dev/null |
		sed -n 's/.*first_sample_ms=\([0-9.]*\).*/\1/p' >>$W/first
	r=$((r + 1))
done
echo "BENCH first_sample_ms $(median $W/first 1)"

# first frame of the screen UI, on an 80x24 pseudo-terminal
# (bench/gtop-pty; tmux needs AF_UNIX, which the test kernel lacks)
if [ -x /usr/local/bin/gtop-pty ]; then
	: >$W/ui
	r=0
	while [ $r -lt "$REPS" ]; do
		GTOP_STATS=1 TERM=screen /usr/local/bin/gtop-pty 80 24 5 q \
			gtop -d 1 2>$W/ui.err
		sed -n 's/.*first_frame_ms=\([0-9.]*\).*maxrss_kb=\([0-9]*\).*/\1 \2/p' \
			$W/ui.err >>$W/ui
		r=$((r + 1))
	done
	sed 's/^/# ui: /' $W/ui
	if [ -s $W/ui ]; then
		echo "BENCH ui_first_frame_ms $(median $W/ui 1)"
		echo "BENCH ui_rss_kb $(median $W/ui 2)"
	fi
fi
finish

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# gtop-bench.sh - CPU time per refresh, peak RSS and first frame of gtop
# against `top -H -b -n 1` on the same /proc, with VMS idle VMs of VCPUS
# vCPUs each from the test VMM (gvmm) plus EXTRA ordinary processes, on
# the host's own kernel.  Prints figures and writes them into the "host"
# part of the report (bench/report-splice.sh); it is not a timed test.
# gtop-bench-kernel.sh does the same inside the patched kernel.
#
#   make -C tools/gtop bench          (or: sh bench/gtop-bench.sh)
#
# Environment: GTOP GVMM O VMS(500) VCPUS(4) EXTRA(100) REPS(7)
#   REFRESHES(10) REPORT(=$O/gtop-bench.md)
# Needs /dev/kvm, gvmm (make -C tests/vmm O=build/tests), top (procps),
# tmux for the first-frame figure of the screen UI.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
GTOP=${GTOP:-$repo/tools/gtop/gtop}
GVMM=${GVMM:-$repo/build/tests/gvmm}
O=${O:-$repo/build/gtop}
VMS=${VMS:-500}
VCPUS=${VCPUS:-4}
EXTRA=${EXTRA:-100}
REPS=${REPS:-7}
REFRESHES=${REFRESHES:-10}
REPORT=${REPORT:-$O/gtop-bench.md}
work=$O/bench
mkdir -p "$work"
. "$repo/bench/report-splice.sh"
RU=$work/gtop-rusage

for x in "$GTOP" "$GVMM"; do
	[ -x "$x" ] || { echo "gtop-bench: $x missing (build it first)" >&2; exit 1; }
done
[ -w /dev/kvm ] || { echo "gtop-bench: /dev/kvm not usable" >&2; exit 1; }
command -v top > /dev/null || { echo "gtop-bench: top missing" >&2; exit 1; }
${CC:-cc} -O2 -Wall -Wextra -Werror -o "$RU" "$repo/bench/gtop-rusage.c"

pids=$work/pids
: > "$pids"
cleanup() {
	# only the processes this script started, by pid
	if [ -s "$pids" ]; then
		xargs kill < "$pids" 2> /dev/null || true
		sleep 1
		xargs kill -9 < "$pids" 2> /dev/null || true
	fi
	[ -n "${sock:-}" ] && tmux -L "$sock" kill-server 2> /dev/null || true
}
trap cleanup EXIT INT TERM

vcpu_threads() {	# vCPU threads of our VMs
	n=0
	while read -r p; do
		[ -d "/proc/$p/task" ] || continue
		for c in /proc/"$p"/task/*/comm; do
			case $(cat "$c" 2> /dev/null) in "CPU "*/KVM) n=$((n + 1)) ;; esac
		done
	done < "$work/vmpids"
	echo $n
}

echo "gtop-bench: starting $VMS VMs x $VCPUS idle vCPUs and $EXTRA processes"
specs=$(i=0; while [ $i -lt "$VCPUS" ]; do printf 'idle '; i=$((i + 1)); done)
: > "$work/vmpids"
i=1
while [ $i -le "$VMS" ]; do
	# shellcheck disable=SC2086
	"$GVMM" --name "bench$i" -q $specs > /dev/null 2>&1 &
	echo $! >> "$pids"
	echo $! >> "$work/vmpids"
	i=$((i + 1))
done
i=1
while [ $i -le "$EXTRA" ]; do
	sleep 3600 &
	echo $! >> "$pids"
	i=$((i + 1))
done
want=$((VMS * VCPUS))
t=0
while [ "$(vcpu_threads)" -lt "$want" ]; do
	t=$((t + 1))
	[ $t -lt 120 ] || { echo "gtop-bench: VMs did not start" >&2; exit 1; }
	sleep 1
done
sleep 2
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
nproc_all=$(ls -d /proc/[0-9]* | wc -l)
nthr_all=$(ls -d /proc/[0-9]*/task/[0-9]* 2> /dev/null | wc -l)
echo "gtop-bench: $nproc_all processes, $nthr_all threads, $want vCPU threads"

# median of column $2 of file $1
median() { awk -v c="$2" '{print $c}' "$1" | sort -n |
	awk '{a[NR] = $1} END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# run1 NAME COMMAND...: one run, stdout discarded, its figures appended
run1() {
	name=$1
	shift
	"$RU" "$work/$name.ru" "$@" > /dev/null 2> "$work/$name.err" || true
}

K=$REFRESHES
# warm caches (dentries for /proc of all tasks)
top -H -b -n 1 > /dev/null
"$GTOP" -b -n 1 -d 0.05 > /dev/null

# interleaved: each repetition runs every command once, back to back, so
# that load from other work falls on top and gtop alike
for name in top1 topK gtop1 gtopK gtopjK gtopn1 gtopnK; do
	: > "$work/$name.ru"
done
r=0
while [ $r -lt "$REPS" ]; do
	run1 top1 top -H -b -n 1
	run1 topK top -H -b -n "$K" -d 0.1
	run1 gtop1 "$GTOP" -b -H -n 1 -d 0.1
	run1 gtopK "$GTOP" -b -H -n "$K" -d 0.1
	run1 gtopjK "$GTOP" -b -n "$K" -d 0.1 -o json
	run1 gtopn1 "$GTOP" --no-libproc2 -b -H -n 1 -d 0.1
	run1 gtopnK "$GTOP" --no-libproc2 -b -H -n "$K" -d 0.1
	r=$((r + 1))
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# batch: first sample (scan + model) after start
: > "$work/first.txt"
r=0
while [ $r -lt "$REPS" ]; do
	GTOP_STATS=1 "$GTOP" -b -n 1 -d 0.05 2>&1 > /dev/null |
		sed -n 's/.*first_sample_ms=\([0-9.]*\).*/\1/p' >> "$work/first.txt"
	r=$((r + 1))
done
# screen UI: first frame drawn, in a detached 80x24 tmux
: > "$work/ui.txt"
if command -v tmux > /dev/null; then
	sock=gtop-bench-$$
	r=0
	while [ $r -lt "$REPS" ]; do
		rm -f "$work/ui.err"
		# a loaded host may lose a session: that repetition is left out
		tmux -L "$sock" -f /dev/null new-session -d -x 80 -y 24 \
			"GTOP_STATS=1 TERM=screen $GTOP -d 1 2> $work/ui.err" ||
			true
		sleep 2
		tmux -L "$sock" send-keys q 2> /dev/null || true
		t=0
		while ! grep -q gtop-stats "$work/ui.err" 2> /dev/null && [ $t -lt 50 ]; do
			sleep 0.1
			t=$((t + 1))
		done
		tmux -L "$sock" kill-server 2> /dev/null || true
		sed -n 's/.*first_frame_ms=\([0-9.]*\).*maxrss_kb=\([0-9]*\).*/\1 \2/p' \
			"$work/ui.err" >> "$work/ui.txt"
		r=$((r + 1))
	done
fi

f() { median "$work/$1.ru" "$2"; }
top1=$(f top1 2); topK=$(f topK 2)
g1=$(f gtop1 2); gK=$(f gtopK 2); gjK=$(f gtopjK 2); gn1=$(f gtopn1 2)
gnK=$(f gtopnK 2)
per() { awk -v k="$1" -v one="$2" -v K="$K" 'BEGIN { printf "%.2f", (k - one) / (K - 1) }'; }
top_per=$(per "$topK" "$top1")
g_per=$(per "$gK" "$g1")
gj_per=$(per "$gjK" "$g1")
gn_per=$(per "$gnK" "$gn1")
ratio=$(awk -v a="$g_per" -v b="$top_per" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
ratio_n=$(awk -v a="$gn_per" -v b="$top_per" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
ratio1=$(awk -v a="$g1" -v b="$top1" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
rss_top=$(f topK 5); rss_g=$(f gtopK 5); rss_gj=$(f gtopjK 5)
first=$(median "$work/first.txt" 1)
ui_first=$( [ -s "$work/ui.txt" ] && median "$work/ui.txt" 1 || echo n/a)
ui_rss=$( [ -s "$work/ui.txt" ] && median "$work/ui.txt" 2 || echo n/a)
verdict() { awk -v v="$1" -v lim="$2" 'BEGIN { print (v != "n/a" && v + 0 <= lim + 0) ? "met" : "NOT met" }'; }

cat > "$work/section.md" <<EOF
## On the host

\`sh bench/gtop-bench.sh\` on $(uname -srm), $(nproc) CPUs, $(date -u +%Y-%m-%d).
Load: $VMS idle gvmm VMs x $VCPUS vCPUs ($want vCPU threads) + $EXTRA
sleeping processes; /proc had $nproc_all processes, $nthr_all threads.
Load average before measuring: $load_before, after: $load_after (other
work on the host makes wall-clock figures noisy; CPU times are per
process).  Medians of $REPS runs, interleaved (each repetition runs top
and every gtop variant once, back to back); CPU = user + system time of
the process (wait4);
"per refresh" = (CPU of $K refreshes - CPU of 1) / $((K - 1)).
gtop reads debugfs exit_timing only where the kernel has it
($(cat /sys/kernel/debug/kvm/*/vcpu0/exit_timing > /dev/null 2>&1 && echo present || echo "absent on this kernel")).

| measurement | top -H -b | gtop -b -H (text) | gtop -o json | gtop --no-libproc2 |
|---|---|---|---|---|
| CPU, one run with 1 refresh (ms) | $top1 | $g1 | | $gn1 |
| CPU, one run with $K refreshes (ms) | $topK | $gK | $gjK | $gnK |
| CPU per refresh (ms) | $top_per | $g_per | $gj_per | $gn_per |
| peak RSS (KiB) | $rss_top | $rss_g | $rss_gj | $(f gtopnK 5) |

| target | figure | result |
|---|---|---|
| gtop CPU per refresh <= 0.5 x top's | $ratio x (one-shot run: $ratio1 x; --no-libproc2: $ratio_n x) | $(verdict "$ratio" 0.5) |
| RSS <= 16 MiB | batch $rss_g KiB, screen $ui_rss KiB | $(verdict "$(echo "$rss_g $ui_rss" | awk '{print ($2 != "n/a" && $2 > $1) ? $2 : $1}')" 16384) |
| first frame < 200 ms | screen UI $ui_first ms; batch first sample $first ms | $(verdict "$ui_first" 200) |

Notes:
- A gtop run with 1 refresh takes two samples (rates need an interval:
  a warm-up sample, min(delay, 0.5 s) before the first output) and, in
  the first one, classifies every process (reads the threads of every
  multi-threaded process); later refreshes list the pids with
  libproc2 (the default enumerator; with --no-libproc2 gtop's own
  lister) and re-read, each with one pread(2) of a file kept open, the
  stat of every process (with --no-libproc2: of every VM), and the
  stat and schedstat of every vCPU thread.  top re-opens 2-3 files per
  thread at every refresh.
- "first frame": the screen UI, from program start to the first
  refresh() of a full frame, in a detached 80x24 tmux; "batch first
  sample": to the first complete snapshot.
- "first frame" and "batch first sample" are wall times: with a load
  average above the CPU count they include waiting for a CPU.
- On the patched kernel gtop also reads one debugfs exit_timing file per
  vCPU and refresh (2000 more pread(2) of a seq_file here); that cost is
  not in these figures when the kernel lacks the files (see the patched
  kernel's part below).
EOF
report_splice "$REPORT" host "$work/section.md"
cat "$work/section.md"
echo "gtop-bench: wrote the host part of $REPORT"

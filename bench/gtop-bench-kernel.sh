#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# gtop-bench-kernel.sh - gtop's benchmark inside the patched kernel
# (build/bzImage under QEMU TCG, where gtop also reads one debugfs
# exit_timing file per vCPU and refresh): boots tests/boot/bench-gtop.sh
# with VMS idle VMs x VCPUS vCPUs and EXTRA sleeping processes, and
# writes its figures into the "kernel" part of the report
# (bench/report-splice.sh); the host part (gtop-bench.sh) is kept.
#
#   make -C tools/gtop bench          (or: sh bench/gtop-bench-kernel.sh)
#
# Environment: GTOP GVMM KERNEL(build/bzImage) O VMS(500) VCPUS(4)
#   EXTRA(100) REPS(5) REFRESHES(10) MEM(2048) SMP(2) TIMEOUT(5400)
#   REPORT(=$O/gtop-bench.md) BOOT(1; 0 rewrites the report part from the
#   figures of the last run)
# Needs qemu-system-x86, busybox-static, a static libc (libc6-dev) and
# the kernel (make kernel); no /dev/kvm.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
GTOP=${GTOP:-$repo/tools/gtop/gtop}
GVMM=${GVMM:-$repo/build/tests/gvmm}
KERNEL=${KERNEL:-$repo/build/bzImage}
O=${O:-$repo/build/gtop}
VMS=${VMS:-500}
VCPUS=${VCPUS:-4}
EXTRA=${EXTRA:-100}
REPS=${REPS:-5}
REFRESHES=${REFRESHES:-10}
MEM=${MEM:-2048}
SMP=${SMP:-2}
TIMEOUT=${TIMEOUT:-5400}
REPORT=${REPORT:-$O/gtop-bench.md}
work=$O/bench-kernel
mkdir -p "$work"
. "$repo/bench/report-splice.sh"

if [ "${BOOT:-1}" = 0 ]; then
	[ -s "$work/boot.out" ] || { echo "gtop-bench-kernel: no last run" >&2; exit 1; }
else
for x in "$GTOP" "$GVMM" "$KERNEL"; do
	[ -e "$x" ] || { echo "gtop-bench-kernel: $x missing (make kernel vmm gtop)" >&2; exit 1; }
done
for t in gtop-rusage gtop-pty; do
	${CC:-cc} -std=c11 -O2 -static -Wall -Wextra -Werror -o "$work/$t" \
		"$repo/bench/$t.c"
done
set -- --bin /usr/bin/top --bin "$GTOP" --bin "$work/gtop-rusage" \
	--bin "$work/gtop-pty"
"$repo/tests/initramfs/mkinitramfs.sh" -o "$work/initramfs.cpio.gz" \
	--gvmm "$GVMM" "$@"

echo "gtop-bench-kernel: booting $KERNEL with $VMS VMs x $VCPUS vCPUs" \
	"(QEMU TCG, takes a while; log $work/boot.log)"
rc=0
"$repo/tests/qemu/boot.sh" --kernel "$KERNEL" --initrd "$work/initramfs.cpio.gz" \
	--smp "$SMP" --mem "$MEM" --timeout "$TIMEOUT" --log "$work/boot.log" \
	bench-gtop "$VMS" "$VCPUS" "$EXTRA" "$REPS" "$REFRESHES" \
	>"$work/boot.out" 2>&1 || rc=$?
tr -d '\r' <"$work/boot.out" | grep -aE '^(ok|not ok|#|Bail|BENCH)' || true
[ "$rc" -eq 0 ] || { echo "gtop-bench-kernel: the scenario failed (exit $rc)" >&2; exit 1; }
fi

tr -d '\r' <"$work/boot.out" | sed -n 's/^BENCH //p' >"$work/figures"
v() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$work/figures"; }
K=$(v refreshes)
per() { awk -v k="$(v "${1}K_cpu_ms")" -v one="$(v "${2}1_cpu_ms")" -v K="$K" \
	'BEGIN { printf "%.1f", (k - one) / (K - 1) }'; }
top_per=$(per top top); g_per=$(per gtop gtop); gj_per=$(per gtopj gtop)
gn_per=$(per gtopn gtopn)
ratio=$(awk -v a="$g_per" -v b="$top_per" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
ratio_n=$(awk -v a="$gn_per" -v b="$top_per" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
ratio1=$(awk -v a="$(v gtop1_cpu_ms)" -v b="$(v top1_cpu_ms)" \
	'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
ui=$(v ui_first_frame_ms); ui=${ui:-n/a}
ui_rss=$(v ui_rss_kb); ui_rss=${ui_rss:-n/a}
verdict() { awk -v v="$1" -v lim="$2" 'BEGIN { print (v != "n/a" && v + 0 <= lim + 0) ? "met" : "NOT met" }'; }
# The first frame is wall time, which TCG stretches: where the report has
# the host part, scale by how much slower top's one-shot run is here.
tcg_note() {
	host_top1=$(sed -n '/<!-- host begin -->/,/<!-- host end -->/p' "$REPORT" 2>/dev/null |
		awk -F'|' '/one run with 1 refresh/ { gsub(/ /, "", $3); print $3; exit }')
	host_ui=$(sed -n '/<!-- host begin -->/,/<!-- host end -->/p' "$REPORT" 2>/dev/null |
		sed -n 's/.*screen UI \([0-9.]*\) ms.*/\1/p' | head -n 1)
	[ -n "$host_top1" ] && [ -n "$host_ui" ] && [ "$ui" != n/a ] || return 0
	awk -v g="$(v top1_cpu_ms)" -v h="$host_top1" -v u="$ui" -v hu="$host_ui" \
		'BEGIN { if (h > 0) printf "; TCG is %.0fx slower than the host for top, %.0f ms scaled (host: %s ms)", g / h, u * h / g, hu }'
}
rss=$(v gtopK_rss_kb)
rss_max=$(echo "$rss $ui_rss" | awk '{ print ($2 != "n/a" && $2 > $1) ? $2 : $1 }')

cat >"$work/section.md" <<EOF
## Inside the patched kernel, with exit timing

\`sh bench/gtop-bench-kernel.sh\`: kernel $(v kernel) (build/bzImage) under
QEMU TCG (-cpu max, nested kvm_amd), $(v cpus) vCPUs, ${MEM} MiB, on
$(uname -m) with $(nproc) CPUs, $(date -u +%Y-%m-%d).  Scenario
tests/boot/bench-gtop.sh: $(v vms) idle gvmm VMs x $(v vcpus_per_vm) vCPUs
with --irqchip (halted inside KVM_RUN; $(v vcpu_threads) vCPU threads) +
$EXTRA sleeping processes, kernel.collect_guest_utilization=1, so gtop
reads $(v exit_timing_files) debugfs exit_timing files per refresh;
/proc had $(v processes) processes, $(v threads) threads; load $(v load).
Medians of $(v reps) runs, interleaved, under bench/gtop-rusage (static); "per refresh"
= (CPU of $K refreshes - CPU of 1) / $((K - 1)).  Everything runs about
an order of magnitude slower than on hardware (TCG), top and gtop alike:
compare the ratios.

| measurement | top -H -b | gtop -b -H (text) | gtop -o json | gtop --no-libproc2 |
|---|---|---|---|---|
| CPU, one run with 1 refresh (ms) | $(v top1_cpu_ms) | $(v gtop1_cpu_ms) | | $(v gtopn1_cpu_ms) |
| CPU, one run with $K refreshes (ms) | $(v topK_cpu_ms) | $(v gtopK_cpu_ms) | $(v gtopjK_cpu_ms) | $(v gtopnK_cpu_ms) |
| CPU per refresh (ms) | $top_per | $g_per | $gj_per | $gn_per |
| peak RSS (KiB) | $(v topK_rss_kb) | $rss | $(v gtopjK_rss_kb) | $(v gtopnK_rss_kb) |

| target | figure | result |
|---|---|---|
| gtop CPU per refresh <= 0.5 x top's | $ratio x (one-shot run: $ratio1 x; --no-libproc2: $ratio_n x) | $(verdict "$ratio" 0.5) |
| RSS <= 16 MiB | batch $rss KiB, screen $ui_rss KiB | $(verdict "$rss_max" 16384) |
| first frame < 200 ms | screen UI $ui ms (80x24 pty), batch first sample $(v first_sample_ms) ms; for scale, one top -H -b -n 1 takes $(v top1_cpu_ms) ms of CPU here | $(verdict "$ui" 200) under TCG$(tcg_note) |
EOF
report_splice "$REPORT" kernel "$work/section.md"
cat "$work/section.md"
echo "gtop-bench-kernel: wrote the kernel part of $REPORT"

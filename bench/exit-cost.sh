#!/bin/bash
# make bench-exit: instructions per cpuid exit round trip, for
#   the unpatched 6.12 kernel (same config),
#   the patched kernel with kernel.collect_guest_utilization=0, =1 with
#   kernel.collect_guest_exit_timing=0 (the split alone), and both =1,
#   the kvm_exit + kvm_entry tracepoints on (the perf kvm stat way),
# each booted twice under QEMU -icount shift=0,sleep=off, where
# CLOCK_MONOTONIC counts guest instructions.  Writes bench/exit-cost.md.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
b=$top/build/bench
mkdir -p "$b"
boots=${BOOTS:-2}

res=$b/results.txt
# REPORT_ONLY=1: write the report from the last results, run nothing.
if [ "${REPORT_ONLY:-}" != 1 ]; then
frag=$b/bench.config
grep -v KUNIT "$top/config/test-kernel.config" > "$frag"
cat "$top/config/bench-extra.config" >> "$frag"

# The unpatched tree: pristine linux-source-6.12.
if [ ! -f "$b/vanilla/Makefile" ]; then
	rm -rf "$b/vanilla"
	mkdir -p "$b/vanilla"
	tar -xJf /usr/src/linux-source-6.12.tar.xz -C "$b/vanilla" --strip-components=1
fi
"$top/scripts/kernel.sh" tree "$top/build/linux"
"$top/scripts/kernel.sh" build "$b/vanilla" "$b/vanilla-obj" "$frag" > "$b/vanilla-build.log" 2>&1 ||
	{ tail -20 "$b/vanilla-build.log"; exit 1; }
"$top/scripts/kernel.sh" build "$top/build/linux" "$b/patched-obj" "$frag" > "$b/patched-build.log" 2>&1 ||
	{ tail -20 "$b/patched-build.log"; exit 1; }
make -s -C "$top" initramfs >/dev/null

: > "$res"
run() {	# name kernel mode
	local i
	for i in $(seq "$boots"); do
		"$top/tests/qemu/boot.sh" --kernel "$2" --icount --timeout 1200 \
			--log "$b/$1-$i.log" bench-exit "$3" > "$b/$1-$i.out" 2>&1 ||
			{ echo "bench: $1 boot $i failed:"; tail -20 "$b/$1-$i.out"; exit 1; }
		grep -a '^BENCH ' "$b/$1-$i.out" | tr -d '\r' | sed "s/^BENCH /BENCH name=$1 boot=$i /" >> "$res"
	done
}
V=$b/vanilla-obj/arch/x86/boot/bzImage
P=$b/patched-obj/arch/x86/boot/bzImage
run unpatched "$V" off
run unpatched-trace "$V" trace
run patched-off "$P" off
run patched-split "$P" split
run patched-on "$P" on
run patched-trace "$P" trace
fi

awk -v date="$(date -u +%Y-%m-%d)" -v qemu="$(qemu-system-x86_64 --version | head -1)" '
function f(k,  i, n, a) { n = split($0, a, " "); for (i = 1; i <= n; i++) if (a[i] ~ "^" k "=") { sub("^" k "=", "", a[i]); return a[i] } }
/^BENCH / {
	name = f("name"); v = f("per_exit") + 0
	if (!(name in cnt)) { order[++no] = name; min[name] = v; max[name] = v }
	cnt[name]++; sum[name] += v
	if (v < min[name]) min[name] = v
	if (v > max[name]) max[name] = v
}
END {
	base = sum["unpatched"] / cnt["unpatched"]
	print "# Cost of a cpuid exit round trip"
	print ""
	print "`make bench-exit`, " date ": QEMU TCG (" qemu "), `-icount shift=0,sleep=off`,"
	print "`-cpu max` (SVM: kvm_amd nested in the booted kernel), test kernel config plus"
	print "tracing, static keys and -O2, as distribution kernels (config/bench-extra.config),"
	print "for both kernels. Figures are guest"
	print "instructions (L1 kernel + L2 guest) per cpuid exit round trip: the difference"
	print "between runs of " f("n2") " and " f("n1") " exits, over their difference;"
	print "runs per kernel: " cnt["unpatched"] " (several boots, several runs each)."
	print ""
	print "| kernel, setting | instructions per exit | min | max | spread | vs unpatched | |"
	print "|---|---:|---:|---:|---:|---:|---:|"
	for (i = 1; i <= no; i++) {
		n = order[i]; a = sum[n] / cnt[n]
		printf "| %s | %.1f | %.1f | %.1f | %.3f%% | %+.1f | %+.2f%% |\n", n, a, min[n], max[n], 100 * (max[n] - min[n]) / a, a - base, 100 * (a - base) / base
	}
	on = sum["patched-on"] / cnt["patched-on"]; tr = sum["unpatched-trace"] / cnt["unpatched-trace"]
	off = sum["patched-off"] / cnt["patched-off"]; sp = sum["patched-split"] / cnt["patched-split"]
	print ""
	print "patched-off: both sysctls at their default, 0; patched-split:"
	print "kernel.collect_guest_utilization=1 (kernel.collect_guest_exit_timing at its"
	print "default, 0: the guest time split alone); patched-on: both 1 (split and exit timing)."
	print ""
	printf "- sysctl 0 vs unpatched: %+.1f instructions, %+.3f%% (target: within 0.1%%)\n", off - base, 100 * (off - base) / base
	printf "- sysctl 1 (the split) vs unpatched: %+.2f%% (target: at most +2%%)\n", 100 * (sp - base) / base
	printf "- sysctl 1 with exit timing on as well vs unpatched: %+.2f%%; exit timing alone %+.1f instructions\n", 100 * (on - base) / base, on - sp
	printf "- tracepoints vs unpatched: %+.1f%%: %.1fx the overhead of the split alone, %.1fx that of split + exit timing (target: at least 10x)\n", 100 * (tr - base) / base, (sp > base) ? (tr - base) / (sp - base) : 0, (on > base) ? (tr - base) / (on - base) : 0
}' "$res" > "$top/bench/exit-cost.md"
cat "$top/bench/exit-cost.md"

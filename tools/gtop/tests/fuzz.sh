#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# fuzz.sh - bounded libFuzzer runs of every parser target.
#   O=build dir  FUZZ_TIME=seconds per target  FUZZERS="proc_stat ..."
# Each target starts from fuzz/corpus/<name> (committed seeds) plus the
# corpus it grew in earlier runs ($O/fuzz/corpus-<name>, not committed).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
O=${O:?}
FUZZ_TIME=${FUZZ_TIME:-10}
FUZZERS=${FUZZERS:-proc_stat pid_stat exit_timing cmdline small http sched rec}
pass=0
fail=0
for f in $FUZZERS; do
	bin=$O/fuzz/fuzz_$f
	work=$O/fuzz/corpus-$f
	log=$O/fuzz/fuzz_$f.log
	mkdir -p "$work"
	if "$bin" -max_total_time="$FUZZ_TIME" -max_len=4096 -timeout=10 \
		-rss_limit_mb=1024 -print_final_stats=1 "$work" \
		"$here/fuzz/corpus/$f" > "$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		echo "ok   fuzz_$f (${runs:-?} runs in ${FUZZ_TIME}s)"
		pass=$((pass + 1))
	else
		echo "FAIL fuzz_$f: see $log"
		grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]

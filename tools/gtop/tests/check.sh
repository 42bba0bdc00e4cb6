#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check.sh - all gtop tests: unit (plain and ASan/UBSan), CLI/batch,
# screen (tmux), exporter (--listen, Prometheus), bounded libFuzzer runs.
# Prints each suite's "N passed, N failed" and a total line of the same
# form at the end.
#   O=build dir  GTOP=binary  FUZZ_TIME=seconds per fuzzer
set -u
here=$(cd "$(dirname "$0")" && pwd)
O=${O:?}
GTOP=${GTOP:?}
export O GTOP
total_pass=0
total_fail=0

suite() {	# suite NAME COMMAND...
	name=$1
	shift
	echo "== $name"
	"$@" > "$O/check-$name.log" 2>&1
	rc=$?
	grep -v '^ok ' "$O/check-$name.log" | grep -v 'passed, .* failed$' |
		head -40
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$O/check-$name.log" |
	       tail -1)
	if [ -z "$line" ]; then
		line="0 passed, 1 failed"	# the suite did not finish
	elif [ $rc != 0 ] && [ "${line#* passed, }" = "0 failed" ]; then
		line="${line%% passed*} passed, 1 failed"
	fi
	echo "$name: $line"
	p=${line%% passed*}
	f=${line#* passed, }
	f=${f%% failed}
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
}

suite unit "$O/unit"
suite unit-asan env ASAN_OPTIONS=detect_leaks=1 "$O/unit-san"
suite cli sh "$here/cli.sh"
suite screen sh "$here/screen.sh"
suite exporter sh "$here/exporter.sh"
suite fuzz sh "$here/fuzz.sh"
echo "== total"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]

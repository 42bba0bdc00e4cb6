# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# report_splice REPORT NAME FILE: replace the part of the Markdown file
# REPORT between "<!-- NAME begin -->" and "<!-- NAME end -->" with FILE
# (markers kept); append it with its markers if REPORT has none.  The
# gtop benchmarks (host, patched kernel) each keep their own part of
# bench/gtop-report.md up to date this way.
report_splice() {
	_r=$1 _n=$2 _f=$3
	[ -f "$_r" ] || printf '# gtop benchmark\n' >"$_r"
	if grep -q "^<!-- $_n begin -->\$" "$_r"; then
		awk -v n="$_n" -v f="$_f" '
			$0 == "<!-- " n " begin -->" {
				print; while ((getline l < f) > 0) print l; skip = 1; next
			}
			$0 == "<!-- " n " end -->" { skip = 0 }
			!skip' "$_r" >"$_r.tmp"
	else
		{ cat "$_r"; echo; echo "<!-- $_n begin -->"; cat "$_f";
		  echo "<!-- $_n end -->"; } >"$_r.tmp"
	fi
	mv "$_r.tmp" "$_r"
}

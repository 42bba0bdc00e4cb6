# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# TAP helpers for gtest boot scenarios (busybox ash / POSIX sh).
#
#   . /tests/lib.sh
#   check "[ -e /dev/kvm ]" "/dev/kvm exists"
#   gvmm_start user kernel || bail "gvmm did not start"
#   ...
#   gvmm_stop
#   finish                  # "N passed, N failed", non-zero if any failed
#
# Numbers are compared with awk, so they may be large or fractional.

# busybox ash prefers its applets over PATH: use the real top, ps, ...
# shellcheck disable=SC1091
[ -r /etc/gtest-overrides.sh ] && . /etc/gtest-overrides.sh
export S_COLORS=never		# sysstat: no color escapes on the console

T_N=0
T_PASS=0
T_FAIL=0
T_SKIP=0
USER_HZ=100			# /proc tick unit, fixed on x86

GVMM=${GVMM:-gvmm}
GVMM_OUT=
GVMM_PID=
GVMM_TIDS=

diag() {
	echo "# $*"
}

ok() {
	T_N=$((T_N + 1))
	T_PASS=$((T_PASS + 1))
	echo "ok $T_N - $*"
}

not_ok() {
	T_N=$((T_N + 1))
	T_FAIL=$((T_FAIL + 1))
	echo "not ok $T_N - $*"
}

# skip DESC REASON: an optional check that did not run; counted as
# skipped, never as passed.  A required check uses check, not skip.
skip() {
	T_N=$((T_N + 1))
	T_SKIP=$((T_SKIP + 1))
	echo "ok $T_N - $1 # SKIP $2"
}

# check COND DESC: COND is evaluated by the shell
check() {
	if eval "$1"; then
		ok "$2"
	else
		not_ok "$2"
		diag "failed: $1"
	fi
}

# bail MSG: abort the scenario (counts as one failure)
bail() {
	not_ok "$*"
	echo "Bail out! $*"
	finish
	exit 1
}

# finish: trailing plan and the summary line; status 1 if any failed
finish() {
	echo "1..$T_N"
	echo "$T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
	[ "$T_FAIL" -eq 0 ]
}

# Numeric comparisons: gt A B, ge, lt, le, eq (status only)
_cmp() {
	awk -v a="$2" -v b="$3" -v op="$1" 'BEGIN {
		if (a !~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/ ||
		    b !~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/)
			exit 2
		a += 0; b += 0
		if (op == "gt") r = a > b
		else if (op == "ge") r = a >= b
		else if (op == "lt") r = a < b
		else if (op == "le") r = a <= b
		else r = a == b
		exit !r
	}'
}
gt() { _cmp gt "$1" "$2"; }
ge() { _cmp ge "$1" "$2"; }
lt() { _cmp lt "$1" "$2"; }
le() { _cmp le "$1" "$2"; }
eq() { _cmp eq "$1" "$2"; }

# approx A B PCT [ABS]: |A - B| <= PCT% of |B| (+ ABS slack)
approx() {
	awk -v a="$1" -v b="$2" -v pct="$3" -v abs="${4:-0}" 'BEGIN {
		if (a !~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/ ||
		    b !~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/)
			exit 2
		d = a - b; if (d < 0) d = -d
		m = b < 0 ? -b : b
		exit !(d <= m * pct / 100 + abs)
	}'
}

# calc EXPR: awk arithmetic, e.g. calc "100 * $a / $b"
calc() {
	awk "BEGIN { printf \"%.6g\\n\", ($*) }"
}

# stat_field FILE N: field N (1-based, as in proc(5)) of a stat file.
# comm (field 2) may hold spaces, ')' and newlines: the fields after it
# are split after the LAST ')'.
stat_field() {
	tr '\n' ' ' <"$1" 2>/dev/null | awk -v n="$2" '{
		if (n == 1) { sub(/ .*/, ""); print; exit }
		if (n == 2) {
			sub(/^[^(]*\(/, ""); sub(/\) [^)]*$/, ""); print; exit
		}
		sub(/^.*\) /, "")
		split($0, f, " ")
		if (n - 2 in f) print f[n - 2]; else exit 1
	}'
}

# pid_stat PID N / tid_stat PID TID N: field N of /proc/PID[/task/TID]/stat
pid_stat() {
	stat_field "/proc/$1/stat" "$2"
}

tid_stat() {
	stat_field "/proc/$1/task/$2/stat" "$3"
}

# Common fields (clock ticks): utime 14, stime 15, guest_time 43
tid_utime() { tid_stat "$1" "$2" 14; }
tid_stime() { tid_stat "$1" "$2" 15; }
tid_guest() { tid_stat "$1" "$2" 43; }
pid_utime() { pid_stat "$1" 14; }
pid_stime() { pid_stat "$1" 15; }
pid_guest() { pid_stat "$1" 43; }

# cpustat LINE NAME: a field of the /proc/stat line LINE (cpu, cpu0, ...)
# by name: user nice system idle iowait irq softirq steal guest
# guest_nice guest_user guest_system. Status 1 if the column is absent.
cpustat() {
	awk -v line="$1" -v name="$2" '
	BEGIN {
		n = split("user nice system idle iowait irq softirq steal " \
			  "guest guest_nice guest_user guest_system", names, " ")
		for (i = 1; i <= n; i++) col[names[i]] = i + 1
		if (!(name in col)) exit 2
	}
	$1 == line {
		if (NF < col[name]) exit 1
		print $(col[name]); found = 1; exit
	}
	END { if (!found) exit 1 }' /proc/stat
}

# cpustat_cols LINE: number of value columns of a /proc/stat cpu line
cpustat_cols() {
	awk -v line="$1" '$1 == line { print NF - 1; exit }' /proc/stat
}

# gvmm_start [GVMM ARGS...]: start gvmm in the background, wait for its
# "ready" line. Sets GVMM_PID, GVMM_TIDS (vCPU order) and GVMM_OUT (its
# stdout+stderr file). Status 1 (with diagnostics) if it did not start.
# GVMM_TIMEOUT (default 60 s) bounds the wait.
gvmm_start() {
	GVMM_OUT=$(mktemp /tmp/gvmm.XXXXXX)
	"$GVMM" "$@" >"$GVMM_OUT" 2>&1 &
	GVMM_PID=$!
	GVMM_TIDS=
	_i=0
	while ! grep -q '^ready pid ' "$GVMM_OUT"; do
		if ! kill -0 "$GVMM_PID" 2>/dev/null ||
		   [ "$_i" -ge $((${GVMM_TIMEOUT:-60} * 10)) ]; then
			diag "gvmm $* did not start:"
			sed 's/^/#   /' "$GVMM_OUT"
			kill "$GVMM_PID" 2>/dev/null
			GVMM_PID=
			return 1
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	GVMM_TIDS=$(awk '$1 == "vcpu" && $3 == "tid" { t = t s $4; s = " " }
		END { print t }' "$GVMM_OUT")
	return 0
}

# gvmm_tid N: thread id of vCPU N of the last gvmm_start
gvmm_tid() {
	awk -v n="$1" '$1 == "vcpu" && $2 == n && $3 == "tid" { print $4 }' \
		"$GVMM_OUT"
}

# gvmm_wait_line REGEX [SECONDS]: wait until gvmm printed a matching line
gvmm_wait_line() {
	_i=0
	while ! grep -q "$1" "$GVMM_OUT"; do
		[ "$_i" -ge $((${2:-60} * 10)) ] && return 1
		sleep 0.1
		_i=$((_i + 1))
	done
	return 0
}

# task_gone PID TID [SECONDS]: wait up to SECONDS (default 10) for thread
# TID of PID to be gone from /proc.  A gvmm vCPU thread prints "exited"
# right before it returns; the kernel releases it a moment later.
task_gone() {
	_i=0
	while [ -d "/proc/$1/task/$2" ]; do
		[ "$_i" -ge $((${3:-10} * 10)) ] && return 1
		sleep 0.1
		_i=$((_i + 1))
	done
	return 0
}

# gvmm_samples N: "SAMPLES CPL3" of vCPU N, gvmm's own random sampling
# of its guest's CPL (gvmm --sample), as last printed (totals); waits up to
# 3 s for a new line, so that two reads SECONDS apart span SECONDS.
gvmm_samples() {
	_n=$(grep -c "^vcpu $1 samples " "$GVMM_OUT")
	_i=0
	while [ "$(grep -c "^vcpu $1 samples " "$GVMM_OUT")" -le "$_n" ] &&
	      [ $_i -lt 30 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	awk -v n="$1" '$1 == "vcpu" && $2 == n && $3 == "samples" { s = $4; c = $6 }
		END { print s + 0, c + 0 }' "$GVMM_OUT"
}

# sample_share "N0 C0" "N1 C1": between two gvmm_samples reads, the number
# of samples and the percentage of them at CPL3: "N PCT"
sample_share() {
	# shellcheck disable=SC2086
	set -- $1 $2
	_n=$(($3 - $1))
	echo "$_n $(calc "100 * ($4 - $2) / ($_n + ($_n == 0))")"
}

# gvmm_stop: SIGTERM the last gvmm and reap it; its exit status
gvmm_stop() {
	[ -n "$GVMM_PID" ] || return 0
	kill "$GVMM_PID" 2>/dev/null
	wait "$GVMM_PID"
	_rc=$?
	GVMM_PID=
	return $_rc
}

# ticks_to_s TICKS
ticks_to_s() {
	calc "$1 / $USER_HZ"
}

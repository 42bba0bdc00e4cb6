# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Boot scenario of the KVM selftests (issue 8, item 4), run by /init as
# /tests/kvm-selftests.sh in the initramfs that tests/selftests/run.sh
# builds: the selftest binaries in /selftests, the tests to run, one a
# line "NAME TIMEOUT_SECS [ARGS...]", in /selftests/list.MODE, or
# /selftests/list for the modes without a list of their own.
#
#   kvm-selftests.sh MODE...    the list once per MODE, in turn
#     on     both sysctls 1 (kernel.collect_guest_utilization,
#            kernel.collect_guest_exit_timing), read back before each test
#     flip   the split 1, exit timing flipped 0/1 every 0.1-0.3 s while
#            the tests run
#     none   no sysctl written (the unpatched kernel has none)
#
# Per test, a line for the host to parse:
#   SELFTEST MODE NAME RESULT rc=N time=SECS sysctl=UE [first=fail:RC]
#            [leftovers=N]
# RESULT: pass (exit 0), skip (exit 4, KSFT_SKIP), fail (any other exit),
# timeout (killed after TIMEOUT_SECS), missing (no binary); UE: the two
# sysctls read just before the test ("11": both 1, "--": absent). A test
# that fails runs a second time: first= says the first run failed (its
# result is the second's); leftovers=: processes of the test still there
# after it ended (children of a killed test), killed before the next
# test. A test that did not pass, or passed on its
# second run, has its (first) run's last output lines after it, as "#   "
# lines.
# Around each pass SELFTEST-SYSCTL lines (the sysctls before and after),
# SELFTEST-STAT (/proc/stat's guest columns before and after),
# SELFTEST-FLIPS (flip: writes done) and SELFTEST-PASS-END; at the end
# SELFTEST-DMESG (count of splat lines in dmesg) and SELFTEST-END.
# The scenario's exit status is 0 if it ran the list; the verdict (which
# results are allowed) is the host's (tests/selftests/run.sh).

dir=/selftests
U=/proc/sys/kernel/collect_guest_utilization
E=/proc/sys/kernel/collect_guest_exit_timing

sysctls() {
	u=-; e=-
	[ -r $U ] && u=$(cat $U)
	[ -r $E ] && e=$(cat $E)
	echo "$u$e"
}

# cpu line of /proc/stat: guest guest_nice guest_user guest_system
guest_cols() {
	awk '$1 == "cpu" { print $10 + 0, $11 + 0, ($12 == "" ? "-" : $12), ($13 == "" ? "-" : $13) }' /proc/stat
}

uptime_s() {
	cut -d' ' -f1 /proc/uptime
}

# leftovers: the pids of processes running a test binary (a killed test's
# children: hardware_disable_test forks VMs that would load the CPUs for
# minutes after timeout killed their parent, and stall the next tests)
leftovers() {
	for p in /proc/[0-9]*; do
		case "$(readlink "$p/exe" 2>/dev/null)" in
		"$dir"/*) echo "${p#/proc/}" ;;
		esac
	done
}

# reap: SIGKILL every leftover and wait (60 s at most) until they are gone;
# prints how many there were
reap() {
	n=0
	pids=$(leftovers)
	[ -n "$pids" ] || { echo 0; return; }
	for w in $(seq 60); do
		pids=$(leftovers)
		[ -n "$pids" ] || break
		[ $n -gt 0 ] || n=$(echo "$pids" | wc -l)
		# shellcheck disable=SC2086
		kill -9 $pids 2>/dev/null
		sleep 1
	done
	echo "$n"
}

[ -c /dev/kvm ] || { echo "SELFTEST-ERROR no /dev/kvm"; exit 2; }
echo "SELFTEST-KERNEL $(uname -r) $(uname -v)"
sed 's/^/SELFTEST-MODULE /' /run/gtest-modules.log 2>/dev/null

# run_pass MODE: the list once, the sysctls as MODE says
run_pass() {
	mode=$1 flipper= list=$dir/list.$1
	[ -f "$list" ] || list=$dir/list
	[ -f "$list" ] || { echo "SELFTEST-ERROR no $list"; return 1; }
	case "$mode" in
	on|flip)
		if [ ! -w $U ] || [ ! -w $E ]; then
			echo "SELFTEST-ERROR mode $mode: no sysctls $U, $E"
			return 1
		fi
		echo 1 > $U
		if [ "$mode" = on ]; then echo 1 > $E; else echo 0 > $E; fi
		;;
	none)	;;
	*)	echo "SELFTEST-ERROR unknown mode $mode"; return 1 ;;
	esac
	echo "SELFTEST-SYSCTL $mode before collect_guest_utilization=$(cat $U 2>/dev/null || echo absent) collect_guest_exit_timing=$(cat $E 2>/dev/null || echo absent)"

	if [ "$mode" = flip ]; then
		# Exit timing turned on and off while the tests' VMs run; the
		# count of writes goes to /tmp/flips when the flipper stops.
		rm -f /tmp/flips
		(
			n=0
			trap 'echo $n > /tmp/flips; exit 0' TERM
			while :; do
				echo 1 > $E; n=$((n + 1))
				usleep $((100000 + RANDOM % 200000))
				echo 0 > $E; n=$((n + 1))
				usleep $((100000 + RANDOM % 200000))
			done
		) &
		flipper=$!
	fi

	g0=$(guest_cols)
	t0=$(uptime_s)
	while read -r name tmo args; do
		case "$name" in ''|'#'*) continue ;; esac
		s=$(sysctls)
		if [ ! -x "$dir/$name" ]; then
			echo "SELFTEST $mode $name missing rc=- time=0 sysctl=$s"
			continue
		fi
		# A test that fails (not one that times out) runs once more:
		# some check timings that a loaded TCG host misses now and
		# then (hyperv_clock: a TSC page read within 100000 cycles).
		first=
		for try in 1 2; do
			a=$(uptime_s)
			# -s KILL: a test that ignores TERM cannot hang the run.
			# busybox's timeout execs the test: a kill shows as 137.
			# shellcheck disable=SC2086
			timeout -s KILL "$tmo" "$dir/$name" $args > /tmp/st.out 2>&1 < /dev/null
			rc=$?
			b=$(uptime_s)
			t=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", b - a }')
			left=$(reap)
			case "$rc" in
			0)	r=pass ;;
			4)	r=skip ;;
			*)	r=fail
				[ "$rc" = 137 ] && awk -v t="$t" -v m="$tmo" 'BEGIN { exit !(t >= m - 1) }' && r=timeout ;;
			esac
			[ $r = fail ] && [ $try = 1 ] || break
			first="fail:$rc"
			grep -a -v '^$' /tmp/st.out | tail -n 12 | cut -c1-200 > /tmp/st.first
		done
		extra=
		[ -z "$first" ] || extra=" first=$first"
		[ "$left" = 0 ] || extra="$extra leftovers=$left"
		echo "SELFTEST $mode $name $r rc=$rc time=$t sysctl=$s$extra"
		if [ $r != pass ]; then
			grep -a -v '^$' /tmp/st.out | tail -n 12 | cut -c1-200 | sed 's/^/#   /'
		elif [ -n "$first" ]; then
			sed 's/^/#   /' /tmp/st.first
		fi
	done < "$list"
	t1=$(uptime_s)
	g1=$(guest_cols)

	if [ -n "$flipper" ]; then
		kill "$flipper"; wait "$flipper" 2>/dev/null
		echo "SELFTEST-FLIPS $mode $(cat /tmp/flips 2>/dev/null || echo 0)"
	fi
	echo "SELFTEST-SYSCTL $mode after collect_guest_utilization=$(cat $U 2>/dev/null || echo absent) collect_guest_exit_timing=$(cat $E 2>/dev/null || echo absent)"
	echo "SELFTEST-STAT $mode guest,guest_nice,guest_user,guest_system before $g0 after $g1"
	echo "SELFTEST-PASS-END $mode wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }')"
}

cd $dir || exit 2
for m in "$@"; do
	run_pass "$m" || exit 2
done
echo "SELFTEST-DMESG $(dmesg | grep -a -c -E 'WARNING:|BUG:|Oops|Call Trace|general protection|RIP:')"
dmesg | grep -a -E -A 3 'WARNING:|BUG:|Oops|general protection' | head -n 40 | sed 's/^/#   dmesg: /'
echo "SELFTEST-END"
exit 0

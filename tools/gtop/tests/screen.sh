#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# screen.sh - drives the curses UI in a detached tmux (no terminal
# needed) on fixture trees and asserts on what the screen shows.
#   GTOP=binary  O=build dir   needs: tmux
set -u
here=$(cd "$(dirname "$0")" && pwd)
GTOP=${GTOP:?}
O=${O:?}
fx=$O/fixtures
tmp=$O/screen.tmp
sock=gtop-screen-$$
mkdir -p "$tmp"
pass=0
fail=0
for v in new old hostile; do
	[ -d "$fx/$v" ] || sh "$here/mkfixture.sh" "$fx/$v" "$v" 4
done

tm() { tmux -L "$sock" "$@"; }
cap() { tm capture-pane -p -t gt > "$tmp/screen" 2> /dev/null; }
ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL: $*"
	sed 's/^/    |/' "$tmp/screen"
}
# expect NAME REGEX: the screen shows REGEX within 5 seconds
expect() {
	i=0
	while [ $i -lt 50 ]; do
		cap
		if grep -Eq -- "$2" "$tmp/screen"; then ok; return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	bad "$1: /$2/ not on screen"
	return 1
}
# absent NAME REGEX: the screen stops showing REGEX within 5 seconds
absent() {
	i=0
	while [ $i -lt 50 ]; do
		cap
		if ! grep -Eq -- "$2" "$tmp/screen"; then ok; return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	bad "$1: /$2/ still on screen"
	return 1
}
keys() { tm send-keys -t gt "$@"; }
# start ARGS...: run gtop in the pane (80x24) of a fresh tmux server; the
# exit status goes to $tmp/rc
nstart=0
start() {
	tm kill-server 2> /dev/null
	nstart=$((nstart + 1))
	sock=gtop-screen-$$-$nstart
	rm -f "$tmp/rc"
	tm -f /dev/null new-session -d -s gt -x 80 -y 24 \
		"env LC_ALL=C.UTF-8 TERM=screen $GTOP $*; echo \$? > $tmp/rc; sleep 600"
}
# fits: no line wider than the pane, no more lines than it has
fits() {
	w=$(tm display -p -t gt '#{pane_width}')
	h=$(tm display -p -t gt '#{pane_height}')
	cap
	lw=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$tmp/screen")
	ln=$(wc -l < "$tmp/screen")
	if [ "$lw" -le "$w" ] && [ "$ln" -le "$h" ]; then ok; else
		bad "$1: ${lw}x$ln does not fit ${w}x$h"; fi
}
dead() {	# the program exited with status 0
	i=0
	while [ $i -lt 50 ]; do
		if [ -s "$tmp/rc" ]; then
			st=$(cat "$tmp/rc")
			if [ "$st" = 0 ]; then ok; else bad "$1: exit $st"; fi
			return
		fi
		sleep 0.1
		i=$((i + 1))
	done
	cap
	bad "$1: still running"
}

command -v tmux > /dev/null || { echo "tmux missing"; echo "0 passed, 1 failed"; exit 1; }

# --- start, header, figures ----------------------------------------------
start --root="$fx/new" -d 0.3 -C
expect start '^gtop - .*VMs: 3, vCPUs: 5'
expect header '^ +PID NAME +VCPU +%CPU +%GUEST +%GUSR +%GSYS +%HOST'
expect status-split '^Guest split: on'
expect status-xt '^Exit timing: readable'
expect footer 'q:quit h:help'
expect figures '^ +1000 web +2 +100\.0 +80\.0 +60\.0 +20\.0 +20\.0'
expect cpu-line '^%Cpu\(s\): 15\.0 hu, 15\.5 hs, 30\.0 guest'
expect bars-mono '^ ?0\[\|+s+u+k+'
fits 80x24

# --- wall time: legend, one stacked bar per VM and vCPU ----------------------
expect wall-legend '^Wall: u guest usr k guest krn g guest s host krn v VMM h halt w wait \. idle$'
expect wall-header ' WALL TIME$'
# web: 40% guest (30 user, 10 kernel), 5% VMM, 23.5% halted, 2.5% wait
expect wall-vm '^ +1000 web .* \[uuuuukvhhhh\.\.\.\.\.\]$'
expect wall-unknown-exits '^ +3000 fc-1 .* \[u\.+\]$'

# --- sorting -----------------------------------------------------------------
keys '>'
expect sort-next 'sort:guest_pct desc'
keys s
expect sort-menu 'Sort by \(Enter: choose'
keys Up Up Up Enter
expect sort-name 'sort:name asc'
cap
first=$(grep -E '^ +[0-9]+ ' "$tmp/screen" | head -1)
case $first in *"evil) R 1 (x"*) ok ;; *) bad "name sort first row: $first" ;; esac
keys R
expect sort-reverse 'sort:name desc'
expect sort-reverse-row '^ +1000 web'

# --- expand / collapse -------------------------------------------------------
keys Home Enter
expect expand '^ +1003 `- vcpu1 @1 +45\.0'
# vcpu1: 35% guest (25/10), 5% VMM, 47% halted, 3% wait, 10% rest
expect wall-vcpu '^ +1003 `- vcpu1 @1 .* \[uuuukkvhhhhhhh\.\.\]$'
expect expand-first '^ +1002 \|- vcpu0 @0 +55\.0'
keys Enter
absent collapse 'vcpu1 @1'

# --- detail view of a VM -----------------------------------------------------
keys Home e
expect detail '^VM 1000 \(web\): exits of 2/2 vCPUs'
expect detail-header '^REASON +COUNT +EXITS/s +MIN +MAX +AVG +STDDEV +TIME%'
expect detail-row '^io +[0-9]+ +20\.0 +2\.00us +90\.0us'
expect detail-guest '^<guest> '
expect detail-shares 'vCPU time: .* in guest'
expect detail-wall '^Wall time: 40\.0% guest \(30\.0 user, 10\.0 kernel\), 0\.0% host kernel, 5\.0% VMM'
expect detail-wall-2 '^  23\.5% halted, 2\.5% wait, 29\.0% idle/unknown$'
expect detail-sources '^Sources: guest=exit_timing split=stat kernel=exit_timing vmm=stat$'
expect detail-sources-2 '^  halted=exit_timing wait=schedstat exits=exit_timing$'
fits detail
keys Escape
expect detail-back '^ +PID NAME'

# --- filter --------------------------------------------------------------------
keys / f c Enter
expect filter-footer ' filter: fc '
absent filter-hides ' web '
expect filter-keeps '^ +3000 fc-1'
keys Escape
expect filter-clear '^ +1000 web'
# the cgroup (a Kubernetes pod's) is matched too
keys / k u b e p o d s Enter
expect filter-cgroup '^ +3000 fc-1'
absent filter-cgroup-hides ' web '
keys Escape
expect filter-cgroup-clear '^ +1000 web'

# --- help, delay, pause ----------------------------------------------------
keys h
expect help 'KVM guests like top'
keys x
expect help-back '^ +PID NAME'
keys d 0 . 5 Enter
expect delay '0\.5s'
keys d - 1 Enter
expect bad-delay 'invalid delay'
keys p
expect pause 'PAUSED'
keys p
absent resume 'PAUSED'

# --- resize ------------------------------------------------------------------
tm resize-window -t gt -x 132 -y 40
expect wide 'EXITS/s TOP EXIT'
expect wide-wall 'TOP EXIT +KEXIT/s +WALL TIME'
fits 132x40
tm resize-window -t gt -x 60 -y 15
expect narrow '^ +PID NAME'
fits 60x15
tm resize-window -t gt -x 80 -y 24
expect back-80 '^ +1000 web'
fits 80x24-again

# --- quit ----------------------------------------------------------------------
keys q
dead quit

# --- colors: wall bar segments and legend letters in their colors -------------
start --root="$fx/new" -d 0.3
expect color-start '^ +2000 evil.* \[ukkk'
tm capture-pane -e -p -t gt > "$tmp/screen.e" 2> /dev/null
esc=$(printf '\033')
# evil: guest user (cyan 36) then guest kernel (blue 34) in its bar
grep -a ' 2000 evil' "$tmp/screen.e" | grep -aq "\[${esc}\[1m${esc}\[36mu${esc}\[34mkkk" &&
	ok || { cp "$tmp/screen.e" "$tmp/screen"; bad "color: wall bar segments"; }
grep -a 'Wall:' "$tmp/screen.e" | grep -aq "${esc}\[31ms${esc}.* host krn" &&
	ok || { cp "$tmp/screen.e" "$tmp/screen"; bad "color: legend"; }
keys q
dead color-quit

# --- old kernel: dashes and one status line each ----------------------
start --root="$fx/old" -d 0.3
expect old-status 'Guest split: n/a, kernel lacks guest_user/guest_system'
expect old-xt 'Exit timing: n/a, kernel lacks vcpuN/exit_timing in debugfs; KVM stats: ok$'
# stock kernel: guest not split, host kernel and halted from KVM's stats
expect old-dashes '^ +1000 web +2 +100\.0 +80\.0 +- +- +20\.0 +\[gggggggsvhhh\.\.\.\.\]'
keys Home e
expect old-detail 'exit timing not available|Exit timing: n/a'
expect old-detail-wall '^Wall time: 40\.0% guest, 4\.5% host kernel, 5\.0% VMM, 20\.5% halted, 2\.5% wait,$'
expect old-detail-wall-2 '^  27\.5% idle/unknown$'
expect old-detail-sources '^Sources: guest=stat kernel=stat-kvm_stats vmm=stat halted=kvm_stats$'
keys q
dead old-quit

# --- hostile: many VMs scroll, vanishing VM, garbage -------------------------
start --root="$fx/hostile" -d 0.2 -H
expect hostile-start 'VMs: 3[0-9], vCPUs'
keys End
expect scroll-end 'many|vcpu'
fits hostile
keys PPage Home
expect scroll-home '^ +1000 web'
sleep 1
cap
grep -q 'fc-1' "$tmp/screen" && bad "vanished VM still shown" || ok
keys q
dead hostile-quit

# --- replay: step forward and back, jump to a time, play ----------------------
rm -f "$tmp/ui.rec"
"$GTOP" --root="$fx/new" -b -d 0.05 -n 3 -o json -w "$tmp/ui.rec" > /dev/null
start -r "$tmp/ui.rec" -d 0.3
expect replay-start 'rec 1/4 \[PAUSED\]$'
expect replay-keys '^q:quit t/T:step b:jump p:play h:help'
expect replay-no-rates '^ +1000 web +2 +- +- '
keys t
expect replay-step 'rec 2/4 \[PAUSED\]$'
expect replay-figures '^ +1000 web +2 +100\.0 +80\.0 +60\.0 +20\.0 +20\.0'
keys t t
expect replay-step-3 'rec 4/4'
keys t
expect replay-end 'end of the recording'
keys T T
expect replay-back 'rec 2/4'
expect replay-back-figures '^ +1000 web +2 +100\.0 +80\.0'
keys T
expect replay-first 'rec 1/4'
keys T
expect replay-start-msg 'start of the recording'
# jump: 2 s after the start is the third record (frames are 1 s apart)
keys b
expect replay-prompt '^Jump to \('
keys + 2 Enter
expect replay-jump 'rec 3/4'
keys b @ 1 7 0 0 0 0 0 0 0 1 Enter
expect replay-jump-unix 'rec 2/4'
keys b 9 9 : 9 9 Enter
expect replay-bad-time "invalid time '99:99'"
# p plays one record a delay to the end, then pauses
keys p
expect replay-play 'rec 4/4'
expect replay-played 'end of the recording|\[PAUSED\]'
# the sparklines on a wide screen, and the history in the detail view
tm resize-window -t gt -x 132 -y 40
expect replay-spark-header 'WALL TIME CPU HIST USR HIST$'
expect replay-spark '^ +1000 web .*\] +▅▅▅ +▇▇▇$'
keys Home e
expect replay-history '^History, oldest left'
expect replay-history-cpu '^%CPU +▅▅▅$'
expect replay-history-usr '^GUSR +▇▇▇$'
keys Escape q
dead replay-quit

# a bad recording: a message and exit status 1 before any screen
printf 'not a recording' > "$tmp/bad.rec"
start -r "$tmp/bad.rec"
expect replay-bad 'gtop: .*bad\.rec: not a gtop recording'
i=0
while [ ! -s "$tmp/rc" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(cat "$tmp/rc" 2> /dev/null)" = 1 ] && ok || bad "bad recording: exit status"

tm kill-server 2> /dev/null
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]

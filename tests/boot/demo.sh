#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make demo, inside the booted kernel: four VMs with distinct loads, then
# gtop on the console.  q in gtop ends it all.
#   demo.sh [TERM] [ROWS] [COLS]   (the host terminal's, from tests/demo.sh)
#
# The loads fit the 4 CPUs tests/demo.sh gives QEMU (4 busy vCPUs): on an
# overcommitted host a vCPU preempted after an exit counts the wait as
# exit time (EXIT% is wall time, see gtop(1)), which would blur the demo.
. "$(dirname "$0")/lib.sh"

# The host's terminal type if the initramfs has its terminfo, else the
# closest one it has (mkinitramfs.sh: linux screen screen-256color tmux
# tmux-256color xterm xterm-256color vt100).
has_terminfo() {
	[ -n "$1" ] && [ -e "/usr/share/terminfo/$(echo "$1" | cut -c1)/$1" ]
}
[ -n "${1:-}" ] && TERM=$1
if ! has_terminfo "$TERM"; then
	case "$TERM" in
	tmux*256*) TERM=tmux-256color ;;
	screen*256*) TERM=screen-256color ;;
	tmux*) TERM=tmux ;;
	screen*) TERM=screen ;;
	linux*) TERM=linux ;;
	vt1*|vt2*|vt3*|vt4*) TERM=vt100 ;;
	*256*|*direct*|*truecolor*) TERM=xterm-256color ;;
	*) TERM=xterm ;;
	esac
fi
export TERM
# the serial console does not know the host terminal's size
[ -n "${2:-}" ] && [ -n "${3:-}" ] && stty rows "$2" cols "$3" 2>/dev/null

echo 1 >/proc/sys/kernel/collect_guest_utilization
echo 1 >/proc/sys/kernel/collect_guest_exit_timing
pids=
# start ARGS: a demo VM, waited for until it is ready; once more if it
# did not start (gvmm_start shows why)
start() {
	gvmm_start "$@" || gvmm_start "$@" || { sleep 3; return 1; }
	pids="$pids $GVMM_PID"
}
start --name web-frontend --irqchip alt:90 idle # guest applications
start --name build-server --irqchip alt:15 idle # the guest kernel
start --name exit-storm io cpuid		# host overhead: exits
start --name idle-vm --irqchip idle idle	# halted
sleep 1
gtop -d 2
rc=$?
# shellcheck disable=SC2086
kill $pids 2>/dev/null
exit $rc

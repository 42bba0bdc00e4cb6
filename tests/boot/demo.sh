#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make demo, inside the booted kernel: four VMs with distinct loads, then
# gtop on the console.  q in gtop ends it all.
#   demo.sh [TERM] [ROWS] [COLS]   (the host terminal's, from tests/demo.sh)
. "$(dirname "$0")/lib.sh"

[ -n "${1:-}" ] && export TERM="$1"
[ -e "/usr/share/terminfo/$(echo "$TERM" | cut -c1)/$TERM" ] ||
	[ -e "/lib/terminfo/$(echo "$TERM" | cut -c1)/$TERM" ] || export TERM=xterm
[ -n "${2:-}" ] && [ -n "${3:-}" ] && stty rows "$2" cols "$3" 2>/dev/null

echo 1 >/proc/sys/kernel/collect_guest_utilization
start() {
	"$GVMM" -q "$@" >/dev/null 2>&1 &
}
start --name web-frontend user user alt:90 # busy in guest applications
start --name build-server kernel alt:20	# busy in the guest kernel
start --name exit-storm io cpuid		# host overhead: exits
start --name idle-vm --irqchip idle idle	# halted
sleep 1
gtop -d 2
rc=$?
kill $(jobs -p) 2>/dev/null
exit $rc

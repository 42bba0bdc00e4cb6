#!/bin/bash
# make demo: boot the patched kernel under QEMU with demo VMs and run gtop
# on this terminal.  q quits gtop, and with it QEMU; Ctrl-A x kills QEMU.
#
# The guest gets 4 CPUs so that the demo VMs' 4 busy vCPUs do not
# overcommit it, this terminal's type and size (the serial console
# cannot tell them), and loglevel=1 so that kernel messages do not
# scribble over gtop's screen.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
if ! [ -t 0 ] || ! [ -t 1 ]; then
	echo "make demo: needs a terminal (gtop runs on it)" >&2
	exit 1
fi
size=$(stty size 2>/dev/null </dev/tty) || size=
args=("${TERM:-xterm}")
if [ -n "$size" ]; then
	args+=("${size% *}" "${size#* }")
fi
echo "make demo: booting the patched kernel (QEMU TCG, a few seconds);"
echo "           gtop starts with four demo VMs. q quits, Ctrl-A x kills QEMU."
exec "$top/tests/qemu/boot.sh" --interactive --smp 4 --mem 1024 \
	--append loglevel=1 demo "${args[@]}"

#!/bin/bash
# make demo: boot the patched kernel under QEMU with demo VMs and run gtop
# on this terminal.  q quits gtop, and with it QEMU; Ctrl-A x kills QEMU.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
rows=$(stty size 2>/dev/null </dev/tty | cut -d' ' -f1) || rows=
cols=$(stty size 2>/dev/null </dev/tty | cut -d' ' -f2) || cols=
args=("${TERM:-xterm}")
[ -n "$rows" ] && [ -n "$cols" ] && args+=("$rows" "$cols")
echo "make demo: booting the patched kernel (QEMU TCG, a few seconds);"
echo "           gtop starts with four demo VMs. q quits, Ctrl-A x kills QEMU."
exec "$top/tests/qemu/boot.sh" --interactive --smp 2 --mem 1024 demo "${args[@]}"

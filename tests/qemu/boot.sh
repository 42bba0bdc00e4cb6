#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel + gtest initramfs under QEMU TCG and run one scenario.
#
# usage: boot.sh [options] SCENARIO [ARGS...]
#        boot.sh [options] --interactive
#   --kernel FILE     kernel image (default: build/bzImage)
#   --initrd FILE     initramfs (default: build/tests/initramfs.cpio.gz)
#   --smp N           vCPUs of the test VM (default: 2)
#   --mem MB          memory in MiB (default: 1024)
#   --append STR      extra kernel command line
#   --icount          deterministic-ish time: -icount shift=0,sleep=off
#   --mttcg           one host thread per vCPU (QEMU's multi-threaded TCG)
#                     instead of one for all (-accel tcg,thread=single): faster
#                     with several busy vCPUs, but QEMU 7.2's MTTCG corrupts a
#                     nested guest now and then, and runs stale int3s of
#                     live-patched static keys, an oops (see tests/README.md)
#   --timeout SECS    kill QEMU after SECS (default: 600), exit 124
#   --log FILE        copy of the console (default: a temp file)
#   --qemu-arg ARG    extra QEMU argument (repeatable)
#   --interactive     console on this terminal (Ctrl-A x quits); with a
#                     SCENARIO, that runs on it (the demo), else a shell
#   -h, --help
#
# SCENARIO runs as /tests/SCENARIO.sh in the guest; ARGS reach it through
# gargs= (so they may not contain spaces, commas or quotes).
# Exit status: the scenario's ("GTEST-EXIT <rc>" on the console), 124 on
# timeout, 1 if the marker is missing (panic, crash), 2 on bad usage.
# QEMU binary: $QEMU (default: qemu-system-x86_64).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

kernel="$top/build/bzImage"
initrd="$top/build/tests/initramfs.cpio.gz"
smp=2
mem=1024
append=
icount=0
accel=tcg,thread=single
timeout=600
log=
interactive=0
qemu_args=()
qemu=${QEMU:-qemu-system-x86_64}
grace=30	# seconds QEMU may take to exit after the marker

usage() {
	awk 'NR > 3 && !/^#/ { exit } NR > 3 { sub(/^# ?/, ""); print }' "$0"
}

bad_usage() {
	echo "boot.sh: $*" >&2
	usage >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--kernel)	kernel=${2:?}; shift ;;
	--initrd)	initrd=${2:?}; shift ;;
	--smp)		smp=${2:?}; shift ;;
	--mem)		mem=${2:?}; shift ;;
	--append)	append=${2?}; shift ;;
	--icount)	icount=1 ;;
	--mttcg)	accel=tcg ;;
	--timeout)	timeout=${2:?}; shift ;;
	--log)		log=${2:?}; shift ;;
	--qemu-arg)	qemu_args+=("${2:?}"); shift ;;
	--interactive)	interactive=1 ;;
	-h|--help)	usage; exit 0 ;;
	--)		shift; break ;;
	-*)		bad_usage "unknown option '$1'" ;;
	*)		break ;;
	esac
	shift
done

[ -f "$kernel" ] || bad_usage "no kernel image '$kernel'"
[ -f "$initrd" ] || bad_usage "no initramfs '$initrd' (tests/initramfs/mkinitramfs.sh)"
case "$smp$mem$timeout" in
*[!0-9]*)	bad_usage "--smp, --mem and --timeout take integers" ;;
esac

# no_timer_check: the IO-APIC timer check at boot times the PIT against
# the host's clock and fails ("IO-APIC + timer doesn't work!", a panic)
# when the host is loaded, as virtualized kernels often boot with.
cmdline="console=ttyS0 panic=-1 quiet no_timer_check"
if [ "$interactive" = 0 ] || [ $# -ge 1 ]; then
	[ $# -ge 1 ] || bad_usage "no SCENARIO given"
	scenario=$1
	shift
	case "$scenario" in
	*[!A-Za-z0-9_.-]*) bad_usage "bad scenario name '$scenario'" ;;
	esac
	cmdline="$cmdline gtest=$scenario"
	if [ $# -gt 0 ]; then
		for a in "$@"; do
			case "$a" in
			*[\ ,\"\']*|"") bad_usage "scenario argument '$a' has a space, comma or quote" ;;
			esac
		done
		gargs=$(IFS=,; echo "$*")
		cmdline="$cmdline gargs=$gargs"
	fi
fi
[ -n "$append" ] && cmdline="$cmdline $append"

cmd=("$qemu" -accel "$accel" -cpu max -smp "$smp" -m "$mem" -nographic
     -no-reboot -kernel "$kernel" -initrd "$initrd" -append "$cmdline")
[ "$icount" = 1 ] && cmd+=(-icount "shift=0,sleep=off")
cmd+=("${qemu_args[@]}")

if [ "$interactive" = 1 ]; then
	echo "boot.sh: ${cmd[*]}" >&2
	echo "boot.sh: Ctrl-A x quits QEMU" >&2
	exec "${cmd[@]}"
fi

if [ -z "$log" ]; then
	log=$(mktemp "${TMPDIR:-/tmp}/gtest-boot.XXXXXX.log")
	keep_log=0
else
	mkdir -p "$(dirname "$log")"
	keep_log=1
fi
: >"$log"

echo "boot.sh: ${cmd[*]}" >&2
"${cmd[@]}" </dev/null >"$log" 2>&1 &
qpid=$!
tail -n +1 -f --pid="$qpid" "$log" &
tpid=$!

marker() {
	tr -d '\r' <"$log" | grep -a -o 'GTEST-EXIT [0-9]*' | tail -n 1 |
		cut -d' ' -f2
}

start=$SECONDS
seen=
timed_out=0
while kill -0 "$qpid" 2>/dev/null; do
	if [ $((SECONDS - start)) -ge "$timeout" ]; then
		timed_out=1
		kill "$qpid" 2>/dev/null
		break
	fi
	if [ -z "$seen" ] && [ -n "$(marker)" ]; then
		seen=$SECONDS
	fi
	if [ -n "$seen" ] && [ $((SECONDS - seen)) -ge "$grace" ]; then
		echo "boot.sh: QEMU did not exit ${grace}s after the marker, killing it" >&2
		kill "$qpid" 2>/dev/null
		break
	fi
	sleep 1
done
wait "$qpid" 2>/dev/null
qrc=$?
wait "$tpid" 2>/dev/null

rc=$(marker)
if [ "$timed_out" = 1 ]; then
	echo "boot.sh: TIMEOUT: scenario '$scenario' did not finish within ${timeout}s, QEMU killed" >&2
	rc=124
elif [ -z "$rc" ]; then
	echo "boot.sh: no GTEST-EXIT marker from scenario '$scenario' (QEMU exit $qrc; kernel panic or crash?)" >&2
	rc=1
else
	echo "boot.sh: scenario '$scenario' exited $rc ($((SECONDS - start))s)" >&2
fi
[ "$keep_log" = 1 ] || rm -f "$log"
exit "$rc"

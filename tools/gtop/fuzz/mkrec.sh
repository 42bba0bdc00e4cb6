#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mkrec.sh - the seeds of fuzz_rec (fuzz/corpus/rec) from the test
# fixtures (tests/mkfixture.sh): each fixture recorded with gtop -w over
# 3 refreshes, as a file (file-NAME: a 0 byte, then the recording) and
# as payloads (payloads-NAME: a 1 byte, then each record's payload
# after its 2-byte little-endian length; see fuzz_rec.c).  Run it after
# a change of the recording format (RECORDING.md).  With RECBENCH (make
# $O/recbench), also 8 samples of a synthetic host of 3 VMs x 2 vCPUs
# (bench/synth.c), busy and mixed (file-synth-*, payloads-synth-*):
# exit tables whose every entry moves.
#
#   GTOP=tools/gtop/gtop O=build/gtop [RECBENCH=build/gtop/recbench] \
#	sh tools/gtop/fuzz/mkrec.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
GTOP=${GTOP:?}
O=${O:?}
work=$O/mkrec
rm -rf "$work"
mkdir -p "$work"
synth=
[ -n "${RECBENCH:-}" ] && synth="synth-busy synth-mixed"
for v in new old sysctl0 hostile $synth; do
	case $v in
	synth-*)
		"$RECBENCH" record "$work/$v.rec" --vms 3 --vcpus 2 --others 2 \
			--cpus 2 --load "${v#synth-}" --samples 8 > /dev/null ;;
	*)
		sh "$here/../tests/mkfixture.sh" "$work/$v" "$v" 4
		"$GTOP" --root="$work/$v" -b -d 0.05 -n 3 -o json \
			-w "$work/$v.rec" > /dev/null ;;
	esac
	python3 - "$work/$v.rec" "$here/corpus/rec/file-$v" \
		"$here/corpus/rec/payloads-$v" <<'PY'
import struct, sys
rec = open(sys.argv[1], 'rb').read()
open(sys.argv[2], 'wb').write(b'\0' + rec)
out, i = bytearray(b'\1'), 32
while i + 8 <= len(rec):
    n = struct.unpack_from('<I', rec, i)[0]
    out += struct.pack('<H', n) + rec[i + 8:i + 8 + n]
    i += 8 + n
open(sys.argv[3], 'wb').write(bytes(out))
PY
done
rm -rf "$work"
